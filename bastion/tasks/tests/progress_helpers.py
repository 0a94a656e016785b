"""Shared data of the progress, export, reminder and digest tests.

``crafted``: a company task dispatched to six organizations, then its due date moved five days
into the past, with answers in every state:

| recipient  | state     | answered          |
|------------|-----------|-------------------|
| county_a   | unread    | —  (overdue)      |
| county_b   | read      | —  (overdue)      |
| station_a1 | accepted  | on time           |
| station_a2 | submitted | late              |
| station_b1 | returned  | on time, sent back (overdue) |
| group_a1   | submitted | on time           |
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from bastion.orgs.tests.factories import make_org
from bastion.tasks.models import Assignment, FeedbackField, Task
from bastion.tasks.services import flow
from bastion.tasks.services.tally import task_tally_rebuild

STATES = {
    "county_a": ("unread", False),
    "county_b": ("read", False),
    "station_a1": ("accepted", False),
    "station_a2": ("submitted", True),
    "station_b1": ("returned", False),
    "group_a1": ("submitted", False),
}
OVERDUE_DAYS = 5


def today() -> dt.date:
    return timezone.localdate()


def make_task(issuer, actor, *, title="统计党员培训情况", due_in=10, fields=True) -> Task:
    task = Task.objects.create(
        title=title, issuer=issuer, due_on=today() + dt.timedelta(days=due_in), created_by=actor
    )
    if fields:
        FeedbackField.objects.create(task=task, label="培训人数", kind="number", position=1)
        FeedbackField.objects.create(
            task=task, label="完成情况", kind="choice", choices=["已完成", "推进中"], position=2
        )
        FeedbackField.objects.create(task=task, label="完成日期", kind="date", position=3)
        FeedbackField.objects.create(task=task, label="佐证材料", kind="file", position=4)
        FeedbackField.objects.create(
            task=task, label="备注", kind="text", required=False, position=5
        )
    return task


def set_state(assignment: Assignment, state: str, late: bool, due_on: dt.date) -> None:
    """Put an assignment in ``state`` as the flow would have left it (fixture shortcut)."""
    answered = state in ("submitted", "accepted", "returned")
    when = timezone.make_aware(
        dt.datetime.combine(due_on + dt.timedelta(days=2 if late else -1), dt.time(10, 30))
    )
    Assignment.objects.filter(pk=assignment.pk).update(
        state=state,
        late=late,
        read_at=when if state != "unread" else None,
        submitted_at=when if answered else None,
        feedback="已按要求完成。" if answered else "",
    )
    task_tally_rebuild(assignment.task_id)  # the shortcut writes past the services


def move_due_date(task: Task, days_ago: int) -> None:
    task.due_on = today() - dt.timedelta(days=days_ago)
    Task.objects.filter(pk=task.pk).update(due_on=task.due_on)


@pytest.fixture(name="crafted")
def crafted_fixture(tree, personas):
    task = make_task(tree.company, personas.company)
    orgs = {name: getattr(tree, name) for name in STATES}
    flow.task_dispatch(task=task, actor=personas.company, recipients=[o.pk for o in orgs.values()])
    move_due_date(task, OVERDUE_DAYS)
    rows = {a.organization_id: a for a in task.assignments.all()}
    for name, (state, late) in STATES.items():
        set_state(rows[orgs[name].pk], state, late, task.due_on)
    task.refresh_from_db()
    return SimpleNamespace(task=task, assignment={name: rows[org.pk] for name, org in orgs.items()})


def grow_stations(parent, count: int, tag: str) -> list:
    return [
        make_org(parent, name=f"扩展供电所{tag}{i}", code=f"{parent.code}-{tag}{i:03d}")
        for i in range(count)
    ]


def spread_states(task: Task, due_on: dt.date) -> None:
    """Every fifth assignment in each state, so every part of the page has rows."""
    cycle = [
        ("unread", False),
        ("read", False),
        ("submitted", True),
        ("accepted", False),
        ("returned", False),
    ]
    for i, assignment in enumerate(task.assignments.order_by("pk")):
        state, late = cycle[i % len(cycle)]
        set_state(assignment, state, late, due_on)
