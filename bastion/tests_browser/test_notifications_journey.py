"""Journey (issue 11, every event reaches its person): the A county secretary dispatches a sheet
to the county's stations; the A1 station secretary, on a phone, finds the unread message first
on the home page and opens it, which marks it read; back on the desktop, the county's progress
page shows 已读 for station A1 where it showed 未读 before."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from bastion.core.notifications.models import Notification
from bastion.tasks.models import Assignment, Task

from .test_phone import assert_no_sideways_scroll

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

TITLE = "关于报送党员安全承诺签订情况的通知"
MESSAGE = f"新工作单：{TITLE}"


def receipt(page, task, org):
    """The 通知 column of ``org``'s row on ``task``'s progress page."""
    page.goto(reverse("tasks:progress", args=[task.pk]))
    row = page.locator(f'[data-testid="recipient-row"][data-org="{org.pk}"]')
    return row.get_by_test_id("receipt")


def test_a_dispatched_sheet_is_read_on_a_phone_and_the_issuer_sees_it_read(
    page,
    phone,  # noqa: F811
    login,
    personas,
    tree,
):
    county, secretary = personas.county, personas.secretary_a
    due_on = timezone.localdate() + dt.timedelta(days=10)

    # The county secretary drafts a sheet and dispatches it to the county's stations.
    login(page, county)
    page.goto(reverse("tasks:task_create"))
    page.get_by_label("标题", exact=True).fill(TITLE)
    page.get_by_label("派发组织").select_option(label=tree.county_a.name)
    page.get_by_label("反馈截止日期").fill(due_on.isoformat())
    page.get_by_label("工作要求").fill("请各供电所党支部报送党员安全承诺签订人数。")
    builder = page.get_by_test_id("field-rows")
    builder.locator('[name="fields-0-label"]').fill("签订人数")
    builder.locator('[name="fields-0-kind"]').select_option(label="数字")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_test_id("task-status")).to_have_text("草稿")
    task = Task.objects.get(title=TITLE)
    page.get_by_test_id("dispatch-task").click()
    page.get_by_label("单位类别").select_option(label="基层供电所")
    page.get_by_test_id("preview-button").click()
    # A1, its party group (which carries the station's unit kind) and A2.
    expect(page.get_by_test_id("preview-count")).to_have_text("将发给 3 个组织")
    page.get_by_test_id("confirm-button").click()
    expect(page.get_by_test_id("task-status")).to_have_text("已派发")
    stations = Assignment.objects.filter(task=task)
    assert tree.station_a1.pk in set(stations.values_list("organization_id", flat=True))
    assert not stations.exclude(organization__path__startswith=tree.county_a.path)
    note = Notification.objects.get(recipient=secretary, event="tasks.dispatched")
    assert note.title == MESSAGE and note.read_at is None
    assert not Notification.objects.filter(recipient=county, event="tasks.dispatched")
    expect(receipt(page, task, tree.station_a1)).to_have_text("未读")

    # The station secretary logs in on a phone: the message opens the home page.
    mobile = phone()
    login(mobile, secretary)
    expect(mobile.locator(".page-title")).to_contain_text("您好")
    widget = mobile.get_by_test_id("unread-widget")
    expect(widget).to_be_visible()
    expect(mobile.locator("[data-testid$=-widget]").first).to_have_attribute(
        "data-testid", "unread-widget"
    )
    expect(widget.get_by_test_id("unread-total")).to_have_text("1")
    expect(widget.get_by_test_id("unread-title")).to_have_text(MESSAGE)
    assert_no_sideways_scroll(mobile)

    # Opening it shows the message and marks it read; the home page has nothing unread left.
    widget.get_by_role("link").filter(has_text=MESSAGE).click()
    mobile.wait_for_url(f"**{reverse('notification_detail', args=[note.pk])}")
    expect(mobile.locator(".page-title")).to_contain_text(MESSAGE)
    expect(mobile.get_by_test_id("notification-body")).to_contain_text(TITLE)
    assert_no_sideways_scroll(mobile)
    note.refresh_from_db()
    assert note.read_at is not None
    mobile.goto(reverse("home"))
    expect(mobile.locator(".page-title")).to_contain_text("您好")
    expect(mobile.get_by_test_id("unread-widget")).to_have_count(0)

    # The issuer's progress page: station A1's secretary has read the dispatch message.
    mark = receipt(page, task, tree.station_a1)
    expect(mark).to_contain_text("已读")
    expect(mark).to_contain_text(timezone.localtime(note.read_at).strftime("%Y-%m-%d %H:%M"))
    expect(receipt(page, task, tree.station_a2)).not_to_contain_text("已读")
