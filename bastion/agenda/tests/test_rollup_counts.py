"""Roll-ups (统计汇总): counts by child subtree × item × colour, periods, drill-down, export."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from bastion.agenda.selectors_rollup import rollup
from bastion.core.periods import Period

from .board_helpers import TODAY, YEAR, fulfil, today_fixture, year_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def march(tree, year):
    """March 2025 across two counties, judged on 25 June:
    A1 committee done on time, A2 theme day done late, B1 dues done on time, the rest red."""
    fulfil(tree.station_a1, "committee", "2025-03", dt.date(2025, 3, 20))
    fulfil(tree.station_a2, "theme_day", "2025-03", dt.date(2025, 4, 2))
    fulfil(tree.station_b1, "dues", "2025-03", dt.date(2025, 3, 31))
    return Period.month(YEAR, 3)


def by_org(result):
    return {row.org.pk: row for row in result.rows}


def test_a_month_across_two_counties_by_hand(personas, tree, march):
    result = rollup(tree.company, march, TODAY, personas.company)
    rows = by_org(result)
    assert list(rows) == [tree.county_a.pk, tree.county_b.pk]
    a, b = rows[tree.county_a.pk], rows[tree.county_b.pk]
    # each branch owes 5 in March (committee, theme day, dues monthly; assembly, lecture at the
    # quarter's end); the party group of A1 owes its monthly meeting
    assert (a.total.expected, a.total.actual) == (11, 2)
    assert a.total.levels == {
        "red": 9,
        "yellow": 0,
        "green": 0,
        "upcoming": 0,
        "late": 1,
        "done": 1,
    }
    assert (b.total.expected, b.total.actual) == (5, 1)
    assert b.total.levels["red"] == 4 and b.total.levels["done"] == 1
    cells = {kind: (c.actual, c.expected) for kind, c in a.cells.items()}
    assert cells == {
        "committee": (1, 2),
        "theme_day": (1, 2),
        "dues": (0, 2),
        "branch_assembly": (0, 2),
        "lecture": (0, 2),
        "group": (0, 1),
    }
    assert a.cells["theme_day"].levels["late"] == 1
    assert (result.totals.total.expected, result.totals.total.actual) == (16, 3)
    assert result.totals.total.rate == 18.8
    assert [k for k, _ in result.kinds] == [
        "branch_assembly",
        "committee",
        "group",
        "lecture",
        "theme_day",
        "dues",
    ]


@pytest.mark.parametrize(
    "period,expected",
    [
        (Period.quarter(YEAR, 1), 3 * 11 + 3),  # 3 months × (3 monthly) + 2 quarterly
        (Period.quarter(YEAR, 2), 3 * 11 + 3),
        (Period.month(YEAR, 2), 3 * 3 + 1),
        (Period.whole_year(YEAR), 3 * 46 + 12),
        (Period.whole_year(YEAR + 1), 0),
    ],
)
def test_expected_is_what_falls_due_in_the_period(personas, tree, year, period, expected):
    assert rollup(tree.company, period, TODAY, personas.company).totals.total.expected == expected


def test_a_branch_rolls_up_its_own_items_and_its_groups(personas, tree, march):
    result = rollup(tree.station_a1, march, TODAY, personas.secretary_a)
    own, group = result.rows
    assert own.own and own.org == tree.station_a1 and own.total.expected == 5
    assert group.org == tree.group_a1 and group.total.expected == 1
    assert own.is_leaf and group.is_leaf


def test_a_dissolved_branch_is_not_counted(personas, tree, march):
    tree.station_a2.is_active = False
    tree.station_a2.save()
    result = rollup(tree.county_a, march, TODAY, personas.county)
    assert [row.org for row in result.rows] == [tree.station_a1]
    assert result.totals.total.expected == 6


def test_an_organization_added_mid_year_is_counted_once_generated(personas, tree, march):
    from bastion.agenda.services.obligations import generate_year
    from bastion.orgs.tests.factories import make_org

    make_org(tree.county_b, name="B2供电所党支部", code="C-B-2")
    generate_year(YEAR)
    result = rollup(tree.county_b, march, TODAY, personas.company)
    assert [row.total.expected for row in result.rows] == [5, 5]


# --- the page ---------------------------------------------------------------------------------


def page(client, user, org, query="&period=month&year=2025&m=3"):
    client.force_login(user)
    response = client.get(reverse("agenda:rollup") + f"?org={org.pk}{query}")
    assert response.status_code == 200
    return response


def test_rows_drill_down_to_the_child_then_to_the_branch_map(client, personas, tree, march):
    response = page(client, personas.company, tree.company)
    rows = by_org(response.context["result"])
    assert rows[tree.county_a.pk].drill_url == (
        reverse("agenda:rollup") + f"?org={tree.county_a.pk}&period=month&year=2025&m=3"
    )
    response = page(client, personas.company, tree.county_a)
    rows = by_org(response.context["result"])
    assert rows[tree.station_a1.pk].drill_url == (
        reverse("agenda:annual_map") + f"?org={tree.station_a1.pk}&year=2025"
    )
    html = response.content.decode()
    assert 'data-testid="rollup-chart"' in html and "vendor/echarts/echarts.min.js" in html
    crumbs = [c["org"] for c in response.context["crumbs"]]
    assert crumbs == [tree.company, tree.county_a]


def test_the_county_sees_no_crumb_above_its_scope(client, personas, tree, march):
    response = page(client, personas.county, tree.station_a1)
    assert [c["org"] for c in response.context["crumbs"]] == [tree.county_a, tree.station_a1]


def test_the_table_shows_the_counts(client, personas, tree, march):
    html = page(client, personas.company, tree.company).content.decode()
    assert 'data-testid="row-total">2/11<' in html
    assert 'data-testid="row-total">1/5<' in html
    assert 'data-testid="row-total">3/16<' in html


@pytest.mark.parametrize(
    "query,period",
    [
        ("", ("year", TODAY.year, 0)),
        ("&period=quarter&year=2025", ("quarter", 2025, 2)),
        ("&period=quarter&year=2025&q=4", ("quarter", 2025, 4)),
        ("&period=month&year=2024&m=12", ("month", 2024, 12)),
        ("&period=month&m=13", ("month", TODAY.year, 6)),
        ("&period=week", ("year", TODAY.year, 0)),
        ("&year=20x5", ("year", TODAY.year, 0)),
    ],
)
def test_period_parameters_and_their_defaults(client, personas, tree, year, query, period):
    response = page(client, personas.company, tree.company, query)
    got = response.context["period"]
    assert (got.kind, got.year, got.number) == period
    if "13" in query or "week" in query or "x" in query:
        assert 'data-testid="form-errors"' in response.content.decode()


# --- the export -------------------------------------------------------------------------------


def export(client, user, org, query="&period=month&year=2025&m=3"):
    client.force_login(user)
    return client.get(reverse("agenda:rollup_export") + f"?org={org.pk}{query}")


def test_the_export_has_a_line_per_row_and_item_and_the_totals(client, personas, tree, march):
    response = export(client, personas.company, tree.company)
    assert response.status_code == 200
    assert "2025-03" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    lines = [[c.value for c in r] for r in sheet.iter_rows()]
    assert lines[0][:5] == ["组织", "事项", "应办", "已办", "完成率（%）"]
    assert lines[0][5:] == ["红色告警", "黄色提醒", "绿色通知", "未到期", "逾期完成", "按时完成"]
    committee_a = next(r for r in lines if r[0] == "A县公司党委" and r[1] == "支委会")
    assert committee_a[2:5] == [2, 1, 50]
    total_a = next(r for r in lines if r[0] == "A县公司党委" and r[1] == "合计")
    assert total_a[2:] == [11, 2, 18.2, 9, 0, 0, 0, 1, 1]
    assert lines[-1][:4] == ["合计", "合计", 16, 3]


def test_the_export_needs_the_export_permission_inside_the_scope(client, personas, tree, march):
    assert export(client, personas.member, tree.station_a1).status_code == 404
    assert export(client, personas.secretary_a, tree.station_a1).status_code == 200
    assert export(client, personas.secretary_a, tree.county_a).status_code == 404
    assert export(client, personas.county, tree.company).status_code == 404
    assert export(client, personas.outsider, tree.company).status_code == 404
    response = export(client, personas.county, tree.county_a, "&period=week")
    assert response.status_code == 302  # back to the page, which says what is wrong
    assert response["Location"].startswith(reverse("agenda:rollup"))


def test_the_export_of_a_county_holds_only_its_subtree(client, personas, tree, march):
    response = export(client, personas.county, tree.county_a)
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    names = {r[0].value for r in sheet.iter_rows(min_row=2)}
    assert names == {"A1供电所党支部", "A2供电所党支部", "合计"}
