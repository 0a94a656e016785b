"""The generator at scale: idempotent counts, constant queries, re-dating in bulk, edges."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bastion.agenda.models import CalendarRule, Obligation
from bastion.agenda.services.obligations import generate_year, plan_year
from bastion.orgs.tests.factories import PersonFactory, make_org

from .conftest import enter_long_ago

pytestmark = pytest.mark.django_db

YEAR = 2025
PER_BRANCH = 12 * 3 + 4 * 2 + 2  # committee, theme day, dues; assembly, lecture; yearly two


def add_stations(tree, count: int, tag: str):
    """New branches, each with a member (a branch without members owes no dues: its dues
    obligations would be fulfilled on generation, in batches of writes)."""
    stations = []
    for i in range(count):
        station = make_org(tree.county_b, name=f"新供电所{tag}{i}", code=f"C-B-{tag}{i:03d}")
        member = PersonFactory(
            organization=station,
            membership_status="full",
            admitted_on=dt.date(2012, 1, 1),
            confirmed_on=dt.date(2013, 1, 1),
        )
        enter_long_ago(member)  # owes the year's dues (they are owed from entry in Bastion)
        stations.append(station)
    return stations


def test_a_second_run_creates_nothing(tree):
    first = generate_year(YEAR)
    assert first.created == 3 * PER_BRANCH + 12  # three branches and a party group
    again = generate_year(YEAR)
    assert (again.created, again.updated, again.removed) == (0, 0, 0)
    assert Obligation.objects.count() == first.created


def test_an_overdue_election_of_a_past_term_is_not_created_twice(tree):
    """A term that ended before the year, without an election, still owes it: planned every
    year, stored once, and never counted as created again."""
    tree.station_a1.term_started_on = dt.date(2020, 1, 1)
    tree.station_a1.term_ends_on = dt.date(2022, 12, 31)
    tree.station_a1.save()  # the term's election is owed at once (agenda.signals)
    assert Obligation.objects.filter(kind="election").count() == 1
    first = generate_year(YEAR)
    assert Obligation.objects.filter(kind="election").count() == 1
    again = generate_year(YEAR)
    assert again.created == 0
    assert generate_year(YEAR + 1).created == first.created  # the election exists already


def test_an_organization_created_mid_year_gets_only_its_own(tree):
    generate_year(YEAR)
    (station,) = add_stations(tree, 1, "M")
    result = generate_year(YEAR)
    assert result.created == PER_BRANCH
    assert set(Obligation.objects.filter(organization=station).values_list("kind", flat=True)) == {
        "branch_assembly",
        "committee",
        "lecture",
        "theme_day",
        "annual_review",
        "member_appraisal",
        "dues",
    }


def test_a_dissolved_organization_gets_nothing_new(tree):
    generate_year(YEAR)
    (station,) = add_stations(tree, 1, "D")
    station.is_active = False
    station.save()
    assert generate_year(YEAR).created == 0


def test_only_the_given_organizations_are_generated(tree):
    result = generate_year(YEAR, organization_ids=[tree.station_b1.pk])
    assert result.created == PER_BRANCH
    assert set(Obligation.objects.values_list("organization_id", flat=True)) == {tree.station_b1.pk}


def test_the_number_of_queries_does_not_grow_with_organizations(tree):
    def queries():
        Obligation.objects.all().delete()
        with CaptureQueriesContext(connection) as ctx:
            generate_year(YEAR)
        return len(ctx.captured_queries)

    add_stations(tree, 2, "S")
    small = queries()
    add_stations(tree, 30, "L")
    assert queries() == small
    assert Obligation.objects.count() == 35 * PER_BRANCH + 12


def test_a_rule_change_re_dates_thousands_in_a_few_updates(tree):
    add_stations(tree, 30, "R")
    generate_year(YEAR)
    rule = CalendarRule.objects.get(code="committee")
    rule.pk = None
    rule.effective_from, rule.due_day, rule.due_term = dt.date(YEAR, 1, 1), 20, 0
    rule.save()
    with CaptureQueriesContext(connection) as ctx:
        result = generate_year(YEAR)
    assert result.updated == 33 * 12
    updates = [q for q in ctx.captured_queries if q["sql"].startswith("UPDATE")]
    assert len(updates) <= 12  # one per month: every branch shares the month's new window
    march = Obligation.objects.filter(kind="committee", period_label="2025-03")
    assert set(march.values_list("due_on", "rule_id")) == {(dt.date(YEAR, 3, 20), rule.pk)}


def test_plan_year_still_gives_unsaved_obligations(tree):
    from bastion.agenda.services.obligations import rule_versions, term_years_by_kind
    from bastion.orgs.models import Organization

    planned = plan_year(
        YEAR,
        list(Organization.objects.all()),
        rule_versions(),
        term_years_by_kind(dt.date(YEAR, 12, 31)),
    )
    item = planned[(tree.station_a1.pk, "committee", dt.date(YEAR, 2, 1))]
    assert isinstance(item, Obligation) and item.pk is None
    assert (item.due_on, item.green_from, item.yellow_from) == (
        dt.date(YEAR, 2, 18),  # 支委会: by the month's 中气 (雨水 2025), ten and five days ahead
        dt.date(YEAR, 2, 8),
        dt.date(YEAR, 2, 13),
    )
