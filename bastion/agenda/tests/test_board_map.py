"""The annual map (一图): items × months, colours at a fixed day, links, summaries, edges."""

import datetime as dt

import pytest
from django.urls import reverse

from bastion.agenda.models import CalendarRule, Meeting
from bastion.agenda.selectors_board import Links, annual_map
from bastion.agenda.services.obligations import generate_year
from bastion.orgs.tests.factories import make_org

from .board_helpers import TODAY, YEAR, fulfil, obligation, today_fixture, year_fixture  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("month_end_calendar")]

BRANCH_ROWS = [
    "branch-assembly",
    "committee",
    "lecture",
    "theme-day",
    "annual-review",
    "member-appraisal",
    "dues",
    "election",
]


def the_map(client, user, org, query=""):
    client.force_login(user)
    response = client.get(reverse("agenda:annual_map") + f"?org={org.pk}&year={YEAR}{query}")
    assert response.status_code == 200
    return response


def row(amap, code):
    return next(r for r in amap.rows if r.code == code)


def cell(amap, code, month):
    return row(amap, code).months[month - 1]


def test_rows_are_the_items_in_force_and_columns_the_months(client, personas, tree, year):
    amap = the_map(client, personas.secretary_a, tree.station_a1).context["map"]
    assert [r.code for r in amap.rows] == BRANCH_ROWS
    assert [len(m) for m in row(amap, "committee").months] == [1] * 12
    assert [len(m) for m in row(amap, "branch-assembly").months] == [0, 0, 1] * 4
    assert [len(m) for m in row(amap, "annual-review").months] == [0] * 11 + [1]
    assert row(amap, "election").expected == 0  # no term recorded: nothing due this year
    assert (amap.done, amap.expected) == (0, 46)


def test_each_cell_has_the_colour_of_its_day(personas, tree, year):
    fulfil(tree.station_a1, "committee", "2025-03", dt.date(2025, 3, 20))
    fulfil(tree.station_a1, "theme_day", "2025-04", dt.date(2025, 5, 2))
    links = Links(personas.secretary_a)

    def colours(today):
        amap = annual_map(tree.station_a1, YEAR, today, personas.secretary_a, links)
        return {m: cell(amap, "committee", m)[0].colour for m in range(1, 13)}, amap

    by_month, amap = colours(dt.date(2025, 6, 22))
    assert by_month[2] == "red"
    assert by_month[3] == "done"
    assert by_month[6] == "green"  # green from 20 June, yellow from 25 June
    assert by_month[7] == "upcoming"
    assert cell(amap, "theme-day", 4)[0].colour == "late"
    assert colours(TODAY)[0][6] == "yellow"
    assert colours(dt.date(2025, 7, 1))[0][6] == "red"
    assert (row(amap, "committee").done, row(amap, "committee").expected) == (1, 12)
    assert (row(amap, "theme-day").done, row(amap, "theme-day").expected) == (1, 12)


def test_cells_open_the_record_or_the_action(client, personas, tree, year):
    meeting = Meeting.objects.create(
        organization=tree.station_a1,
        kind="committee",
        topic="三月支委会",
        held_on=dt.date(2025, 3, 20),
    )
    item = fulfil(tree.station_a1, "committee", "2025-03", meeting.held_on)
    item.meeting = meeting
    item.save()
    response = the_map(client, personas.secretary_a, tree.station_a1)
    amap = response.context["map"]
    assert cell(amap, "committee", 3)[0].link_url == reverse(
        "agenda:meeting_detail", args=[meeting.pk]
    )
    april = cell(amap, "committee", 4)[0]
    assert april.link_is_action
    assert april.link_url.startswith(
        reverse("agenda:meeting_create") + f"?org={tree.station_a1.pk}"
    )
    html = response.content.decode()
    assert f'href="{reverse("agenda:meeting_detail", args=[meeting.pk])}"' in html
    for level in ("绿色通知", "黄色提醒", "红色告警", "按时完成", "逾期完成", "未到期"):
        assert level in html  # the legend


def test_an_election_falling_due_in_the_year_shows_in_its_month(client, personas, tree, year):
    tree.station_a1.term_started_on = dt.date(2022, 9, 1)
    tree.station_a1.term_ends_on = dt.date(2025, 8, 31)
    tree.station_a2.term_started_on = dt.date(2024, 9, 1)  # due in 2027: not on the 2025 map
    tree.station_a1.save()
    tree.station_a2.save()
    generate_year(YEAR)
    amap = the_map(client, personas.county, tree.station_a1).context["map"]
    assert [len(m) for m in row(amap, "election").months] == [0] * 7 + [1] + [0] * 4
    record = reverse("agenda:election_create", args=[tree.station_a1.pk])
    assert cell(amap, "election", 8)[0].link_url == record
    other = the_map(client, personas.county, tree.station_a2).context["map"]
    assert row(other, "election").expected == 0


def test_a_party_group_map_has_its_own_items(client, personas, tree, year):
    amap = the_map(client, personas.member, tree.group_a1).context["map"]
    assert [r.code for r in amap.rows] == ["group-meeting"]
    assert amap.expected == 12


def test_a_retired_item_keeps_its_past_cells(client, personas, tree, year):
    rule = CalendarRule.objects.get(code="theme-day")
    rule.pk = None
    rule.effective_from, rule.is_active = dt.date(2025, 7, 1), False
    rule.save()
    generate_year(YEAR, prune_from=dt.date(2025, 7, 1))
    amap = the_map(client, personas.secretary_a, tree.station_a1).context["map"]
    theme = row(amap, "theme-day")
    assert amap.rows[-1] is theme  # no longer in force: after the items that are
    assert [len(m) for m in theme.months] == [1] * 6 + [0] * 6


def test_an_organization_created_mid_year_gets_its_map(client, personas, tree, year):
    station = make_org(tree.county_b, name="B2供电所党支部", code="C-B-2")
    result = generate_year(YEAR)
    assert result.created == 46
    amap = the_map(client, personas.company, station).context["map"]
    assert amap.expected == 46


@pytest.mark.parametrize("value,message", [("abc", "四位数字"), ("1800", "不能早于")])
def test_a_bad_year_is_explained_and_the_current_year_shown(
    client, personas, tree, year, value, message
):
    client.force_login(personas.secretary_a)
    url = reverse("agenda:annual_map") + f"?org={tree.station_a1.pk}&year={value}"
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["year"] == TODAY.year
    assert message in response.content.decode()


def test_year_navigation_links(client, personas, tree, year):
    response = the_map(client, personas.secretary_a, tree.station_a1)
    assert response.context["prev_url"].endswith(f"org={tree.station_a1.pk}&year=2024")
    assert response.context["next_url"].endswith(f"org={tree.station_a1.pk}&year=2026")
    assert obligation(tree.station_a1, "committee", "2025-01").alert(TODAY) == "red"
