import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bastion.core.periods import Period
from bastion.problems.selectors_bulletin import (
    Counts,
    UnitRow,
    bulletin_data,
    parse_quarter,
    rank_units,
)

from . import bulletin_fixtures
from .bulletin_fixtures import QUARTER, d, make_problem

crafted = bulletin_fixtures.crafted  # the fixture
pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 1, 15)


def by_org(data):
    return {u.org.pk: u for u in data.units}


def test_parse_quarter():
    q = parse_quarter(" 2026q3 ")
    assert (q.label, q.start, q.end, q.title) == (
        "2026Q3",
        dt.date(2026, 7, 1),
        dt.date(2026, 9, 30),
        "2026年第三季度",
    )
    assert parse_quarter("2026Q4").end == dt.date(2026, 12, 31)
    for bad in ("2026Q5", "2026-3", "", "三季度", "1999Q1"):
        with pytest.raises(ValidationError) as exc:
            parse_quarter(bad)
        assert "格式不正确" in str(exc.value.message_dict["quarter"][0])


def test_numbers_per_county(tree, crafted):
    data = bulletin_data(tree.company, parse_quarter(QUARTER), today=TODAY)
    assert data.cutoff == dt.date(2025, 9, 30)
    units = by_org(data)
    a, b, own = units[tree.county_a.pk], units[tree.county_b.pk], units[tree.company.pk]
    assert (a.counts.found, a.counts.carried, a.counts.rectified, a.counts.overdue) == (3, 2, 2, 2)
    assert (b.counts.found, b.counts.carried, b.counts.rectified, b.counts.overdue) == (3, 0, 1, 1)
    assert (own.counts.found, own.counts.rectified, own.counts.overdue) == (1, 0, 1)
    assert own.own and own.name.endswith("（本级）")
    assert str(a.counts.rate) == "40.0" and str(b.counts.rate) == "33.3"
    assert str(own.counts.rate) == "0.0"
    assert [u.org.pk for u in data.ranked] == [tree.county_a.pk, tree.county_b.pk, tree.company.pk]
    assert [u.rank for u in data.ranked] == [1, 2, 3]
    t = data.total
    assert (t.found, t.carried, t.due, t.rectified, t.overdue) == (7, 2, 9, 3, 4)
    assert t.rate_text == "33.3%"


def test_categories(tree, crafted):
    data = bulletin_data(tree.company, parse_quarter(QUARTER), today=TODAY)
    cats = {c.category: c.counts for c in data.categories}
    safety = cats["safety"]
    assert (safety.found, safety.carried, safety.rectified, safety.overdue) == (2, 1, 0, 3)
    assert (cats["integrity"].carried, cats["integrity"].rectified) == (1, 1)
    assert cats["business"].found == 1  # p8; p4 rectified before, p9 found after the quarter
    assert sum(c.found for c in cats.values()) == data.total.found


def test_overdue_items_named(tree, crafted):
    data = bulletin_data(tree.company, parse_quarter(QUARTER), today=TODAY)
    assert data.overdue_total == 4
    first = data.overdue[0]  # the longest overdue first: p3, deadline 06-30
    assert (first.organization, first.description, first.deadline, first.days_overdue) == (
        "A2供电所党支部",
        "现场作业未设安全监护人",
        d(6, 30),
        92,
    )
    names = [(i.description, i.responsible_org) for i in data.overdue]
    assert ("安全工器具未按期检验", "A县公司党委") in names
    assert {i.description for i in data.overdue} >= {"配电房消防器材过期", "党委会议记录不规范"}


def test_county_subtree_and_current_quarter_cutoff(tree, crafted):
    data = bulletin_data(tree.county_a, parse_quarter(QUARTER), today=TODAY)
    assert {u.org.pk for u in data.units} == {tree.station_a1.pk, tree.station_a2.pk}
    a1 = by_org(data)[tree.station_a1.pk]
    assert (a1.counts.found, a1.counts.rectified, a1.counts.overdue) == (3, 1, 1)  # group_a1 in
    # in the middle of the quarter the cut-off is today: p2 (deadline 08-31) not yet overdue
    early = bulletin_data(tree.county_a, parse_quarter(QUARTER), today=d(8, 15))
    assert early.cutoff == d(8, 15)
    assert by_org(early)[tree.station_a1.pk].counts.overdue == 0
    assert early.total.overdue == 1  # p3 only


def test_ranking_ties_by_fewer_overdue(tree):
    rows = [
        UnitRow(org=tree.station_a1, own=False, counts=Counts(found=4, rectified=2, overdue=2)),
        UnitRow(org=tree.station_a2, own=False, counts=Counts(found=2, rectified=1, overdue=0)),
        UnitRow(org=tree.station_b1, own=False, counts=Counts(found=1, rectified=1, overdue=0)),
        UnitRow(org=tree.county_b, own=False, counts=Counts()),
    ]
    rank_units(rows)
    assert [r.rank for r in rows] == [3, 2, 1, None]
    same = [
        UnitRow(org=tree.station_a1, own=False, counts=Counts(found=2, rectified=1)),
        UnitRow(org=tree.station_a2, own=False, counts=Counts(found=2, rectified=1)),
    ]
    rank_units(same)
    assert [r.rank for r in same] == [1, 1]


def test_queries_constant_with_rows(tree, crafted):
    quarter = parse_quarter(QUARTER)
    with CaptureQueriesContext(connection) as small:
        bulletin_data(tree.company, quarter, today=TODAY)
    for i in range(40):
        org = (tree.station_a1, tree.station_a2, tree.station_b1, tree.group_a1)[i % 4]
        make_problem(org, "safety", d(7, 1 + i % 28), d(8, 1 + i % 28), "in_progress")
    with CaptureQueriesContext(connection) as large:
        data = bulletin_data(tree.company, quarter, today=TODAY)
    assert data.total.found == 47 and data.overdue_total == 44
    assert len(small) == len(large) == 4  # three for the numbers, one for the inspections


def test_a_quarter_reads_in_chinese():
    assert Period.quarter(2026, 1).title == "2026年第一季度"
