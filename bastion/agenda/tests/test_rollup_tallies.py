"""The roll-up's tallies stay equal to a fresh recount through every kind of write.

Obligations change through the services (generation, a meeting recorded and reviewed, a meeting
deleted, bulk fulfilment), organizations are dissolved, reactivated, moved and deleted: after
each step the stored tallies equal what ``tallies_rebuild`` computes from the obligations, and
the roll-up shows the same numbers as a count of the obligations themselves.
"""

import datetime as dt

import pytest

from bastion.agenda.models import Obligation, ObligationTally
from bastion.agenda.selectors_rollup import rollup
from bastion.agenda.services.meetings import meeting_delete, meeting_record, meeting_review
from bastion.agenda.services.obligations import generate_year
from bastion.agenda.services.tallies import tallies_rebuild
from bastion.core.periods import Period
from bastion.orgs.services import organization_delete, organization_move, organization_update
from bastion.orgs.tests.factories import make_org

from .board_helpers import TODAY, YEAR, fulfil, obligation, today_fixture, year_fixture  # noqa: F401

pytestmark = pytest.mark.django_db

FIELDS = (
    "organization_id",
    "kind",
    "due_on",
    "green_from",
    "yellow_from",
    "own_open",
    "own_done",
    "own_late",
    "sub_open",
    "sub_done",
    "sub_late",
)


def stored() -> set[tuple]:
    return set(ObligationTally.objects.values_list(*FIELDS))


def assert_fresh():
    """The stored tallies equal a rebuild from the obligations (and the rebuild is a no-op)."""
    before = stored()
    tallies_rebuild()
    assert stored() == before


def counted(org, period) -> tuple[int, int]:
    """(expected, actual) of ``org``'s active subtree, counted on the obligations."""
    rows = Obligation.objects.filter(
        organization__path__startswith=org.path,
        organization__is_active=True,
        due_on__gte=period.start,
        due_on__lte=period.end,
    )
    return rows.count(), rows.filter(fulfilled_on__isnull=False).count()


def test_generation_and_fulfilment_keep_the_tallies_fresh(personas, tree, year):
    assert ObligationTally.objects.exists()
    assert_fresh()
    fulfil(tree.station_a1, "committee", "2025-03", dt.date(2025, 3, 20))
    fulfil(tree.station_a2, "theme_day", "2025-03", dt.date(2025, 4, 2))  # late
    assert_fresh()
    rows = list(Obligation.objects.filter(organization=tree.station_b1, due_on__lt=TODAY))
    for row in rows:
        row.fulfilled_on = row.due_on
    Obligation.objects.bulk_update(rows, ["fulfilled_on"])
    assert_fresh()
    Obligation.objects.filter(organization=tree.station_b1, kind="dues").update(fulfilled_on=None)
    assert_fresh()
    Obligation.objects.filter(organization=tree.group_a1).delete()
    assert_fresh()
    generate_year(YEAR)  # brings the group's obligations back
    assert_fresh()
    generate_year(YEAR + 1)
    assert_fresh()


def test_meetings_recorded_reviewed_and_deleted_keep_the_tallies_fresh(personas, tree, year):
    target = obligation(tree.station_a1, "committee", "2025-04")
    meeting = meeting_record(
        actor=personas.company,
        organization=tree.station_a1,
        kind="committee",
        topic="支委会",
        held_on=dt.date(2025, 4, 10),
        obligation=target,
    )
    assert_fresh()
    meeting_review(actor=personas.company, meeting=meeting, approve=False, note="补充签到表")
    assert_fresh()
    meeting_delete(actor=personas.company, meeting=meeting)
    assert_fresh()


def test_dissolving_moving_and_deleting_organizations_keep_the_tallies_fresh(personas, tree, year):
    admin = personas.company
    organization_update(actor=admin, organization=tree.station_a2, data={"is_active": False})
    assert_fresh()
    organization_update(actor=admin, organization=tree.station_a2, data={"is_active": True})
    assert_fresh()
    organization_move(actor=admin, organization=tree.station_a1, new_parent=tree.county_b)
    assert_fresh()
    spare = make_org(tree.county_b, name="C3供电所党支部", code="C-B-3")
    generate_year(YEAR, organization_ids=[spare.pk])
    assert Obligation.objects.filter(organization=spare).exists()
    assert_fresh()
    organization_delete(actor=admin, organization=spare)
    assert_fresh()


def test_the_rollup_reads_the_same_numbers_as_the_obligations(personas, tree, year):
    fulfil(tree.station_a1, "committee", "2025-03", dt.date(2025, 3, 20))
    organization_update(
        actor=personas.company, organization=tree.station_b1, data={"is_active": False}
    )
    for period in (Period.whole_year(YEAR), Period.quarter(YEAR, 1), Period.month(YEAR, 3)):
        result = rollup(tree.company, period, TODAY, personas.company)
        for row in result.rows:
            assert (row.total.expected, row.total.actual) == counted(row.org, period)
            assert sum(row.total.levels.values()) == row.total.expected
        total = (result.totals.total.expected, result.totals.total.actual)
        assert total == counted(tree.company, period)


def test_the_rollup_of_a_node_outside_the_grant_is_empty(personas, tree, year):
    result = rollup(tree.county_a, Period.whole_year(YEAR), TODAY, personas.secretary_b)
    assert result.totals.total.expected == 0
