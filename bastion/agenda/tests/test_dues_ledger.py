"""The ledger's statuses and the six-month alarm: pure date rules, then a branch's ledger."""

import datetime as dt
from decimal import Decimal

import pytest

from bastion.agenda.dues_arrears import unpaid_runs
from bastion.agenda.models import DuesPayment, DuesProfile
from bastion.agenda.selectors_dues import (
    AHEAD,
    DUE,
    LATE,
    NONE,
    NOT_YET,
    PAID,
    UNPAID,
    add_months,
    build_ledger,
    classify,
    ledger_people,
    missed_months_alarm_threshold,
    months_to_date,
    reference_month,
)
from bastion.agenda.services import dues as services
from bastion.core.thresholds import Threshold
from bastion.orgs.models import Person
from bastion.orgs.tests.factories import PersonFactory

MARCH = dt.date(2025, 3, 1)
D = dt.date


@pytest.mark.parametrize(
    "paid_on,today,status",
    [
        (D(2025, 3, 1), D(2025, 6, 1), PAID),
        (D(2025, 3, 31), D(2025, 6, 1), PAID),
        (D(2025, 2, 28), D(2025, 6, 1), AHEAD),
        (D(2024, 12, 20), D(2025, 6, 1), AHEAD),
        (D(2025, 4, 1), D(2025, 6, 1), LATE),
        (None, D(2025, 4, 1), UNPAID),
        (None, D(2025, 3, 31), DUE),
        (None, D(2025, 3, 1), DUE),
        (None, D(2025, 2, 28), NOT_YET),
        (D(2025, 2, 10), D(2025, 2, 28), AHEAD),  # paid ahead for a month not yet begun
    ],
)
def test_classify(paid_on, today, status):
    assert classify(MARCH, paid_on, today) == status


def test_month_arithmetic():
    assert add_months(D(2025, 1, 1), -1) == D(2024, 12, 1)
    assert add_months(D(2025, 11, 1), 3) == D(2026, 2, 1)
    assert reference_month(2025, D(2025, 7, 15)) == D(2025, 6, 1)
    assert reference_month(2024, D(2025, 7, 15)) == D(2024, 12, 1)
    assert reference_month(2025, D(2025, 1, 3)) == D(2024, 12, 1)
    assert [months_to_date(2025, D(y, 5, 2)) for y in (2024, 2025, 2026)] == [0, 5, 12]


def months(*numbers, year=2025):
    return {D(year, n, 1) for n in numbers}


@pytest.mark.parametrize(
    "paid,owed_from,expected",
    [
        (months(), D(2025, 1, 1), (6, 6)),
        (months(1), D(2025, 1, 1), (5, 5)),  # Feb-Jun missed: five
        (months(4), D(2025, 1, 1), (3, 5)),  # Jan-Mar, then May-Jun: the longer run counts
        (months(6), D(2025, 1, 1), (5, 5)),  # paying the latest month leaves Jan-May unpaid
        (months(), D(2025, 3, 15), (4, 4)),  # Mar-Jun: months before owing do not count
        (months(), D(2025, 6, 30), (1, 1)),
        (months(), D(2025, 7, 1), (0, 0)),
    ],
)
def test_unpaid_runs(paid, owed_from, expected):
    assert unpaid_runs(paid, owed_from, D(2025, 6, 1)) == expected


def test_runs_cross_the_new_year():
    assert unpaid_runs(months(9, year=2024), D(2024, 9, 1), D(2025, 2, 1)) == (5, 5)
    assert unpaid_runs(months(8, year=2024), D(2024, 8, 1), D(2025, 2, 1)) == (6, 6)


# --- the threshold is data --------------------------------------------------------------------


@pytest.mark.django_db
def test_threshold_is_data_with_an_effective_date():
    assert missed_months_alarm_threshold(D(2025, 6, 1)) == 6
    Threshold.objects.create(code="dues_missed_months", value=4, effective_from=D(2025, 7, 1))
    assert missed_months_alarm_threshold(D(2025, 6, 30)) == 6
    assert missed_months_alarm_threshold(D(2025, 7, 1)) == 4


def test_a_lower_threshold_raises_the_alarm_sooner(tree, people):
    Threshold.objects.create(code="dues_missed_months", value=3, effective_from=D(2025, 1, 1))
    pay(people.zhang_san, 1)
    ledger = ledger_for(tree, D(2025, 5, 10))  # Feb-Apr missed
    assert ledger.threshold == 3 and row_of(ledger, people.zhang_san).alarm


# --- a branch's ledger ------------------------------------------------------------------------


def pay(person, *month_numbers, paid_on=None, year=2025, actor=None):
    for number in month_numbers:
        month = D(year, number, 1)
        DuesPayment.objects.create(
            person=person,
            organization=person.organization,
            month=month,
            amount=Decimal("40.00"),
            paid_on=paid_on or month.replace(day=10),
        )


def ledger_for(tree, today, year=2025):
    return build_ledger(
        branch=tree.station_a1,
        year=year,
        people=ledger_people(tree.station_a1, year, Person.objects.all()),
        profiles=DuesProfile.objects.all(),
        payments=DuesPayment.objects.all(),
        today=today,
    )


def row_of(ledger, person):
    return next(r for r in ledger.rows if r.person.pk == person.pk)


def test_five_missed_months_raise_no_alarm_six_do(tree, people):
    zhang = people.zhang_san
    pay(zhang, 1)  # then Feb..Jun unpaid
    assert not row_of(ledger_for(tree, D(2025, 7, 10)), zhang).alarm  # Feb-Jun: 5
    row = row_of(ledger_for(tree, D(2025, 8, 10)), zhang)  # Feb-Jul: 6
    assert row.alarm and row.missed == 6


def test_a_payment_in_between_resets_the_alarm(tree, people):
    zhang = people.zhang_san
    pay(zhang, 1, 4)
    row = row_of(ledger_for(tree, D(2025, 8, 10)), zhang)
    assert not row.alarm and row.missed == 3


def test_a_late_payment_clears_the_alarm(tree, people):
    zhang = people.zhang_san
    pay(zhang, 1)
    assert row_of(ledger_for(tree, D(2025, 8, 10)), zhang).alarm
    pay(zhang, 5, paid_on=D(2025, 8, 9))
    row = row_of(ledger_for(tree, D(2025, 8, 10)), zhang)
    assert not row.alarm and row.cells[4].status == LATE


def test_quarterly_payment_in_advance_shows_ahead(tree, people, personas):
    zhang = people.zhang_san
    today = D(2025, 3, 20)
    payments = services.payment_record_quarter(
        actor=personas.secretary_a,
        person=zhang,
        year=2025,
        quarter=2,
        amount="40",
        paid_on=today,
    )
    assert [p.month for p in payments] == [D(2025, 4, 1), D(2025, 5, 1), D(2025, 6, 1)]
    assert len({p.paid_on for p in payments}) == 1
    row = row_of(ledger_for(tree, today), zhang)
    assert [c.status for c in row.cells[:7]] == [UNPAID, UNPAID, DUE, AHEAD, AHEAD, AHEAD, NOT_YET]
    assert row.paid_total == Decimal("120.00")


def test_ledger_totals_and_roster(tree, people):
    zhang, wang = people.zhang_san, people.wang_wu
    in_group = PersonFactory(
        name="组员",
        organization=tree.group_a1,
        membership_status="probationary",
        admitted_on=D(2025, 4, 15),
    )
    for person in (zhang, in_group):
        DuesProfile.objects.create(
            person=person, year=2025, category="employed", base=4000, monthly_amount=40
        )
    pay(zhang, 1, 2, 3)
    pay(in_group, 4)
    ledger = ledger_for(tree, D(2025, 5, 20))
    names = [r.person.name for r in ledger.rows]
    assert "组员" in names and "李四" not in names and wang.name not in names
    group_row = row_of(ledger, in_group)
    assert [c.status for c in group_row.cells[:5]] == [NONE, NONE, NONE, PAID, DUE]
    assert group_row.expected_total == Decimal("80.00")  # April and May
    assert ledger.expected[:5] == [Decimal(x) for x in ("40", "40", "40", "80", "80")]
    assert ledger.collected[:5] == [Decimal(x) for x in ("40", "40", "40", "40", "0")]
    assert ledger.expected_total == Decimal("280.00")
    assert row_of(ledger, zhang).unpaid_months == 1  # April; May is still due


def test_a_member_who_moved_away_stays_on_the_old_ledger(tree, people):
    zhang = people.zhang_san
    pay(zhang, 1, 2)
    zhang.organization = tree.station_a2
    zhang.save()
    row = row_of(ledger_for(tree, D(2025, 5, 20)), zhang)
    assert not row.on_roster and not row.alarm
    assert [c.status for c in row.cells[:4]] == [PAID, PAID, NONE, NONE]


def test_ledger_reads_are_constant(tree, people, django_assert_num_queries):
    def measure():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            ledger_for(tree, D(2025, 8, 10))
        return len(ctx.captured_queries)

    small = measure()
    for i in range(15):
        person = PersonFactory(
            organization=tree.station_a1 if i % 2 else tree.group_a1,
            membership_status="full",
            admitted_on=D(2010, 1, 1),
            confirmed_on=D(2011, 1, 1),
        )
        pay(person, 1, 2, 3)
        DuesProfile.objects.create(
            person=person, year=2025, category="fixed", monthly_amount=Decimal("0.20")
        )
    assert measure() == small


def test_members_in_alarm_agrees_with_the_ledger(tree, people, django_assert_num_queries):
    from bastion.agenda.selectors_dues import members_in_alarm

    late_joiner = PersonFactory(
        organization=tree.station_a1, membership_status="probationary", admitted_on=D(2025, 3, 2)
    )
    pay(people.zhang_san, 1)
    pay(people.wang_wu, 4)
    today = D(2025, 8, 10)  # window Feb-Jul
    ledger = ledger_for(tree, today)
    assert [r.person for r in ledger.rows if r.alarm] == [people.zhang_san]
    assert not row_of(ledger, late_joiner).alarm  # admitted in March: only five months owed
    missed_months_alarm_threshold(today)
    with django_assert_num_queries(2):  # the threshold, then the members
        found = set(members_in_alarm(Person.objects.all(), today))
    assert found == {people.zhang_san, people.zhao_liu}  # 赵六 at B1 never paid
