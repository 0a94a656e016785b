"""Journey (issue 5, 闭环整改): an inspector records a 飞行巡查 of station A1 with two problems,
the A1 secretary rectifies one with a photo, the inspector rejects it with a reason, the
secretary resubmits with a new photo, the inspector verifies and closes it; the quarter's
bulletin then shows station A1 with one problem rectified and one overdue."""

import datetime as dt
from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from bastion.orgs.tests.factories import UserFactory, grant
from bastion.problems.models import Bulletin, Inspection, Problem, ProblemEvidence
from bastion.problems.selectors_bulletin import current_quarter

from .test_agenda_journey import tiny_png

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

TITLE = "供电所党支部作风建设飞行巡查"
FIXED = "党员活动室“三会一课”记录不全，缺少签到表"
LATE = "营业厅服务承诺公示栏内容过期未更新"
REASON = "照片看不清签到表内容，请重新拍摄上传"


def photo(name: str) -> dict:
    return {"name": name, "mimeType": "image/png", "buffer": tiny_png()}


def move(page, to: str, *, reason: str = "", files=None, button: str) -> None:
    """Use one of the transition forms on the problem page and wait for the page to reload."""
    form = page.get_by_test_id(f"move-{to}")
    if reason:
        form.locator("textarea").fill(reason)
    if files:
        form.locator('input[type="file"]').set_input_files(files=files)
    form.get_by_role("button", name=button).click()
    expect(page.get_by_test_id("transition-errors")).to_have_count(0)


def add_problem(page, inspection, *, description, category, found_on, deadline) -> None:
    page.goto(reverse("problems:inspection_detail", args=[inspection.pk]))
    page.get_by_test_id("add-problem").click()
    expect(page.get_by_test_id("inspection-note")).to_contain_text(TITLE)
    form = page.get_by_test_id("problem-form")
    form.get_by_label("问题描述", exact=True).fill(description)
    form.get_by_label("类别", exact=True).select_option(label=category)
    form.get_by_label("问题层次", exact=True).select_option("1")
    form.get_by_label("发现日期", exact=True).fill(found_on.isoformat())
    form.get_by_label("整改时限", exact=True).fill(deadline.isoformat())
    form.get_by_label("整改措施", exact=True).fill("限期整改，上传整改后照片。")
    form.get_by_role("button", name="保存").click()
    page.wait_for_url(f"**{inspection.get_absolute_url()}")


def open_problem(page, description) -> None:
    """From the problem list (the station cannot open the county's inspection record)."""
    page.goto(reverse("problems:problem_list") + "?q=" + quote(description[:10]))
    page.get_by_test_id("problem-table").get_by_role("link", name=description[:20]).click()
    expect(page.get_by_role("heading", name=description[:20])).to_be_visible()


def state_is(page, label: str) -> None:
    expect(page.get_by_test_id("problem-state")).to_have_text(label)


def test_a_flying_inspection_finds_two_problems_one_closed_after_a_rejection_one_overdue(
    page, login, personas, tree
):
    today = timezone.localdate()
    yesterday = today - dt.timedelta(days=1)
    inspector = UserFactory(username="p_inspector")
    grant(inspector, "inspector", tree.county_a)

    # The inspector records an unannounced inspection of station A1.
    login(page, inspector)
    page.goto(reverse("problems:inspection_create"))
    form = page.get_by_test_id("inspection-form")
    form.get_by_label("检查方式", exact=True).select_option(label="飞行巡查")
    form.get_by_label("检查名称", exact=True).fill(TITLE)
    form.get_by_label("检查组织", exact=True).select_option(str(tree.county_a.pk))
    form.get_by_label("检查组成员", exact=True).fill("王检查、李督导")
    form.get_by_label("被检查组织", exact=True).select_option(str(tree.station_a1.pk))
    form.get_by_label("检查日期", exact=True).fill(today.isoformat())
    form.get_by_role("button", name="保存").click()
    inspection_page = page.get_by_test_id("add-problem")
    expect(inspection_page).to_be_visible()
    expect(page.get_by_text("不打招呼")).to_be_visible()
    inspection = Inspection.objects.get(title=TITLE)
    assert (inspection.kind, inspection.unannounced) == ("flying", True)
    assert list(inspection.inspected.all()) == [tree.station_a1]

    # Two problems at A1: one due in a month, one found yesterday and due yesterday (overdue).
    add_problem(
        page,
        inspection,
        description=FIXED,
        category="组织建设",
        found_on=today,
        deadline=today + dt.timedelta(days=30),
    )
    add_problem(
        page,
        inspection,
        description=LATE,
        category="优质服务",
        found_on=yesterday,
        deadline=yesterday,
    )
    expect(page.get_by_test_id("problem-table").locator("tbody tr")).to_have_count(2)
    expect(page.get_by_test_id("colour-red")).to_have_count(1)
    fixed = Problem.objects.get(description=FIXED)
    late = Problem.objects.get(description=LATE)
    for problem in (fixed, late):
        assert problem.organization == tree.station_a1
        assert problem.responsible_org == tree.station_a1
        assert problem.inspection == inspection
        assert problem.state == "planned"
    page.context.clear_cookies()

    # The A1 secretary starts the work and submits it with a photo.
    login(page, personas.secretary_a)
    open_problem(page, FIXED)
    expect(page.get_by_test_id("move-verified")).to_have_count(0)
    move(page, "in_progress", button="开始整改")
    state_is(page, "整改中")
    move(page, "submitted", reason="已补齐签到表", files=[photo("签到表.png")], button="提交验收")
    state_is(page, "待验收")
    expect(page.get_by_test_id("evidence")).to_contain_text("签到表.png")
    expect(page.get_by_test_id("moves")).to_have_count(0)  # now it is the inspector's turn
    page.context.clear_cookies()

    # The inspector rejects it with a reason.
    login(page, inspector)
    open_problem(page, FIXED)
    move(page, "rejected", reason=REASON, button="验收不通过")
    state_is(page, "验收未通过")
    page.context.clear_cookies()

    # The secretary reads the reason on the timeline and resubmits with a new photo.
    login(page, personas.secretary_a)
    open_problem(page, FIXED)
    expect(page.get_by_test_id("timeline")).to_contain_text(REASON)
    move(page, "submitted", files=[photo("签到表-重拍.png")], button="提交验收")
    state_is(page, "待验收")
    expect(page.get_by_test_id("evidence")).to_contain_text("签到表-重拍.png")
    page.context.clear_cookies()

    # The inspector verifies and closes it.
    login(page, inspector)
    open_problem(page, FIXED)
    move(page, "verified", button="验收通过")
    state_is(page, "验收通过")
    move(page, "closed", button="销号")
    state_is(page, "已销号")
    expect(page.get_by_text("销号日期")).to_be_visible()
    fixed.refresh_from_db()
    assert (fixed.state, fixed.closed_on) == ("closed", today)
    assert ProblemEvidence.objects.filter(problem=fixed).count() == 2
    assert list(fixed.events.values_list("to_state", flat=True)) == [
        "planned",
        "in_progress",
        "submitted",
        "rejected",
        "submitted",
        "verified",
        "closed",
    ]
    late.refresh_from_db()
    assert late.state == "planned"
    page.context.clear_cookies()

    # The company issues this quarter's bulletin for county A.
    quarter = current_quarter(today)
    login(page, personas.company)
    page.goto(reverse("problems:bulletin_list"))
    form = page.get_by_test_id("bulletin-form")
    form.get_by_label("通报范围", exact=True).select_option(str(tree.county_a.pk))
    expect(form.get_by_label("季度", exact=True)).to_have_value(quarter.label)
    form.get_by_role("button", name="生成").click()
    status = page.get_by_test_id("bulletin-status")
    expect(status).to_have_attribute("data-status", "done")
    bulletin = Bulletin.objects.get(organization=tree.county_a, quarter=quarter.label)
    assert bulletin.docx and bulletin.xlsx

    # Station A1: two due, one rectified, one overdue; the overdue list names the late one.
    units, _categories, overdue, _inspections = page.get_by_test_id("preview-table").all()
    row = units.locator("tbody tr").filter(has_text=tree.station_a1.name)
    expect(row).to_have_count(1)
    headers = units.locator("thead th").all_inner_texts()
    cells = dict(zip(headers, row.locator("td").all_inner_texts(), strict=True))
    assert (cells["应整改"], cells["已整改"], cells["逾期未改"], cells["整改率"]) == (
        "2",
        "1",
        "1",
        "50.0%",
    )
    expect(overdue.locator("tbody tr")).to_have_count(1)
    expect(overdue.locator("tbody tr")).to_contain_text(LATE)
    expect(overdue.locator("tbody tr")).to_contain_text(tree.station_a1.name)

    # The Word file downloads.
    with page.expect_download() as download:
        page.get_by_test_id("download-docx").click()
    assert download.value.suggested_filename.endswith(".docx")
