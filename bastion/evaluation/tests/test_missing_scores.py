"""Scoring progress and the missing-score list: what is expected, what is owed and by whom."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bastion.evaluation import selectors_rounds as sel
from bastion.evaluation.models import KeyEvent, Target
from bastion.orgs.tests.factories import UserFactory, grant

from .helpers import OPEN_DAY, make_scheme, open_round, simple_scheme
from .helpers_rounds import add_member, add_stations, member_scheme, rate

pytestmark = pytest.mark.django_db


def by_group(rows):
    return {row["group"]: (row["submitted"], row["expected"], row["percent"]) for row in rows}


def keyed(rows):
    return {(row["label"], row["group"]): (row["submitted"], row["expected"]) for row in rows}


def test_org_targets_expect_one_committee_score_each(tree, personas):
    round_ = open_round(personas.company, simple_scheme(tree.company), tree.company)
    rate(personas.county, round_, "higher", {"party": 90}, org=tree.station_a1)
    assert by_group(sel.progress(round_)) == {"higher": (1, 3, 33)}
    rows = sel.with_owers(round_, sel.missing(round_))
    assert [(r["label"], r["group"]) for r in rows] == [
        ("A2供电所党支部", "higher"),
        ("B1供电所党支部", "higher"),
    ]
    # the committee right above each branch owes it: county_a for A2, nobody holds county_b
    assert [r["owed_by"] for r in rows] == [["p_county"], []]


def test_optional_items_do_not_count_as_a_score(tree, personas):
    round_ = open_round(personas.company, simple_scheme(tree.company), tree.company)
    rate(personas.county, round_, "higher", {"bonus": 3}, org=tree.station_a1)
    assert by_group(sel.progress(round_)) == {"higher": (0, 3, 0)}
    assert len(sel.missing(round_)) == 3


def test_self_on_an_org_target_is_owed_by_grants_exactly_on_it(tree, personas):
    scheme = make_scheme(
        tree.company,
        groups=(("self", 1), ("higher", 1)),
        indicators=[
            {
                "code": "party",
                "name": "党建",
                "kind": "scored",
                "weight": 100,
                "max_score": 100,
                "scored_by": ["self", "higher"],
            }
        ],
    )
    round_ = open_round(personas.company, scheme, tree.county_a)
    rows = sel.with_owers(round_, sel.missing(round_, group="self"))
    owed = {r["label"]: r["owed_by"] for r in rows}
    # the secretary rates the branch itself; a plain member (张三) does not
    assert owed == {"A1供电所党支部": ["p_secretary_a"], "A2供电所党支部": []}


@pytest.fixture
def branch(tree, personas, people):
    """station_a1: 张三 (the member persona), 甲 and 乙 with accounts, 丙 without one."""
    return {
        "jia": add_member(tree.station_a1, "甲"),
        "yi": add_member(tree.station_a1, "乙"),
        "bing": add_member(tree.station_a1, "丙", account=False),
        "zhang": people.zhang_san,
    }


def test_peers_expect_every_other_member_with_an_account(tree, personas, branch):
    round_ = open_round(personas.company, member_scheme(tree.company), tree.station_a1)
    assert Target.objects.filter(round=round_).count() == 4  # 李四 is not a party member
    jia, zhang = branch["jia"], branch["zhang"]
    rate(jia.user, round_, "peers", {"conduct": 80}, person=zhang)
    rate(personas.member, round_, "self", {"conduct": 90}, person=zhang)
    rate(personas.secretary_a, round_, "higher", {"conduct": 85}, person=zhang)
    rate(jia.user, round_, "peers", {"extra": 2}, person=branch["yi"])  # optional: not counted
    # self: 丙 has no account (0 expected); peers: 3 accounts, 2 each and 3 for 丙
    assert by_group(sel.progress(round_)) == {
        "self": (1, 3, 33),
        "peers": (1, 9, 11),
        "higher": (1, 4, 25),
    }
    rows = sel.with_owers(round_, sel.missing(round_))
    missing = keyed(rows)
    assert missing[("张三", "peers")] == (1, 2)
    assert ("张三", "self") not in missing and ("丙", "self") not in missing
    owed = {(r["label"], r["group"]): r["owed_by"] for r in rows}
    assert owed[("张三", "peers")] == ["乙"]
    assert owed[("丙", "peers")] == ["乙", "张三", "甲"]
    assert owed[("乙", "peers")] == ["张三", "甲"]  # a bonus-only rating is still owed
    assert owed[("甲", "self")] == ["甲"]
    assert owed[("甲", "higher")] == ["p_secretary_a"]


def test_arena_rounds_expect_ratings_only_for_submitted_key_events(tree, personas, branch):
    scheme = member_scheme(tree.company, style="arena", groups=(("peers", 1),))
    round_ = open_round(personas.company, scheme, tree.station_a1)
    assert not Target.objects.filter(round=round_).exists()
    target = Target.objects.create(round=round_, organization=tree.station_a1, person=branch["jia"])
    KeyEvent.objects.create(
        round=round_, target=target, title="抢修", happened_on=OPEN_DAY, description="连夜抢修"
    )
    rate(personas.member, round_, "peers", {"conduct": 88}, person=branch["jia"])
    assert by_group(sel.progress(round_)) == {"peers": (1, 2, 50)}
    rows = sel.with_owers(round_, sel.missing(round_))
    assert [(r["label"], r["owed_by"]) for r in rows] == [("甲", ["乙"])]


def test_business_is_owed_by_grants_on_the_target_or_above(tree, personas):
    scheme = make_scheme(
        tree.company,
        groups=(("business", 1),),
        indicators=[
            {"code": "kpi", "name": "业绩", "kind": "scored", "weight": 100, "max_score": 100}
        ],
    )
    business = UserFactory(username="p_business")
    grant(business, "business", tree.county_a)
    round_ = open_round(personas.company, scheme, tree.company)
    owed = {r["label"]: r["owed_by"] for r in sel.with_owers(round_, sel.missing(round_))}
    assert owed == {
        "A1供电所党支部": ["p_business"],
        "A2供电所党支部": ["p_business"],
        "B1供电所党支部": [],
    }


def test_progress_counts_only_the_targets_given(tree, personas):
    round_ = open_round(personas.company, simple_scheme(tree.company), tree.company)
    mine = Target.objects.restrict(personas.county, "view")
    assert by_group(sel.progress(round_, mine)) == {"higher": (0, 2, 0)}
    assert {r["label"] for r in sel.missing(round_, targets=mine)} == {
        "A1供电所党支部",
        "A2供电所党支部",
    }


def test_a_scheme_without_scored_items_expects_nothing(tree, personas):
    scheme = make_scheme(
        tree.company,
        indicators=[{"code": "bonus", "name": "加分", "kind": "bonus", "max_score": 5}],
    )
    round_ = open_round(personas.company, scheme, tree.company)
    assert sel.progress(round_) == [] and sel.missing(round_) == []


def _cost(round_):
    with CaptureQueriesContext(connection) as ctx:
        sel.progress(round_)
        sel.with_owers(round_, sel.missing(round_))
    return len(ctx)


def test_missing_costs_the_same_queries_at_two_sizes(tree, personas, branch):
    small = open_round(personas.company, member_scheme(tree.company), tree.company)
    few = _cost(small)
    for station in add_stations(tree.county_b, 4):
        for name in "ABC":
            add_member(station, name)
    big = open_round(personas.company, member_scheme(tree.company, code="m2"), tree.company)
    assert Target.objects.filter(round=big).count() > Target.objects.filter(round=small).count()
    assert _cost(big) == few
