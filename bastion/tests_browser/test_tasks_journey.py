"""Journey (issue 4, 一事一单): the company drafts a task sheet with a number field, dispatches it
to all 86 stations, the A1 secretary answers from 我的任务, the company sends the answer back
with a reason, the secretary reads the reason and resubmits, the company accepts it, and the
one-click progress reads 1 of 86 answered, 1 accepted."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from bastion.core.notifications.models import Notification
from bastion.orgs.models import Organization
from bastion.orgs.tests.factories import make_org
from bastion.tasks.models import Assignment, Task

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

STATIONS = 86  # S1: the company's supply stations
TITLE = "关于开展党员安全承诺践诺活动的通知"
FIELD = "参加党员人数"
REASON = "人数与签到表不符，请核对后重新填报"


def add_stations(tree) -> None:
    """Station branches under both counties until exactly 86 organizations are stations.

    The tree fixture already holds four: station_a1, station_a2, station_b1 and group_a1 (a
    party group carries its station's unit kind, as small stations do in the demo company)."""
    have = Organization.objects.filter(unit_kind="station").count()
    counties = [tree.county_a, tree.county_b]
    for n in range(STATIONS - have):
        county = counties[n % 2]
        make_org(
            county,
            name=f"{county.name[0]}{n // 2 + 3:02d}供电所党支部",
            code=f"{county.code}-S{n:03d}",
        )
        county.refresh_from_db()


def open_recipient(page, task, org) -> None:
    """On the progress page, list the answers waiting for review and open ``org``'s."""
    page.goto(reverse("tasks:progress", args=[task.pk]))
    page.get_by_test_id("state-filter").select_option("submitted")
    page.get_by_role("button", name="筛选").click()
    row = page.locator(f'[data-testid="recipient-row"][data-org="{org.pk}"]')
    expect(page.get_by_test_id("recipient-row")).to_have_count(1)
    row.get_by_role("link", name="查看").click()
    expect(page.get_by_test_id("review-box")).to_be_visible()


def test_a_sheet_goes_to_86_stations_is_returned_resubmitted_accepted_and_counted(
    page, login, personas, tree
):
    add_stations(tree)
    assert Organization.objects.filter(unit_kind="station").count() == STATIONS
    due_on = timezone.localdate() + dt.timedelta(days=14)  # 待反馈, not yet 即将到期

    # The company drafts the sheet with one typed field of its feedback form.
    login(page, personas.company)
    page.goto(reverse("tasks:task_create"))
    page.get_by_label("标题", exact=True).fill(TITLE)
    page.get_by_label("派发组织").select_option(label=tree.company.name)
    page.get_by_label("反馈截止日期").fill(due_on.isoformat())
    page.get_by_label("工作要求").fill("各供电所党支部组织党员签订安全承诺，反馈参加人数。")
    builder = page.get_by_test_id("field-rows")
    builder.locator('[name="fields-0-label"]').fill(FIELD)
    builder.locator('[name="fields-0-kind"]').select_option(label="数字")
    expect(builder.locator('[name="fields-0-required"]')).to_be_checked()
    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_test_id("task-status")).to_have_text("草稿")
    task = Task.objects.get(title=TITLE)
    assert [(f.label, f.kind, f.required) for f in task.fields.all()] == [(FIELD, "number", True)]

    # Dispatch: the whole company subtree, unit kind 基层供电所; preview, then confirm.
    page.get_by_test_id("dispatch-task").click()
    page.get_by_label("单位类别").select_option(label="基层供电所")
    page.get_by_test_id("preview-button").click()
    expect(page.get_by_test_id("preview-count")).to_have_text(f"将发给 {STATIONS} 个组织")
    page.get_by_test_id("confirm-button").click()
    expect(page.get_by_role("alert").filter(has_text="已派发给")).to_contain_text(
        f"已派发给 {STATIONS} 个组织。"
    )
    expect(page.get_by_test_id("task-status")).to_have_text("已派发")
    assert Assignment.objects.filter(task=task).count() == STATIONS
    assert not Assignment.objects.filter(task=task).exclude(organization__unit_kind="station")
    mine = Assignment.objects.get(task=task, organization=tree.station_a1)
    page.context.clear_cookies()

    # The A1 secretary finds it in 我的任务 and answers.
    login(page, personas.secretary_a)
    page.goto(reverse("tasks:assignment_inbox"))
    row = page.get_by_test_id("inbox-row").filter(has_text=tree.station_a1.name)
    expect(row).to_contain_text(TITLE)
    expect(row.get_by_test_id("state")).to_have_text("未读")
    row.click()
    page.wait_for_url(f"**{mine.get_absolute_url()}")
    expect(page.get_by_test_id("state")).to_have_text("已读")
    form = page.get_by_test_id("feedback-form")
    form.get_by_label(FIELD).fill("12")
    form.get_by_label("反馈内容").fill("已组织全体党员签订安全承诺书。")
    form.get_by_role("button", name="提交反馈").click()
    expect(page.get_by_test_id("state")).to_have_text("已反馈")
    expect(page.get_by_test_id("feedback-view").get_by_test_id("answer")).to_have_text("12")
    page.context.clear_cookies()

    # The company sees one answer waiting and sends it back with a reason.
    login(page, personas.company)
    page.goto(task.get_absolute_url())
    page.get_by_test_id("progress-link").click()
    expect(page.get_by_test_id("answered")).to_have_text(f"1 / {STATIONS}")
    expect(page.get_by_test_id("state-submitted")).to_have_attribute("data-count", "1")
    open_recipient(page, task, tree.station_a1)
    review = page.get_by_test_id("review-box")
    review.get_by_label("退回原因").fill(REASON)
    review.get_by_test_id("return-button").click()
    expect(page.get_by_test_id("state")).to_have_text("已退回")
    expect(page.get_by_test_id("review-box")).to_have_count(0)
    page.context.clear_cookies()

    # The secretary is told why (message centre and 我的任务), corrects and resubmits.
    login(page, personas.secretary_a)
    assert Notification.objects.filter(
        recipient=personas.secretary_a, title=f"工作单反馈被退回：{TITLE}"
    ).exists()
    page.goto(reverse("inbox"))
    returned = f"工作单反馈被退回：{TITLE}"
    page.get_by_test_id("inbox-list").get_by_role("link").filter(has_text=returned).click()
    expect(page.get_by_test_id("notification-body")).to_have_text(f"原因：{REASON}")
    page.goto(reverse("tasks:assignment_inbox"))
    expect(page.get_by_test_id("returned-alert")).to_be_visible()
    row = page.get_by_test_id("inbox-row").filter(has_text=tree.station_a1.name)
    expect(row.get_by_test_id("return-reason")).to_contain_text(REASON)
    row.click()
    expect(page.get_by_test_id("returned-note")).to_contain_text(REASON)
    form = page.get_by_test_id("feedback-form")
    expect(form.get_by_label(FIELD)).to_have_value("12")  # the answer as it stood
    form.get_by_label(FIELD).fill("15")
    form.get_by_label("反馈内容").fill("已核对签到表：15名党员签订安全承诺书。")
    form.get_by_role("button", name="重新提交").click()
    expect(page.get_by_test_id("state")).to_have_text("已反馈")
    expect(page.get_by_test_id("returned-note")).to_have_count(0)
    page.context.clear_cookies()

    # The company accepts; the answer is locked.
    login(page, personas.company)
    open_recipient(page, task, tree.station_a1)
    page.get_by_test_id("review-box").get_by_test_id("accept-button").click()
    expect(page.get_by_test_id("state")).to_have_text("已采纳")
    expect(page.get_by_test_id("locked-note")).to_be_visible()
    mine.refresh_from_db()
    field = task.fields.get()
    assert mine.state == "accepted"
    assert mine.values == {str(field.pk): "15"}
    assert mine.return_reason == REASON

    # One-click progress: 1 of 86 answered, that one accepted, nobody else yet.
    page.goto(reverse("tasks:progress", args=[task.pk]))
    counts = page.get_by_test_id("progress-counts")
    expect(counts.get_by_test_id("answered")).to_have_text(f"1 / {STATIONS}")
    expect(counts).to_contain_text("其中已采纳 1 个")
    expect(counts.get_by_test_id("state-accepted")).to_have_text("已采纳 1")
    expect(counts.get_by_test_id("state-submitted")).to_have_attribute("data-count", "0")
    expect(counts.get_by_test_id("state-unread")).to_have_attribute("data-count", str(STATIONS - 1))
    expect(page.get_by_test_id("recipient-count")).to_have_text(f"共 {STATIONS} 个组织")
    in_county_a = Assignment.objects.filter(
        task=task, organization__path__startswith=tree.county_a.path
    ).count()
    county_a = page.locator(f'[data-testid="breakdown-row"][data-org="{tree.county_a.pk}"]')
    expect(county_a.get_by_test_id("breakdown-total")).to_have_text(str(in_county_a))
    # The sheet's own page says the same.
    page.goto(task.get_absolute_url())
    summary = page.get_by_test_id("progress-summary")
    expect(summary).to_contain_text(f"已反馈 1/{STATIONS}")
    expect(summary).to_contain_text("已采纳 1")
