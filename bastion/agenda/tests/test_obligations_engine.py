"""The generator: who owes what, which rule version applies, and records found afterwards."""

import datetime as dt

import pytest

from bastion.agenda.models import CalendarRule, Meeting, Obligation
from bastion.agenda.services.obligations import generate_year
from bastion.core.alerts import LEVELS


def kinds_of(org, year=2026):
    return set(
        Obligation.objects.filter(organization=org, period_start__year=year).values_list(
            "kind", flat=True
        )
    )


@pytest.mark.django_db
def test_each_organization_gets_the_items_of_its_kind(tree):
    tree.station_a1.term_started_on = dt.date(2024, 3, 1)
    tree.station_a1.save()
    generate_year(2026)
    assert kinds_of(tree.station_a1) == {
        "branch_assembly",
        "committee",
        "lecture",
        "theme_day",
        "annual_review",
        "member_appraisal",
        "dues",
    }
    assert kinds_of(tree.group_a1) == {"group"}
    assert kinds_of(tree.company) == set()  # a committee owes an election only, once it has a term
    monthly = Obligation.objects.filter(organization=tree.station_a1, kind="committee")
    assert monthly.count() == 12
    feb = monthly.get(period_label="2026-02")
    assert feb.due_on == dt.date(2026, 2, 18)  # the month's 中气 (雨水 2026), S4's 节气表
    assert (feb.green_from, feb.yellow_from) == (dt.date(2026, 2, 8), dt.date(2026, 2, 13))
    election = Obligation.objects.get(organization=tree.station_a1, kind="election")
    assert election.period_start == dt.date(2024, 3, 1)
    assert election.due_on == dt.date(2027, 2, 28)  # three years for a branch, from TermRule


@pytest.mark.django_db
def test_generation_is_idempotent(tree):
    first = generate_year(2026)
    again = generate_year(2026)
    assert first.created > 0
    assert (again.created, again.updated, again.removed) == (0, 0, 0)


@pytest.mark.django_db
def test_a_new_rule_version_re_dates_only_open_obligations_from_its_date(tree):
    generate_year(2026)
    rule = CalendarRule.objects.get(code="committee")
    march = Obligation.objects.get(
        organization=tree.station_a1, rule_code="committee", period_label="2026-03"
    )
    march.fulfilled_on = dt.date(2026, 3, 20)
    march.save()
    revised = CalendarRule.objects.get(pk=rule.pk)
    revised.pk = None
    revised.effective_from, revised.due_day, revised.due_term = dt.date(2026, 3, 1), 25, 0
    revised.save()
    result = generate_year(2026)
    assert result.updated == 10 + 10 + 9  # March..December; station_a1 March is fulfilled
    by_label = dict(
        Obligation.objects.filter(organization=tree.station_a2, rule_code="committee").values_list(
            "period_label", "due_on"
        )
    )
    assert by_label["2026-02"] == dt.date(2026, 2, 18)
    assert by_label["2026-03"] == dt.date(2026, 3, 25)
    march.refresh_from_db()
    assert march.due_on == dt.date(2026, 3, 20)  # fulfilled: judged by the old rule (春分)


@pytest.mark.django_db
def test_retiring_a_rule_prunes_open_future_obligations(tree):
    generate_year(2026)
    rule = CalendarRule.objects.get(code="theme-day")
    rule.pk = None
    rule.effective_from, rule.is_active = dt.date(2026, 7, 1), False
    rule.save()
    result = generate_year(2026, prune_from=dt.date(2026, 7, 1))
    assert result.removed == 3 * 6  # three branches × July..December
    labels = Obligation.objects.filter(organization=tree.station_a1, kind="theme_day")
    assert labels.count() == 6


@pytest.mark.django_db
def test_meetings_recorded_before_the_obligations_exist_are_linked(tree):
    Meeting.objects.create(
        organization=tree.station_a1,
        kind="committee",
        topic="三月支委会",
        held_on=dt.date(2026, 3, 12),
    )
    Meeting.objects.create(
        organization=tree.station_a1,
        kind="committee",
        topic="退回的",
        held_on=dt.date(2026, 4, 12),
        status="returned",
    )
    generate_year(2026)
    march = Obligation.objects.get(
        organization=tree.station_a1, kind="committee", period_label="2026-03"
    )
    april = Obligation.objects.get(
        organization=tree.station_a1, kind="committee", period_label="2026-04"
    )
    assert march.fulfilled_on == dt.date(2026, 3, 12)
    assert march.alert(dt.date(2026, 11, 21)) == "done"
    assert april.fulfilled_on is None
    assert april.alert(dt.date(2026, 11, 21)) == "red"


@pytest.mark.django_db
def test_the_database_filter_agrees_with_the_computed_colour(tree):
    generate_year(2026)
    rows = list(Obligation.objects.filter(organization=tree.station_a1))
    for index, row in enumerate(rows[::3]):
        row.fulfilled_on = row.due_on + dt.timedelta(days=(index % 3) - 1)
        row.save()
    today = dt.date(2026, 6, 27)
    total = 0
    for level in LEVELS:
        ids = set(
            Obligation.objects.filter(organization=tree.station_a1)
            .with_alert(level, today)
            .values_list("pk", flat=True)
        )
        assert all(row.alert(today) == level for row in rows if row.pk in ids)
        total += len(ids)
    assert total == len(rows)


@pytest.mark.django_db
def test_inactive_organizations_get_nothing(tree):
    tree.station_b1.is_active = False
    tree.station_b1.save()
    generate_year(2026)
    assert not Obligation.objects.filter(organization=tree.station_b1).exists()


@pytest.mark.django_db
def test_an_organization_founded_mid_year_owes_nothing_before_it_existed(tree):
    tree.station_a2.established_on = dt.date(2026, 5, 10)
    tree.station_a2.save()
    generate_year(2026)
    labels = sorted(
        Obligation.objects.filter(organization=tree.station_a2, kind="committee").values_list(
            "period_label", flat=True
        )
    )
    assert labels[0] == "2026-05"
    assert len(labels) == 8


@pytest.mark.django_db
def test_the_term_reminder_comes_from_the_term_rule(tree):
    from bastion.agenda.models import TermRule

    tree.station_a1.term_started_on = dt.date(2024, 3, 1)
    tree.station_a1.save()
    generate_year(2026)
    election = Obligation.objects.get(organization=tree.station_a1, kind="election")
    assert election.due_on == dt.date(2027, 2, 28)
    assert election.yellow_from == dt.date(2026, 8, 28)  # six months before, from TermRule
    TermRule.objects.create(
        org_kind="branch", years=3, remind_months=4, effective_from=dt.date(2026, 1, 1)
    )
    generate_year(2026)
    election.refresh_from_db()
    assert election.yellow_from == dt.date(2026, 10, 28)
