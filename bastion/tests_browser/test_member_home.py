"""A member on a 390 px phone: the home page is their own work (我的任务, 待评分, 我的积分,
我的党费, 我的称号), not branch statistics; the points page reads as cards, with nothing
scrolling sideways and no chart label touching another (issue 13, item 6)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from bastion.agenda.models import DuesPayment, DuesProfile
from bastion.evaluation.models import PointsEntry, PointsItem

from .conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

TOLERANCE_PX = 2  # sub-pixel rounding; a real overflow is a table column, far wider
LONG_NOTE = "参加供电所组织的“党员身边无违章”主题学习并在班前会上分享安全案例，时长两小时"


def assert_no_sideways_scroll(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + TOLERANCE_PX, f"{page.url} is {width}px wide at 390px"


def a_year_of_points(person):
    """Approved, pending and rejected entries over the last twelve months, with long notes."""
    item, _ = PointsItem.objects.get_or_create(
        code="t_phone_study",
        defaults={"name": "参加支部组织的主题党日学习", "category": "plan", "points": Decimal(2)},
    )
    today = timezone.localdate()
    for back in range(12):
        day = (today.replace(day=1) - dt.timedelta(days=back * 30)).replace(day=10)
        state = ("approved", "pending", "rejected")[back % 3]
        PointsEntry.objects.create(
            person=person,
            item=item,
            occurred_on=min(day, today),
            state=state,
            points=item.points,
            note=LONG_NOTE,
        )


def dues_paid_last_month(person, org):
    today = timezone.localdate()
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    DuesProfile.objects.create(
        person=person,
        year=today.year,
        category="employed",
        base=Decimal(4000),
        monthly_amount=Decimal("40.00"),
        starts_on=last_month,
    )
    DuesPayment.objects.create(
        person=person,
        organization=org,
        month=last_month,
        amount=Decimal("40.00"),
        paid_on=last_month + dt.timedelta(days=5),
    )


def labels_overlap(page, selector: str) -> bool:
    """Whether two text labels drawn by the chart's SVG renderer touch (none may). Labels are
    level (``static/bastion/charts.js``), so their bounding boxes are their ink."""
    return page.evaluate(
        """(selector) => {
          const boxes = [...document.querySelectorAll(selector + ' text')]
            .map(t => t.getBoundingClientRect()).filter(r => r.width > 0);
          return boxes.some((a, i) => boxes.slice(i + 1).some(b =>
            a.left < b.right - 1 && b.left < a.right - 1 &&
            a.top < b.bottom - 1 && b.top < a.bottom - 1));
        }""",
        selector,
    )


def test_a_member_reads_their_own_work_and_points_on_a_phone(phone, login, personas, people, tree):
    a_year_of_points(people.zhang_san)
    dues_paid_last_month(people.zhang_san, tree.station_a1)
    page = phone()
    login(page, personas.member)

    for card in (
        "my-tasks-card",
        "rounds-to-rate-card",
        "my-points-card",
        "my-dues-card",
        "my-titles-card",
    ):
        expect(page.get_by_test_id(card)).to_be_visible()
    expect(page.get_by_test_id("scope-summary")).to_have_count(0)
    expect(page.get_by_test_id("board-widget")).to_have_count(0)
    expect(page.get_by_test_id("dues-amount")).to_contain_text("40.00")
    expect(page.get_by_test_id("dues-owed")).to_have_text("0")
    assert_no_sideways_scroll(page)

    page.get_by_role("button", name="菜单").click()
    menu = page.locator("#sidebar-menu")
    expect(menu.get_by_role("link", name="我的任务")).to_be_visible()
    for hidden in ("统计汇总", "会议记录", "考评方案", "接口文档"):
        expect(menu.get_by_role("link", name=hidden)).to_have_count(0)
    page.get_by_role("button", name="菜单").click()

    page.get_by_test_id("my-points-card").get_by_role("link", name="查看明细").click()
    expect(page.locator(".page-title")).to_contain_text("我的积分")
    rows = page.get_by_test_id("points-row")
    expect(rows).to_have_count(12)
    # A card: the column names stand beside the values, the header row is gone.
    expect(page.get_by_test_id("points-table").locator("thead")).to_be_hidden()
    first = rows.first.bounding_box()
    assert first["width"] <= PHONE["width"], first
    expect(page.get_by_test_id("points-chart").locator("svg text").first).to_be_attached()
    assert not labels_overlap(page, '[data-testid="points-chart"]')
    assert_no_sideways_scroll(page)
