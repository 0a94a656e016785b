"""Problem events reach the people who must act: one unread message per person and event."""

import datetime as dt

import pytest

from bastion.core.daily import run_daily_jobs
from bastion.core.notifications.digest import build_digest
from bastion.core.notifications.models import Notification
from bastion.core.thresholds import Threshold
from bastion.orgs.tests.factories import UserFactory, grant
from bastion.problems.models import Library, State
from bastion.problems.services import filing, rectify
from bastion.problems.services.notify import (
    EVENT_ASSIGNED,
    EVENT_ESCALATED,
    EVENT_OVERDUE,
    EVENT_REJECTED,
    EVENT_SUBMITTED,
    notify_assigned,
    notify_moved,
)
from bastion.problems.services.overdue import problems_overdue_handle

from .helpers import make_problem, png, today

pytestmark = pytest.mark.django_db


def told(event, user=None):
    notes = Notification.objects.filter(event=event)
    return notes.filter(recipient=user) if user is not None else notes


def recipients(event):
    return sorted(told(event).values_list("recipient__username", flat=True))


def overdue_problem(actor, org, days, **extra):
    found = today() - dt.timedelta(days=days + 10)
    return make_problem(
        actor, org, found_on=found, deadline=today() - dt.timedelta(days=days), **extra
    )


def test_a_filed_problem_tells_the_responsible_secretary_and_person_once(tree, personas, people):
    problem = make_problem(personas.county, tree.station_a1, responsible_person=people.zhang_san)

    assert recipients(EVENT_ASSIGNED) == ["p_member", "p_secretary_a"]
    [note] = told(EVENT_ASSIGNED, personas.secretary_a)
    assert note.read_at is None and note.actor == personas.county
    assert note.title == "新的整改问题：台账不全"
    assert note.url == problem.get_absolute_url()
    assert notify_assigned([problem], actor=personas.county) == 0  # the same event again
    assert told(EVENT_ASSIGNED).count() == 2


def test_a_station_without_secretary_is_answered_for_by_its_committee(tree, personas):
    make_problem(personas.company, tree.station_a2)

    assert recipients(EVENT_ASSIGNED) == ["p_county"]  # not the filer, not the company


def test_the_filer_is_not_told_of_their_own_problem(tree, personas):
    make_problem(personas.secretary_a, tree.station_a1)  # 自查

    assert not told(EVENT_ASSIGNED).exists()


def test_an_import_tells_each_person_once_listing_all_their_problems(tree, personas):
    filed = [
        make_problem(personas.county, tree.station_a1, notify=False, description=text)
        for text in ("台账不全", "会议记录缺失")
    ]

    notify_assigned(filed, actor=personas.county)

    [note] = told(EVENT_ASSIGNED, personas.secretary_a)
    assert note.title == "新的整改问题 2 项"
    assert [line["text"] for line in note.items[0]["lines"]] == ["台账不全", "会议记录缺失"]
    assert notify_assigned(filed, actor=personas.county) == 0


def test_submitting_tells_the_verifying_side_and_rejecting_the_responsible_side(tree, personas):
    problem = make_problem(personas.company, tree.station_a1)
    rectify.problem_transition(problem=problem, actor=personas.secretary_a, to=State.IN_PROGRESS)
    rectify.problem_transition(
        problem=problem, actor=personas.secretary_a, to=State.SUBMITTED, files=[png()]
    )

    assert recipients(EVENT_SUBMITTED) == ["p_county"]
    step = problem.events.order_by("-pk").first()
    assert notify_moved(problem, actor=personas.secretary_a, step=step) == 0

    rectify.problem_transition(
        problem=problem, actor=personas.county, to=State.REJECTED, reason="照片不清楚"
    )

    [note] = told(EVENT_REJECTED)
    assert note.recipient == personas.secretary_a and note.read_at is None
    assert "照片不清楚" in note.body
    assert told(EVENT_SUBMITTED).count() == 1


def test_the_daily_job_tells_an_overdue_problem_once_and_escalates_it(tree, personas):
    problem = overdue_problem(personas.company, tree.station_a1, days=35)
    late = overdue_problem(personas.company, tree.station_a1, days=5, description="未公示")
    assert problem.library == Library.BRANCH

    result = problems_overdue_handle(today=today())

    assert result == {"escalated": 1, "told": 2}
    assert recipients(EVENT_OVERDUE) == ["p_secretary_a", "p_secretary_a"]
    assert {n.subjects.get().object_id for n in told(EVENT_OVERDUE)} == {problem.pk, late.pk}
    problem.refresh_from_db()
    assert (problem.library, problem.owner) == (Library.COUNTY, tree.county_a)
    [escalated] = told(EVENT_ESCALATED)
    assert escalated.recipient == personas.county and escalated.read_at is None
    assert "逾期 35 天未整改" in problem.events.order_by("-pk").first().reason

    assert problems_overdue_handle(today=today()) == {"escalated": 0, "told": 0}
    assert told(EVENT_OVERDUE).count() == 2 and told(EVENT_ESCALATED).count() == 1


def test_escalation_follows_the_rule_in_force(tree, personas):
    Threshold.objects.create(
        code="problem_escalate_days", value=0, effective_from=today(), source="test"
    )
    problem = overdue_problem(personas.company, tree.station_a1, days=35)

    assert problems_overdue_handle(today=today())["escalated"] == 0
    problem.refresh_from_db()
    assert problem.library == Library.BRANCH
    assert not told(EVENT_ESCALATED).exists()


def test_a_submitted_problem_is_not_overdue_for_the_rectifying_side(tree, personas):
    problem = overdue_problem(personas.company, tree.station_a1, days=40)
    rectify.problem_transition(problem=problem, actor=personas.secretary_a, to=State.IN_PROGRESS)
    rectify.problem_transition(
        problem=problem, actor=personas.secretary_a, to=State.SUBMITTED, files=[png()]
    )

    assert problems_overdue_handle(today=today()) == {"escalated": 0, "told": 0}


def test_problems_join_the_daily_digest_and_the_daily_run(tree, personas):
    overdue_problem(personas.company, tree.station_a1, days=3)
    make_problem(
        personas.company,
        tree.station_a1,
        deadline=today() + dt.timedelta(days=2),
        description="制度未上墙",
    )
    outsider = UserFactory(username="p_other_branch")
    grant(outsider, "branch_secretary", tree.station_b1)

    sections = {s["group"]: s for s in build_digest(personas.secretary_a, today())}

    assert sections["problems_overdue"]["lines"][0]["note"] == "已逾期 3 天"
    assert sections["problems_due"]["lines"][0]["text"] == "整改问题：制度未上墙"
    assert not [s for s in build_digest(outsider, today()) if s["group"].startswith("problems_")]
    result = run_daily_jobs(today())
    assert result["bastion.problems.services.overdue.problems_overdue_handle"]["told"] == 1


def test_a_tier_4_problem_tells_the_committee_that_now_owns_it(tree, personas):
    problem = make_problem(personas.county, tree.station_a1, tier=4)

    assert problem.owner == tree.company
    [note] = told(EVENT_ESCALATED)
    assert note.recipient == personas.company and note.read_at is None
    assert "该问题已提交公司党委问题库" in note.body


def test_moving_a_problem_to_another_organization_tells_its_new_side(tree, personas):
    problem = make_problem(personas.company, tree.station_a1)
    filing.problem_update(
        problem=problem,
        actor=personas.company,
        organization=tree.station_a2,
        responsible_org=tree.station_a2,
    )

    assert recipients(EVENT_ASSIGNED) == ["p_county", "p_secretary_a"]
    filing.problem_update(problem=problem, actor=personas.company, measures="补齐台账")
    assert told(EVENT_ASSIGNED).count() == 2
