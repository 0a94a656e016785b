"""The board (生命树): red alarms, this week, this month, done; links; silent branches; widget."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import RequestFactory
from django.urls import reverse

from bastion.agenda import selectors_board
from bastion.agenda.models import DuesPayment, Meeting, Obligation
from bastion.agenda.services.obligations import generate_year
from bastion.agenda.widgets import board_summary
from bastion.core.thresholds import Threshold
from bastion.orgs.middleware import SESSION_KEY

from .board_helpers import TODAY, YEAR, fulfil, obligation, today_fixture, year_fixture  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("month_end_calendar")]


def board(client, user, org=None):
    client.force_login(user)
    url = reverse("agenda:board") + (f"?org={org.pk}" if org else "")
    response = client.get(url)
    assert response.status_code == 200
    return response


def labels(items):
    return [(o.organization.code, o.kind, o.period_label) for o in items]


def test_a_branch_board_sorts_alarms_week_month_and_done(client, personas, tree, year):
    fulfil(tree.station_a1, "committee", "2025-03", dt.date(2025, 3, 20))
    fulfil(tree.station_a1, "theme_day", "2025-05", dt.date(2025, 6, 3))  # late, this month
    fulfil(tree.station_a1, "committee", "2025-06", dt.date(2025, 6, 10))  # on time
    dues = obligation(tree.station_a1, "dues", "2025-06")
    dues.due_on, dues.yellow_from, dues.green_from = (
        dt.date(2025, 6, 27),
        dt.date(2025, 6, 22),
        dt.date(2025, 6, 17),
    )
    dues.save()
    items = board(client, personas.secretary_a, tree.station_a1).context["items"]

    # Jan-May of committee, theme day, dues and party group; Q1 assembly and lecture; less two
    assert len(items.red) == 5 * 4 + 2 - 2
    assert [o.due_on for o in items.red] == sorted(o.due_on for o in items.red)
    assert items.red[0].due_on == dt.date(2025, 1, 31)
    assert {o.colour for o in items.red} == {"red"}
    assert ("C-A-1-G1", "group", "2025-01") in labels(items.red)  # the branch's party group

    assert labels(items.week) == [("C-A-1", "dues", "2025-06")]
    assert items.week[0].colour == "yellow"
    assert sorted(labels(items.month)) == sorted(
        [
            ("C-A-1", "branch_assembly", "2025Q2"),
            ("C-A-1", "lecture", "2025Q2"),
            ("C-A-1", "theme_day", "2025-06"),
            ("C-A-1-G1", "group", "2025-06"),
        ]
    )
    assert {o.colour for o in items.month} <= {"yellow", "green"}

    assert labels(items.done) == [
        ("C-A-1", "committee", "2025-06"),
        ("C-A-1", "theme_day", "2025-05"),
    ]
    assert [o.colour for o in items.done] == ["done", "late"]


def test_open_items_link_to_the_action_that_fulfils_them(client, personas, tree, year):
    items = board(client, personas.secretary_a, tree.station_a1).context["items"]
    committee = next(o for o in items.red if o.kind == "committee")
    assert committee.link_is_action
    assert committee.link_url == (
        reverse("agenda:meeting_create")
        + f"?org={tree.station_a1.pk}&kind=committee&obligation={committee.pk}"
    )
    dues = next(o for o in items.red if o.kind == "dues")
    assert dues.link_url == reverse("agenda:dues_ledger") + f"?org={tree.station_a1.pk}&year=2025"
    group = next(o for o in items.red if o.kind == "group")
    assert f"org={tree.group_a1.pk}&kind=group" in group.link_url


def test_done_items_link_to_their_record(client, personas, tree, year):
    meeting = Meeting.objects.create(
        organization=tree.station_a1,
        kind="committee",
        topic="六月支委会",
        held_on=dt.date(2025, 6, 10),
    )
    item = fulfil(tree.station_a1, "committee", "2025-06", meeting.held_on)
    item.meeting = meeting
    item.save()
    done = board(client, personas.member, tree.station_a1).context["items"].done
    assert done[0].link_url == reverse("agenda:meeting_detail", args=[meeting.pk])
    assert not done[0].link_is_action


def test_an_election_due_links_to_recording_it(client, personas, tree, year):
    tree.station_a1.term_started_on = dt.date(2022, 7, 1)
    tree.station_a1.term_ends_on = dt.date(2025, 6, 30)
    tree.station_a1.save()
    generate_year(YEAR)
    month = board(client, personas.secretary_a, tree.station_a1).context["items"].month
    election = next(o for o in month if o.kind == "election")
    assert election.link_url == reverse("agenda:election_create", args=[tree.station_a1.pk])


def test_a_member_gets_no_action_links(client, personas, tree, year):
    response = board(client, personas.member, tree.station_a1)
    items = response.context["items"]
    assert items.red and not any(o.link_url for o in items.red)
    assert 'data-testid="item-action"' not in response.content.decode()


def test_the_county_board_lists_its_branches_with_alarms_and_silence(
    client, personas, tree, people, year
):
    fulfil(tree.station_a1, "committee", "2025-03", dt.date(2025, 3, 20))
    Meeting.objects.create(
        organization=tree.station_a1,
        kind="committee",
        topic="近期支委会",
        held_on=TODAY - dt.timedelta(days=10),
    )
    response = board(client, personas.county, tree.county_a)
    rows = {s.org.pk: s for s in response.context["branches"]}
    assert set(rows) == {tree.station_a1.pk, tree.station_a2.pk}
    a1, a2 = rows[tree.station_a1.pk], rows[tree.station_a2.pk]
    assert (a1.red, a1.yellow) == (22 - 1, 6)  # the party group's items count for its branch
    assert (a2.red, a2.yellow) == (17, 5)
    assert not a1.inactive and a2.inactive
    assert a1.last_activity == TODAY - dt.timedelta(days=10)
    assert list(response.context["branches"])[0].org == tree.station_a1  # most alarms first
    html = response.content.decode()
    assert html.count('data-testid="silent-badge"') == 1
    assert reverse("agenda:annual_map") + f"?org={tree.station_a2.pk}&amp;year=2025" in html


@pytest.mark.parametrize("days,silent", [(29, False), (30, True), (31, True)])
@pytest.mark.parametrize("record", ["meeting", "group_meeting", "dues"])
def test_a_branch_is_silent_after_30_days_without_a_record(
    client, personas, tree, people, year, days, silent, record
):
    on = TODAY - dt.timedelta(days=days)
    if record == "dues":
        DuesPayment.objects.create(
            person=people.zhang_san,
            organization=tree.station_a1,
            month=dt.date(2025, 5, 1),
            amount=Decimal("10"),
            paid_on=on,
        )
    else:
        org = tree.group_a1 if record == "group_meeting" else tree.station_a1
        kind = "group" if record == "group_meeting" else "committee"
        Meeting.objects.create(organization=org, kind=kind, topic="会议", held_on=on)
    rows = {s.org.pk: s for s in board(client, personas.county, tree.county_a).context["branches"]}
    assert rows[tree.station_a1.pk].inactive is silent
    own = board(client, personas.secretary_a, tree.station_a1)
    assert own.context["status"].inactive is silent
    assert ('data-testid="silent-alert"' in own.content.decode()) is silent


def test_the_silence_threshold_is_read_from_one_place(client, personas, tree, year, monkeypatch):
    Meeting.objects.create(
        organization=tree.station_a1,
        kind="committee",
        topic="会议",
        held_on=TODAY - dt.timedelta(days=12),
    )
    rows = {s.org.pk: s for s in board(client, personas.county, tree.county_a).context["branches"]}
    assert not rows[tree.station_a1.pk].inactive
    monkeypatch.setattr(selectors_board, "inactive_after_days", lambda: 10)
    rows = {s.org.pk: s for s in board(client, personas.county, tree.county_a).context["branches"]}
    assert rows[tree.station_a1.pk].inactive


def test_a_dissolved_branch_leaves_the_county_board(client, personas, tree, year):
    tree.station_a2.is_active = False
    tree.station_a2.save()
    response = board(client, personas.county, tree.county_a)
    assert [s.org for s in response.context["branches"]] == [tree.station_a1]


def test_without_org_the_board_shows_the_switcher_org_or_the_scope_top(
    client, personas, tree, year
):
    assert board(client, personas.member).context["node"] == tree.station_a1
    assert board(client, personas.county).context["node"] == tree.county_a
    client.force_login(personas.company)
    session = client.session
    session[SESSION_KEY] = tree.county_b.pk
    session.save()
    assert client.get(reverse("agenda:board")).context["node"] == tree.county_b


def test_an_outsider_gets_an_empty_board(client, personas, tree, year):
    response = board(client, personas.outsider)
    assert response.context["node"] is None
    html = response.content.decode()
    assert 'data-testid="board-empty"' in html
    assert "A1供电所党支部" not in html


def test_the_picker_offers_only_organizations_in_scope(client, personas, tree, year):
    choices = board(client, personas.secretary_b).context["choices"]
    assert tree.station_b1 in choices
    assert not {tree.company, tree.county_a, tree.station_a1} & set(choices)


def test_a_bad_org_parameter_is_404_not_500(client, personas, tree, year):
    client.force_login(personas.company)
    assert client.get(reverse("agenda:board") + "?org=abc").status_code == 404
    assert client.get(reverse("agenda:board") + "?org=999999").status_code == 404


# --- the home widget ----------------------------------------------------------------------------


def widget(user, org):
    request = RequestFactory().get("/")
    request.user, request.current_org = user, org
    return board_summary(request)


def test_the_widget_counts_alarms_and_lists_this_months_items(personas, tree, year):
    fulfil(tree.station_a1, "committee", "2025-06", dt.date(2025, 6, 10))
    html = widget(personas.secretary_a, tree.station_a1)
    assert 'data-testid="widget-red">22<' in html
    assert 'data-testid="widget-yellow">5<' in html  # six due on 30 June, one done
    assert 'data-testid="widget-month">5<' in html
    assert 'data-testid="widget-done">1<' in html
    assert html.count('data-testid="widget-item"') == 5
    assert reverse("agenda:board") in html


def test_the_widget_is_absent_for_who_sees_no_obligation(personas, tree, year):
    assert widget(personas.outsider, None) is None
    assert widget(personas.secretary_b, tree.station_a1) is None  # not theirs
    assert Obligation.objects.exists()


def test_later_items_already_in_their_window_are_announced_ahead(client, personas, tree, year):
    tree.station_a1.term_started_on = dt.date(2022, 10, 20)  # three years: ends 19 Oct 2025
    tree.station_a1.save()
    generate_year(YEAR, organization_ids=[tree.station_a1.pk])
    items = board(client, personas.secretary_a, tree.station_a1).context["items"]
    assert labels(items.ahead) == [("C-A-1", "election", "2022-2025届")]
    assert items.ahead[0].colour == "yellow"  # six months before expiry: the reminder
    assert "board-ahead" in board(client, personas.secretary_a, tree.station_a1).content.decode()


def test_the_silence_threshold_is_data(client, personas, tree, year):
    Meeting.objects.create(
        organization=tree.station_a1,
        kind="committee",
        topic="会议",
        held_on=TODAY - dt.timedelta(days=12),
    )
    Threshold.objects.create(code="inactive_days", value=10, effective_from=dt.date(2025, 6, 1))
    rows = {s.org.pk: s for s in board(client, personas.county, tree.county_a).context["branches"]}
    assert rows[tree.station_a1.pk].inactive


def test_a_returned_record_is_fixed_not_recorded_again(client, personas, tree, year):
    item = obligation(tree.station_a1, "committee", "2025-02")
    meeting = Meeting.objects.create(
        organization=tree.station_a1,
        kind="committee",
        topic="支委会",
        held_on=dt.date(2025, 2, 20),
        status="returned",
    )
    item.meeting = meeting
    item.save()
    items = board(client, personas.secretary_a, tree.station_a1).context["items"]
    red = next(o for o in items.red if o.pk == item.pk)
    assert red.link_url == reverse("agenda:meeting_edit", args=[meeting.pk])
    page = board(client, personas.secretary_a, tree.station_a1).content.decode()
    assert "修改并重新提交" in page
