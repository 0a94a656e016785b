"""Shared data of the task API tests: three dispatched task sheets across the persona tree.

* ``company``: issued by the company to station_a1, station_a2 and station_b1;
* ``county``: issued by county_a to station_a1 and station_a2;
* ``station``: issued by station_a1 to its party group group_a1.

Each has a number, a choice and an optional text field. Test modules import the fixtures
``api_fixture`` and ``tasks_fixture`` (named ``api`` and ``tasks``).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from bastion.core.testing import PERSONAS as PERSONAS
from bastion.tasks.models import Assignment, FeedbackField, Task
from bastion.tasks.services import flow

TASKS = ("company", "county", "station")
ISSUER = {"company": "company", "county": "county_a", "station": "station_a1"}
RECIPIENTS = {
    "company": ("station_a1", "station_a2", "station_b1"),
    "county": ("station_a1", "station_a2"),
    "station": ("group_a1",),
}
ISSUED_BY = {"company": "company", "county": "county", "station": "secretary_a"}
VISIBLE_TASKS = {
    "company": {"company", "county", "station"},
    "county": {"county", "station"},
    "secretary_a": {"station"},
    "secretary_b": set(),
    "member": set(),
    "outsider": set(),
}
# Assignments are scoped by the recipient: (task, recipient) pairs each persona sees.
VISIBLE_ASSIGNMENTS = {
    "company": {(t, r) for t in TASKS for r in RECIPIENTS[t]},
    "county": {
        ("company", "station_a1"),
        ("company", "station_a2"),
        ("county", "station_a1"),
        ("county", "station_a2"),
        ("station", "group_a1"),
    },
    "secretary_a": {("company", "station_a1"), ("county", "station_a1"), ("station", "group_a1")},
    "secretary_b": {("company", "station_b1")},
    "member": set(),
    "outsider": set(),
}
ALL_ASSIGNMENTS = sorted(VISIBLE_ASSIGNMENTS["company"])


def today() -> dt.date:
    return timezone.localdate()


def make_task(issuer, *, actor, title="统计党员培训情况", due_in=10, with_fields=True) -> Task:
    """A draft task sheet with its feedback form, written directly (fixtures, not the API)."""
    task = Task.objects.create(
        title=title,
        body="请各单位如实填报。",
        issuer=issuer,
        due_on=today() + dt.timedelta(days=due_in),
        created_by=actor,
    )
    if with_fields:
        FeedbackField.objects.create(task=task, label="培训人数", kind="number", position=1)
        FeedbackField.objects.create(
            task=task, label="完成情况", kind="choice", choices=["已完成", "推进中"], position=2
        )
        FeedbackField.objects.create(
            task=task, label="备注", kind="text", required=False, position=3
        )
    return task


def field_ids(task) -> dict[str, str]:
    return {field.label: str(field.pk) for field in task.fields.all()}


def answer(task, people=35, state="已完成", note="") -> dict:
    ids = field_ids(task)
    return {ids["培训人数"]: people, ids["完成情况"]: state, ids["备注"]: note}


@pytest.fixture(name="tasks")
def tasks_fixture(tree, personas):
    made = {}
    for name in TASKS:
        actor = getattr(personas, ISSUED_BY[name])
        task = make_task(getattr(tree, ISSUER[name]), actor=actor, title=f"{name} 工作单")
        recipients = [getattr(tree, r).pk for r in RECIPIENTS[name]]
        flow.task_dispatch(task=task, actor=actor, recipients=recipients)
        task.refresh_from_db()
        made[name] = task
    return made


def assignment_of(tasks, tree, task_name, recipient) -> Assignment:
    return Assignment.objects.get(task=tasks[task_name], organization=getattr(tree, recipient))


def task_url(task, action=None) -> str:
    if action is None:
        return reverse("api:task-detail", args=[task.pk])
    return reverse(f"api:task-{action}", args=[task.pk])


def assignment_url(assignment, action=None) -> str:
    if action is None:
        return reverse("api:assignment-detail", args=[assignment.pk])
    return reverse(f"api:assignment-{action}", args=[assignment.pk])
