"""The demo company's problems: a year of inspections of every kind, every rectification state,
overdue ones, one tier-4 problem escalated to the company, the secretary's own two, idempotent."""

from io import StringIO

from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from bastion.problems.demo import FIRST_PATROL
from bastion.problems.models import (
    OPEN_STATES,
    Inspection,
    InspectionKind,
    Problem,
    ProblemEvent,
    State,
)


def test_a_year_of_inspections_of_every_kind(demo):
    assert 35 <= Inspection.objects.count() <= 45
    kinds = set(Inspection.objects.values_list("kind", flat=True))
    assert kinds == set(InspectionKind.values)
    assert Inspection.objects.get(title=FIRST_PATROL).inspecting_org.depth == 1
    today = timezone.localdate()
    held = Inspection.objects.values_list("held_on", flat=True)
    assert all(0 <= (today - day).days <= 366 for day in held)
    assert not Inspection.objects.annotate(n=Count("inspected")).filter(n=0).exists()


def test_problems_in_every_state_mostly_closed(demo):
    total = Problem.objects.count()
    assert 150 <= total <= 250
    by_state = dict(Problem.objects.values_list("state").annotate(n=Count("id")))
    assert set(by_state) == set(State.values)
    assert by_state[State.CLOSED] == max(by_state.values())
    by_tier = dict(Problem.objects.values_list("tier").annotate(n=Count("id")))
    assert by_tier[1] + by_tier[2] > total * 0.7
    assert Problem.objects.filter(recurring=True).exists()
    assert set(Problem.objects.values_list("category", flat=True)) >= {
        "organization",
        "integrity",
        "safety",
        "business",
        "service",
    }


def test_several_are_overdue(demo):
    overdue = Problem.objects.filter(state__in=OPEN_STATES, deadline__lt=timezone.localdate())
    assert overdue.count() >= 5


def test_one_escalated_to_the_company_library(demo):
    escalated = Problem.objects.get(escalated_at__isnull=False)
    assert escalated.tier == 4
    assert escalated.library == "company"
    assert escalated.owner.depth == 1
    assert escalated.state in OPEN_STATES


def test_history_matches_the_state(demo):
    last = {}
    for problem_id, to_state in ProblemEvent.objects.order_by("at", "id").values_list(
        "problem_id", "to_state"
    ):
        last[problem_id] = to_state
    states = dict(Problem.objects.values_list("id", "state"))
    assert last == states
    assert not Problem.objects.filter(state=State.CLOSED, closed_on__isnull=True).exists()
    assert not Problem.objects.filter(state=State.SUBMITTED, submitted_on__isnull=True).exists()


def test_the_secretary_branch_has_one_overdue_and_one_submitted(demo):
    mine = Problem.objects.filter(organization__code="NY-C01-Z01")
    today = timezone.localdate()
    open_ = mine.filter(state__in=OPEN_STATES)
    assert open_.filter(deadline__lt=today).count() == 1
    assert open_.filter(state=State.SUBMITTED).count() == 1
    assert open_.count() == 2


def test_a_second_run_adds_nothing(demo):
    counts = (Inspection.objects.count(), Problem.objects.count(), ProblemEvent.objects.count())
    call_command("seed_demo", stdout=StringIO())
    assert counts == (
        Inspection.objects.count(),
        Problem.objects.count(),
        ProblemEvent.objects.count(),
    )
