"""The member's own evaluation cards on the home page (issue 13, item 6): rounds to rate,
points, titles, and their items in 我的任务; each for a person, through the door."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import RequestFactory
from django.urls import reverse

from bastion.core.my_work import work_items as all_work_items
from bastion.evaluation.models import TitleAward
from bastion.evaluation.services.key_events import key_event_submit
from bastion.evaluation.widgets_member import my_points, my_titles, rounds_to_rate, work_items

from .helpers_points import entry, make_items
from .helpers_scoring import arena_scheme, make_member, open_live, today

pytestmark = pytest.mark.django_db


def request_for(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


@pytest.fixture
def arena(tree, personas, people):
    return open_live(personas.company, arena_scheme(tree.company), tree.company)


@pytest.fixture
def peer(tree, personas):
    return make_member(tree.station_a1, "sun_ba", "孙八")


def test_a_peer_sees_the_round_to_rate_and_the_event_to_submit(personas, arena, peer):
    key_event_submit(
        actor=personas.member,
        round_=arena,
        title="台风抢修",
        happened_on=today(),
        description="经过",
    )
    html = rounds_to_rate(request_for(peer))
    assert html.count('data-testid="round-to-rate"') == 1
    assert reverse("evaluation:scoring_round", args=[arena.pk]) in html
    items = work_items(peer, today())
    assert [i.label for i in items] == [f"评分：{arena.name}", f"提交关键事件：{arena.name}"]
    assert items[0].detail == "还有 1 个待评" and items[0].due_on == arena.closes_on
    # The kernel's 我的任务 gathers them with the other apps' items.
    assert {i.label for i in items} <= {i.label for i in all_work_items(peer)}


def test_nothing_to_rate_is_said_not_hidden(personas, people):
    html = rounds_to_rate(request_for(personas.member))
    assert 'data-testid="nothing-to-rate"' in html
    assert work_items(personas.member, today()) == []


def test_no_personal_cards_for_an_account_without_a_person(personas):
    for card in (rounds_to_rate, my_points, my_titles):
        assert card(request_for(personas.company)) is None, card.__name__


def test_my_points_sums_approved_this_month_and_year(personas, people):
    items = make_items()
    now = today()
    entry(people.zhang_san, items["t_study"], on=now)  # 2
    entry(people.zhang_san, items["t_guard"], on=now.replace(day=1))  # 5
    entry(people.zhang_san, items["t_study"], on=now, state="pending")
    entry(people.zhang_san, items["t_late"], on=now, state="rejected")
    entry(people.wang_wu, items["t_guard"], on=now)  # someone else's: never counted
    last_year = now.replace(year=now.year - 1, day=1)
    entry(people.zhang_san, items["t_guard"], on=last_year)
    html = my_points(request_for(personas.member))
    assert 'data-testid="points-month">7<' in html
    assert 'data-testid="points-year">7<' in html  # last year's entry is not counted
    assert 'data-testid="points-pending">1<' in html


def test_my_titles_lists_the_titles_still_held(personas, people, tree, arena):
    held = {
        "scheme": arena.scheme,
        "round": arena,
        "rule_code": "star",
        "organization": tree.station_a1,
        "person": people.zhang_san,
        "total": Decimal("96"),
    }
    TitleAward.objects.create(
        kind="star", name="星级党员", stars=5, awarded_on=dt.date(2026, 1, 5), **held
    )
    TitleAward.objects.create(
        kind="watch",
        name="重点帮扶",
        awarded_on=dt.date(2025, 1, 5),
        lifted_on=dt.date(2025, 6, 1),
        **held,
    )
    TitleAward.objects.create(
        kind="honour",
        name="优秀党员",
        awarded_on=dt.date(2026, 2, 1),
        **{**held, "person": people.wang_wu, "organization": tree.station_a2},
    )
    html = my_titles(request_for(personas.member))
    assert html.count('data-testid="my-title"') == 1
    assert "星级党员 ★★★★★" in html
    assert "优秀党员" not in html and "重点帮扶" not in html
