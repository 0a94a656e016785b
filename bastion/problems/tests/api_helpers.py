"""Shared data of the problem API tests: three inspections and six problems across the persona
tree, and a discipline account on county_a.

Problems (scoped by the organization they were found at):

* ``a1``: station_a1, company patrol, planned, deadline in 10 days (green);
* ``a1_overdue``: station_a1, in progress, deadline 5 days ago (red, overdue);
* ``a2``: station_a2, county visit, submitted, deadline 2 days ago (overdue);
* ``b1``: station_b1, company patrol, closed on time, tier 2;
* ``g1``: group_a1 (under station_a1), manual, planned;
* ``county``: county_a itself, tier 3 in the county library.

Test modules import ``api_fixture``, ``data_fixture`` and ``discipline_fixture`` (named ``api``,
``data`` and ``discipline``).
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from bastion.orgs.tests.factories import UserFactory, grant
from bastion.problems.models import Inspection, Problem, ProblemEvent, ProblemEvidence, State
from bastion.problems.services.rectify import library_for_tier, owner_for

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
SUBMITTED_ONCE = {State.SUBMITTED, State.REJECTED, State.VERIFIED, State.CLOSED}
PERSONAS = ["company", "county", "discipline", "secretary_a", "secretary_b", "member", "outsider"]
PROBLEMS = ("a1", "a1_overdue", "a2", "b1", "g1", "county")
VISIBLE = {
    "company": set(PROBLEMS),
    "county": {"a1", "a1_overdue", "a2", "g1", "county"},
    "discipline": {"a1", "a1_overdue", "a2", "g1", "county"},
    "secretary_a": {"a1", "a1_overdue", "g1"},
    "secretary_b": {"b1"},
    "member": set(),
    "outsider": set(),
}


def today() -> dt.date:
    return timezone.localdate()


def days(n: int) -> dt.date:
    return today() + dt.timedelta(days=n)


@pytest.fixture(name="discipline")
def discipline_fixture(tree):
    user = UserFactory(username="p_discipline")
    grant(user, "discipline", tree.county_a)
    return user


def user_of(personas, discipline, persona):
    return discipline if persona == "discipline" else getattr(personas, persona)


def make_inspection(kind, by, inspected, *, title=None, held=-30) -> Inspection:
    inspection = Inspection.objects.create(
        kind=kind, title=title or f"{by.name}{kind}", inspecting_org=by, held_on=days(held)
    )
    inspection.inspected.set(inspected)
    return inspection


def make_problem(
    org,
    *,
    state=State.PLANNED,
    tier=1,
    deadline=10,
    inspection=None,
    category="safety",
    found=-20,
    **extra,
) -> Problem:
    library = library_for_tier(tier)
    problem = Problem.objects.create(
        description=f"{org.name}的问题",
        organization=org,
        inspection=inspection,
        source="inspection" if inspection else "manual",
        category=category,
        tier=tier,
        library=library,
        owner=owner_for(org, library),
        found_on=days(found),
        responsible_org=org,
        measures="立行立改",
        deadline=days(deadline),
        state=state,
        **extra,
    )
    ProblemEvent.objects.create(problem=problem, from_state="", to_state=State.PLANNED)
    if state in SUBMITTED_ONCE:  # it went through 提交验收, which asks for evidence
        evidence = ProblemEvidence(problem=problem, original_name="整改照片.png", size=len(PNG))
        evidence.file.save("photo.png", ContentFile(PNG), save=False)
        evidence.save()
    return problem


@pytest.fixture(name="data")
def data_fixture(tree, personas, discipline):
    patrol = make_inspection(
        "patrol", tree.company, [tree.station_a1, tree.station_b1], title="公司党委巡查"
    )
    visit = make_inspection(
        "supervision_visit", tree.county_a, [tree.station_a2], title="A县督导访谈"
    )
    own = make_inspection("self", tree.station_a1, [tree.station_a1], title="A1自查", held=-5)
    problems = SimpleNamespace(
        a1=make_problem(tree.station_a1, inspection=patrol),
        a1_overdue=make_problem(
            tree.station_a1,
            state=State.IN_PROGRESS,
            deadline=-5,
            inspection=patrol,
            category="business",
        ),
        a2=make_problem(
            tree.station_a2,
            state=State.SUBMITTED,
            deadline=-2,
            inspection=visit,
            submitted_on=days(-3),
        ),
        b1=make_problem(
            tree.station_b1,
            state=State.CLOSED,
            tier=2,
            inspection=patrol,
            submitted_on=days(-12),
            closed_on=days(-11),
        ),
        g1=make_problem(tree.group_a1, category="service"),
        county=make_problem(tree.county_a, tier=3, deadline=40, category="integrity"),
    )
    return SimpleNamespace(
        inspections=SimpleNamespace(patrol=patrol, visit=visit, own=own), problems=problems
    )


def names(data, rows) -> set[str]:
    by_pk = {problem.pk: name for name, problem in vars(data.problems).items()}
    return {by_pk[row["id"]] for row in rows}


def problem_url(problem, action=None) -> str:
    if action:
        return reverse(f"api:problem-{action}", args=[problem.pk])
    return reverse("api:problem-detail", args=[problem.pk])
