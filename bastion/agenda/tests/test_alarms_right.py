"""Alarms that are right (issue 13): dues are owed from the member's dues start in Bastion, any
run of unpaid months raises the alarm and says what is owed, and an edited term replaces its
换届 obligation at once."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Q
from django.utils import timezone

from bastion.agenda.dues_arrears import unpaid_runs, with_arrears
from bastion.agenda.models import DuesPayment, DuesProfile, Obligation
from bastion.agenda.selectors_agenda import alert_q
from bastion.agenda.selectors_dues import (
    NONE,
    UNPAID,
    build_ledger,
    ledger_people,
    members_in_alarm,
    subtree_dues_totals,
)
from bastion.agenda.services import dues as dues_services
from bastion.agenda.services.dues_fulfilment import refresh_dues_obligations
from bastion.agenda.services.obligations import generate_year
from bastion.orgs import services as org_services
from bastion.orgs.models import Person
from bastion.orgs.tests.factories import PersonFactory

from .calendar_helpers import freeze_today
from .conftest import enter_long_ago

pytestmark = pytest.mark.django_db
D = dt.date
OLD_MEMBER = {
    "membership_status": "full",
    "admitted_on": D(2009, 7, 1),
    "confirmed_on": D(2010, 7, 1),
}


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    found, month = [], first
    while month <= last:
        found.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return found


def pay(person, months, branch):
    for month in months:
        DuesPayment.objects.create(
            person=person,
            organization=branch,
            month=month,
            amount=Decimal("10.00"),
            paid_on=month.replace(day=5),
        )


def red_count(org, today) -> int:
    return Obligation.objects.filter(Q(organization=org) & alert_q("red", today)).count()


def ledger(branch, today):
    return build_ledger(
        branch=branch,
        year=today.year,
        people=ledger_people(branch, today.year, Person.objects.all()),
        profiles=DuesProfile.objects.all(),
        payments=DuesPayment.objects.all(),
        today=today,
    )


# --- dues are owed from the dues start, not from 入党日期 -----------------------------------------


def test_a_roster_imported_with_old_admission_dates_brings_no_past_arrears(tree, people, personas):
    """Members entered today owe nothing for the months before: the board's red count and the
    dues alarms stay as they were, and the ledger shows those months as not owed."""
    today = timezone.localdate()  # the members below are entered at the real clock's time
    branch = tree.station_a1
    generate_year(today.year)
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    pay(people.zhang_san, months_between(D(2024, 12, 1), last_month), branch)
    refresh_dues_obligations({(branch.pk, m) for m in months_between(D(today.year, 1, 1), today)})
    red_before = red_count(branch, today)
    alarms_before = set(members_in_alarm(Person.objects.all(), today))

    newcomers = [
        org_services.person_create(
            actor=personas.company,
            data={"name": f"新党员{n}", "organization": branch, **OLD_MEMBER},
        )
        for n in range(4)
    ]
    generate_year(today.year)  # the daily job re-judges the open months
    refresh_dues_obligations({(branch.pk, m) for m in months_between(D(today.year, 1, 1), today)})

    assert red_count(branch, today) == red_before
    assert set(members_in_alarm(Person.objects.all(), today)) == alarms_before
    rows = {row.person.pk: row for row in ledger(branch, today).rows}
    for person in newcomers:
        row = rows[person.pk]
        assert not row.alarm and row.months_owed == 0 and row.unpaid_months == 0
        assert {c.status for c in row.cells[: today.month - 1]} == {NONE}


def test_setting_a_newcomers_dues_this_year_starts_from_the_month_they_were_entered(
    tree, people, personas
):
    today = timezone.localdate()
    newcomer = PersonFactory(organization=tree.station_a1, **OLD_MEMBER)
    profile = dues_services.profile_set(
        actor=personas.secretary_a, person=newcomer, year=today.year, category="employed", base=4000
    )
    assert profile.starts_on == today.replace(day=1)
    row = next(r for r in ledger(tree.station_a1, today).rows if r.person.pk == newcomer.pk)
    assert row.months_owed == 0 and not row.alarm

    # A profile for a past year is history entered on purpose: those months are owed.
    dues_services.profile_set(
        actor=personas.secretary_a,
        person=newcomer,
        year=today.year - 1,
        category="employed",
        base=4000,
    )
    (found,) = members_in_alarm(Person.objects.filter(pk=newcomer.pk), today)
    assert found.owed_from == D(today.year - 1, 1, 1)
    assert found.months_owed == 12 + today.month - 1


# --- any unpaid run raises the alarm, which says what is owed -------------------------------------


@pytest.fixture
def december(monkeypatch):
    return freeze_today(monkeypatch, D(2025, 12, 15))


def test_paying_only_the_latest_month_leaves_the_alarm_and_counts_what_is_owed(
    tree, people, december
):
    zhang = people.zhang_san  # entered 2024-12-01 (conftest), admitted long before
    pay(zhang, [D(2025, 11, 1)], tree.station_a1)  # Dec 2024 - Oct 2025: eleven months unpaid

    row = next(r for r in ledger(tree.station_a1, december).rows if r.person.pk == zhang.pk)
    assert row.alarm and (row.missed, row.months_owed) == (11, 11)
    assert [c.status for c in row.cells[:10]] == [UNPAID] * 10

    (found,) = members_in_alarm(Person.objects.filter(pk=zhang.pk), december)
    assert (found.longest_unpaid_run, found.months_owed) == (11, 11)
    totals = subtree_dues_totals(tree.county_a, 2025, december, 6)
    assert totals[tree.station_a1.path]["alarms"] == 1


def test_a_run_in_the_middle_of_the_year_counts_and_short_runs_do_not(tree, people, december):
    zhang, wang = people.zhang_san, people.wang_wu
    # Owed from December 2024 (conftest): 张三 misses it and Mar-Aug (six), 王五 it and Apr-Jun.
    pay(zhang, [D(2025, m, 1) for m in (1, 2, 9, 10, 11)], tree.station_a1)
    pay(wang, [D(2025, m, 1) for m in (1, 2, 3, 7, 8, 9, 10, 11)], tree.station_a2)
    found = {
        p.pk: (p.longest_unpaid_run, p.months_owed)
        for p in members_in_alarm(Person.objects.filter(pk__in=[zhang.pk, wang.pk]), december)
    }
    assert found == {zhang.pk: (6, 7)}
    row = next(r for r in ledger(tree.station_a1, december).rows if r.person.pk == zhang.pk)
    assert row.alarm and (row.missed, row.months_owed) == (6, 7)


def test_a_member_admitted_later_owes_from_admission(tree, people, december):
    late = PersonFactory(
        organization=tree.station_a1, membership_status="probationary", admitted_on=D(2025, 7, 9)
    )
    enter_long_ago(late)
    (found,) = with_arrears(Person.objects.filter(pk=late.pk), D(2025, 11, 1))
    assert (found.owed_from, found.longest_unpaid_run, found.months_owed) == (
        D(2025, 7, 9),
        5,  # Jul-Nov
        5,
    )
    assert not members_in_alarm(Person.objects.filter(pk=late.pk), december).exists()


# --- an edited term replaces its 换届 obligation at once ----------------------------------------


def open_terms(org):
    return list(
        Obligation.objects.filter(
            organization=org, kind="election", fulfilled_on__isnull=True
        ).values_list("period_start", "period_end")
    )


def test_editing_a_term_replaces_its_obligation_at_once_and_the_daily_job_keeps_one(
    tree, people, personas, monkeypatch
):
    today = freeze_today(monkeypatch, D(2026, 6, 15))
    branch = tree.station_a1
    branch.term_started_on, branch.term_ends_on = D(2023, 3, 1), D(2026, 2, 28)
    branch.save()
    generate_year(2026)
    assert open_terms(branch) == [(D(2023, 3, 1), D(2026, 2, 28))]
    assert red_count(branch, today) >= 1

    org_services.organization_update(
        actor=personas.company,
        organization=branch,
        data={"term_started_on": D(2024, 5, 1), "term_ends_on": D(2027, 4, 30)},
    )
    assert open_terms(branch) == [(D(2024, 5, 1), D(2027, 4, 30))]  # at once, replaced
    obligation = Obligation.objects.get(organization=branch, kind="election")
    assert obligation.due_on == D(2027, 4, 30) and obligation.alert(today) == "upcoming"

    generate_year(2026)  # the daily job afterwards
    generate_year(2027)
    assert open_terms(branch) == [(D(2024, 5, 1), D(2027, 4, 30))]

    branch.refresh_from_db()  # only the end moves: re-dated, still one
    org_services.organization_update(
        actor=personas.company, organization=branch, data={"term_ends_on": D(2026, 4, 30)}
    )
    assert open_terms(branch) == [(D(2024, 5, 1), D(2026, 4, 30))]
    assert Obligation.objects.get(organization=branch, kind="election").alert(today) == "red"


def test_the_database_finds_the_same_runs_as_the_ledger(tree, people, december):
    """Random histories (paid ahead, gaps at either end, none at all): the SQL annotations
    agree with the pure function the ledger uses."""
    import random

    rng = random.Random(13)
    reference = D(2025, 11, 1)
    members = []
    for n in range(12):
        person = PersonFactory(organization=tree.station_a1, **OLD_MEMBER)
        enter_long_ago(person)
        months = months_between(D(2024, 12, 1), D(2026, 2, 1))  # up to three months ahead
        pay(person, [m for m in months if rng.random() < (0.3 + n * 0.05)], tree.station_a1)
        members.append(person)
    found = {
        p.pk: (p.longest_unpaid_run, p.months_owed, p.owed_from)
        for p in with_arrears(Person.objects.filter(pk__in=[m.pk for m in members]), reference)
    }
    for person in members:
        paid = set(DuesPayment.objects.filter(person=person).values_list("month", flat=True))
        run, owed, since = found[person.pk]
        assert since == min([D(2024, 12, 1), *paid])
        assert (run, owed) == unpaid_runs(paid, since, reference), person.name


def test_term_dates_changed_by_the_organizations_import_replace_the_obligation_at_once(
    tree, people, personas, monkeypatch
):
    """The import writes in bulk (no ``post_save``): its own signal brings the 换届 item along."""
    import io

    import openpyxl
    from django.core.files.uploadedfile import SimpleUploadedFile

    from bastion.orgs.importers import export_organizations_xlsx, run_import
    from bastion.orgs.models import Organization

    freeze_today(monkeypatch, D(2026, 6, 15))
    branch = tree.station_a1
    branch.term_started_on, branch.term_ends_on = D(2023, 3, 1), D(2026, 2, 28)
    branch.save()
    generate_year(2026)
    assert open_terms(branch) == [(D(2023, 3, 1), D(2026, 2, 28))]

    exported = export_organizations_xlsx(
        Organization.objects.filter(pk=branch.pk), actor=personas.company
    )
    book = openpyxl.load_workbook(io.BytesIO(exported))
    sheet = book.worksheets[0]
    headers = [str(cell.value or "").rstrip("*") for cell in sheet[1]]
    sheet.cell(2, headers.index("本届班子任期开始") + 1, "2024-05-01")
    sheet.cell(2, headers.index("本届班子任期届满") + 1, "2027-04-30")
    buffer = io.BytesIO()
    book.save(buffer)
    upload = SimpleUploadedFile("组织.xlsx", buffer.getvalue())

    result = run_import(kind="organizations", actor=personas.company, file=upload)

    assert result.ok and result.updated == 1, result.errors
    assert open_terms(branch) == [(D(2024, 5, 1), D(2027, 4, 30))]
