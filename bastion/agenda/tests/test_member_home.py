"""The home page's agenda cards (issue 13): the 红色告警 card lists the red items it counts,
each a link; a member gets no branch alarms but their own dues (我的党费, 我的任务)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import RequestFactory
from django.urls import reverse

from bastion.agenda.models import DuesPayment, DuesProfile, Obligation
from bastion.agenda.selectors_member import longest_run, owed_months, own_dues
from bastion.agenda.widgets import RED_ITEMS, board_summary
from bastion.agenda.widgets_member import my_dues, work_items

from .board_helpers import TODAY, today_fixture, year_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


def request_for(user, org):
    request = RequestFactory().get("/")
    request.user, request.current_org = user, org
    return request


def red_in_a1(tree):
    """The red items of A1's subtree (the branch and its party group), oldest first."""
    return Obligation.objects.filter(
        organization__path__startswith=tree.station_a1.path,
        fulfilled_on__isnull=True,
        due_on__lt=TODAY,
    ).order_by("due_on", "organization__path")


def test_the_red_card_lists_the_red_items_it_counts(personas, tree, year):
    red = red_in_a1(tree).count()
    assert red > RED_ITEMS
    html = board_summary(request_for(personas.secretary_a, tree.station_a1))
    assert f'data-testid="widget-red">{red}<' in html
    assert html.count('data-testid="widget-red-item"') == RED_ITEMS
    assert f"还有 {red - RED_ITEMS} 项红色告警" in html  # the rest behind the link to the board
    # The oldest first, each a link: a secretary is led to record the meeting it asks for.
    first = html.split('data-testid="widget-red-item"')[0].rsplit("<a", 1)[1]
    assert reverse("agenda:meeting_create") in first or reverse("agenda:dues_ledger") in first
    assert f"{red_in_a1(tree).first().due_on:%Y-%m-%d}" in html


def test_every_red_item_is_listed_when_few(personas, tree, year):
    keep = list(red_in_a1(tree).values_list("pk", flat=True)[:2])
    red_in_a1(tree).exclude(pk__in=keep).update(fulfilled_on=TODAY)
    html = board_summary(request_for(personas.secretary_a, tree.station_a1))
    assert 'data-testid="widget-red">2<' in html
    assert html.count('data-testid="widget-red-item"') == 2
    assert 'data-testid="widget-reds-more"' not in html


def test_a_member_gets_no_branch_alarms(personas, tree, year):
    assert board_summary(request_for(personas.member, tree.station_a1)) is None


# --- 我的党费 ---------------------------------------------------------------------------------


def test_owed_months_start_from_the_owed_from_day():
    today = dt.date(2025, 6, 25)
    paid = {dt.date(2025, 2, 1)}
    owed = owed_months(dt.date(2025, 1, 15), paid, today)
    assert owed == [dt.date(2025, m, 1) for m in (1, 3, 4, 5)]  # June has not ended
    assert longest_run(owed) == 3
    assert owed_months(dt.date(2025, 6, 1), set(), today) == []


@pytest.fixture
def dues(people, tree, today):
    member = people.zhang_san
    member.admitted_on = dt.date(2025, 1, 15)  # owes from January, whatever Bastion's start
    member.save()
    DuesProfile.objects.create(
        person=member,
        year=2025,
        category="employed",
        base=Decimal(4000),
        monthly_amount=Decimal("40.00"),
        starts_on=dt.date(2025, 1, 1),
    )
    DuesPayment.objects.create(
        person=member,
        organization=tree.station_a1,
        month=dt.date(2025, 5, 1),
        amount=Decimal("40.00"),
        paid_on=dt.date(2025, 5, 6),
    )
    return member


def test_a_member_sees_what_they_owe_and_their_last_payment(personas, tree, dues):
    found = own_dues(personas.member, TODAY)
    assert found.owed == [dt.date(2025, m, 1) for m in (1, 2, 3, 4)]
    assert found.last_paid_month == dt.date(2025, 5, 1)
    assert found.last_paid_on == dt.date(2025, 5, 6)
    assert not found.this_month_paid
    html = my_dues(request_for(personas.member, tree.station_a1))
    assert 'data-testid="dues-owed">4<' in html
    assert "40.00" in html and "2025-05 月党费，2025-05-06 缴纳" in html
    assert "2025-01、2025-02、2025-03、2025-04" in html
    labels = [item.label for item in work_items(personas.member, TODAY)]
    assert labels == ["补缴党费：欠缴 4 个月", "缴纳 2025-06 党费"]


def test_six_unpaid_months_in_a_row_are_the_red_alarm(personas, people, tree, today):
    DuesProfile.objects.create(
        person=people.zhang_san,
        year=2024,
        category="employed",
        base=Decimal(4000),
        monthly_amount=Decimal("40.00"),
        starts_on=dt.date(2024, 11, 1),
    )
    found = own_dues(personas.member, TODAY)
    assert found.longest_run == 7 and found.in_alarm  # Nov 2024 - May 2025
    assert work_items(personas.member, TODAY)[0].level == "red"


def test_no_dues_card_for_a_non_member_or_an_account_without_person(personas, people, tree):
    people.zhang_san.membership_status = "none"
    people.zhang_san.save()
    assert my_dues(request_for(personas.member, tree.station_a1)) is None
    assert my_dues(request_for(personas.company, tree.company)) is None


def test_the_dues_ledger_link_only_for_who_may_open_it(personas, people, tree, dues):
    html = my_dues(request_for(personas.member, tree.station_a1))
    assert reverse("agenda:dues_ledger") not in html
    people.li_si.user = personas.secretary_a
    people.li_si.membership_status = "full"
    people.li_si.save()
    personas.secretary_a.refresh_from_db()
    html = my_dues(request_for(personas.secretary_a, tree.station_a1))
    assert reverse("agenda:dues_ledger") in html
