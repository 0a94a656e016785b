"""Journey (issue Evaluation, 打擂台): the company opens this quarter's arena round over station A1,
two members of the branch submit their key events from a phone, three members rate them on the
four dimensions (nobody rates their own: the page refuses it), the company computes and
publishes the results, and the champion (擂主) shows on the branch page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from bastion.evaluation.models import KeyEvent, Round, Score, Target, TitleAward
from bastion.orgs.tests.factories import PersonFactory, UserFactory, grant

from .test_phone import assert_no_sideways_scroll

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

SCHEME = "打擂台（季度）"
DIMENSIONS = ("政治素质", "岗位技能", "群众评价", "工作业绩")
JOINED = {
    "membership_status": "full",
    "admitted_on": dt.date(2012, 7, 1),
    "confirmed_on": dt.date(2013, 7, 1),
}
EVENT_A = (
    "台风过境后带队连续抢修36小时",
    "台风“海葵”过境，所辖10千伏线路倒杆6基。带领党员突击队连续奋战36小时，"
    "恢复1200户居民供电，全程无违章。",
)
EVENT_B = (
    "上门为独居老人排查用电隐患",
    "组织党员服务队走访辖区独居老人23户，更换老化线路和插座，张贴应急联系卡。",
)
# Each rater's marks per dimension (政治素质、岗位技能、群众评价、工作业绩), out of 10. 陈明 (A) is
# rated 9 / 9.5 / 9.5 / 9.5 on average, 刘芳 (B) 5.5 / 6.5 / 5.5 / 6.5: 陈明 is the champion.
A_RATES_B = ("6", "7", "6", "7")
B_RATES_A = ("9", "9", "10", "9")
C_RATES_A = ("9", "10", "9", "10")
C_RATES_B = ("5", "6", "5", "6")


def make_member(org, username: str, name: str):
    """An account holding the member role on ``org``, linked to a full party member there."""
    user = UserFactory(username=username)
    grant(user, "member", org)
    PersonFactory(name=name, organization=org, user=user, **JOINED)
    return user


def open_my_scoring(page, round_name: str):
    """From the folded phone menu to 我的评分, and the card of ``round_name``."""
    toggler = page.get_by_role("button", name="菜单")
    menu = page.locator("#sidebar-menu")
    toggler.click()
    expect(menu).to_have_class(re.compile(r"\bshow\b"))
    menu.get_by_role("link", name="我的评分").click()
    expect(page.locator(".page-title")).to_have_text("我的评分")
    assert_no_sideways_scroll(page)
    card = page.get_by_test_id("round-card").filter(has_text=round_name)
    expect(card).to_have_count(1)
    expect(card.get_by_text("打擂台", exact=True)).to_be_visible()
    return card


def submit_event(page, round_name: str, title: str, description: str, today: dt.date) -> None:
    card = open_my_scoring(page, round_name)
    card.get_by_test_id("submit-event").click()
    expect(page.locator(".page-title")).to_have_text("提交我的关键事件")
    form = page.get_by_test_id("event-form")
    form.get_by_label("事件标题").fill(title)
    form.get_by_label("发生日期").fill(today.isoformat())
    form.get_by_label("事件经过与成效").fill(description)
    assert_no_sideways_scroll(page)
    form.get_by_test_id("submit-event").click()
    expect(page.get_by_role("alert").filter(has_text="关键事件已提交")).to_be_visible()
    expect(page.get_by_test_id("my-event-card")).to_contain_text(title)


def rate(page, event_title: str, marks: tuple[str, ...], comment: str) -> None:
    """On the round's list (我的评分 → the round), rate one key event on the four dimensions."""
    row = page.get_by_test_id("target-row").filter(has_text=event_title)
    row.get_by_test_id("row-pending").click()
    expect(page.locator(".page-title")).to_have_text("评议关键事件")
    expect(page.get_by_test_id("key-event")).to_contain_text(event_title)
    form = page.get_by_test_id("score-form")
    for dimension, mark in zip(DIMENSIONS, marks, strict=True):
        form.get_by_label(dimension).fill(mark)
    form.get_by_label("评语").fill(comment)
    assert_no_sideways_scroll(page)
    form.get_by_test_id("submit-scores").click()
    expect(page.get_by_role("alert").filter(has_text="已保存对")).to_be_visible()
    row = page.get_by_test_id("target-row").filter(has_text=event_title)
    expect(row.get_by_test_id("row-done")).to_be_visible()


def open_round_list(page, round_name: str) -> None:
    """我的评分 → the arena round → 去评议: the branch's key events other than one's own."""
    card = open_my_scoring(page, round_name)
    card.get_by_test_id("go-score").click()
    expect(page.locator(".page-title")).to_have_text(round_name)


def test_one_arena_quarter_two_events_three_raters_champion_on_the_branch_page(
    page, phone, login, personas, tree
):
    today = timezone.localdate()
    quarter = (today.month - 1) // 3 + 1
    branch = tree.station_a1
    member_a = make_member(branch, "arena_a", "陈明")
    member_b = make_member(branch, "arena_b", "刘芳")
    member_c = make_member(branch, "arena_c", "黄伟")

    # 1. The company opens this quarter's arena round over station A1 (发起考评).
    login(page, personas.company)
    page.goto(reverse("evaluation:round_list"))
    page.get_by_test_id("add-round").click()
    form = page.get_by_test_id("round-form")
    form.get_by_label("考评方案").select_option(label=SCHEME)
    form.get_by_label("考评范围").select_option(str(branch.pk))
    expect(form.get_by_label("考评月份")).to_be_hidden()  # a quarterly scheme: year and quarter
    form.get_by_label("考评年度").fill(str(today.year))
    form.get_by_label("季度", exact=True).select_option(str(quarter))
    form.get_by_label("评分开始").fill(today.isoformat())
    form.get_by_label("评分截止").fill((today + dt.timedelta(days=14)).isoformat())
    form.get_by_test_id("open-round").click()
    expect(page.get_by_role("alert").filter(has_text="考评轮次已发起")).to_be_visible()
    round_ = Round.objects.get(scheme__code="arena", organization=branch)
    assert (round_.state, round_.period_start.year) == ("scoring", today.year)
    assert round_.period_start <= today <= round_.period_end
    assert round_.opens_on <= today <= round_.closes_on
    assert not Target.objects.filter(round=round_).exists()  # members join with their event
    round_name = round_.name
    expect(page.get_by_test_id("round-header")).to_contain_text(SCHEME)
    expect(page.get_by_test_id("round-state-scoring").first).to_have_text("评分中")

    # 2. Two members submit their key events from their phones.
    phone_a, phone_b, phone_c = phone(), phone(), phone()
    login(phone_a, member_a)
    submit_event(phone_a, round_name, *EVENT_A, today)
    login(phone_b, member_b)
    submit_event(phone_b, round_name, *EVENT_B, today)
    events = {e.target.person.name: e for e in KeyEvent.objects.filter(round=round_)}
    assert {name: e.title for name, e in events.items()} == {"陈明": EVENT_A[0], "刘芳": EVENT_B[0]}

    # 3. A rates B's event; their own is not offered, and opening it is refused.
    open_round_list(phone_a, round_name)
    expect(phone_a.get_by_test_id("target-row")).to_have_count(1)
    expect(phone_a.get_by_test_id("target-list")).not_to_contain_text(EVENT_A[0])
    rate(phone_a, EVENT_B[0], A_RATES_B, "服务群众有温度。")
    own = events["陈明"].target
    phone_a.goto(reverse("evaluation:scoring_form", args=[round_.pk, own.pk]))
    expect(phone_a.get_by_role("alert").filter(has_text="不能给自己评分")).to_be_visible()
    expect(phone_a.get_by_test_id("score-form")).to_have_count(0)
    assert not Score.objects.filter(target=own, evaluator=member_a).exists()

    # B rates A's event.
    open_round_list(phone_b, round_name)
    expect(phone_b.get_by_test_id("target-row")).to_have_count(1)
    rate(phone_b, EVENT_A[0], B_RATES_A, "关键时刻冲得上去。")

    # C (no event of their own) rates both.
    login(phone_c, member_c)
    card = open_my_scoring(phone_c, round_name)
    expect(card.get_by_test_id("round-counts")).to_contain_text("待评 2")
    card.get_by_test_id("go-score").click()
    expect(phone_c.get_by_test_id("target-row")).to_have_count(2)
    rate(phone_c, EVENT_A[0], C_RATES_A, "抢修一线的榜样。")
    rate(phone_c, EVENT_B[0], C_RATES_B, "")
    expect(phone_c.get_by_test_id("round-counts")).to_contain_text("待评 0 / 已评 2")
    assert Score.objects.filter(round=round_).count() == 4 * 4
    assert not Score.objects.filter(
        round=round_, target__person__user=member_a, evaluator=member_a
    ).exists()

    # 4. The company computes, then publishes (confirming the prompt).
    page.goto(reverse("evaluation:round_detail", args=[round_.pk]))
    expect(page.get_by_test_id("target-count")).to_have_text("2")
    page.get_by_test_id("compute-round").click()
    expect(page.get_by_test_id("compute-closes")).to_be_visible()  # confirm: scoring closes
    page.get_by_test_id("confirm-compute").click()
    expect(page.get_by_role("alert").filter(has_text="已计算 2 个评价对象")).to_be_visible()
    expect(page.get_by_test_id("round-state-computed").first).to_be_visible()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("publish-round").click()
    expect(page.get_by_role("alert").filter(has_text="结果已发布")).to_be_visible()
    expect(page.get_by_test_id("round-state-published").first).to_have_text("已发布")
    round_.refresh_from_db()
    assert round_.state == "published" and round_.appeal_until is not None
    ranked = list(Target.objects.filter(round=round_).order_by("rank"))
    assert [(t.person.name, t.rank) for t in ranked] == [("陈明", 1), ("刘芳", 2)]
    assert ranked[0].total > ranked[1].total
    [award] = TitleAward.objects.filter(round=round_)
    assert (award.kind, award.name, award.person.name) == ("champion", "擂主", "陈明")

    # The ranking: 陈明 first, holding the title 擂主.
    page.get_by_test_id("results-link").click()
    rows = page.get_by_test_id("result-row")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("陈明")
    expect(rows.first.get_by_test_id("title-badge")).to_contain_text("擂主")
    expect(rows.nth(1)).to_contain_text("刘芳")

    # 5. The champion shows on the branch page, for the company and for a member on a phone.
    page.goto(reverse("orgs:org_detail", args=[branch.pk]))
    expect(page.get_by_test_id("arena-champion")).to_have_text("陈明")
    phone_c.goto(reverse("orgs:org_detail", args=[branch.pk]))
    expect(phone_c.get_by_test_id("arena-champion")).to_have_text("陈明")
