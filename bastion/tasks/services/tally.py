"""Keeping ``TaskTally`` in step: every write of an assignment adds its change to the rows of
the recipient's ancestors; a rebuild recounts a task (or all) from the assignments.

The figures of one assignment (``contribution``) follow ``selectors_totals`` exactly: a number
answer that is not a number adds nothing to the sum but counts as given, a choice is counted by
its text. A write costs a fixed number of queries whatever the size of the task: the rows it
changes before and after, the task's totalled fields, the tally rows of the ancestors.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from contextlib import contextmanager
from decimal import Decimal, InvalidOperation

from django.db import transaction

from bastion.orgs.models import Organization

from ..models import Assignment, AssignmentState, FeedbackField, FieldKind, TaskTally

ANSWERED = {AssignmentState.SUBMITTED.value, AssignmentState.ACCEPTED.value}
TOTALLED_KINDS = (FieldKind.NUMBER, FieldKind.CHOICE)
NUMBER = re.compile(r"^\s*-?[0-9]+(\.[0-9]+)?\s*$")  # selectors_totals.NUMBER_PATTERN
ROW_FIELDS = ("state", "late", "values", "organization__path")
MANY_PATHS = 500  # beyond this many ancestors, read the task's whole tally once


def _number(value) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return Decimal(repr(value))
    if isinstance(value, str) and NUMBER.match(value):
        try:
            return Decimal(value.strip())
        except InvalidOperation:
            return None
    return None


def _text(value) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def contribution(state: str, late: bool, values, fields) -> dict:
    """What one recipient adds to every subtree it lies in."""
    figures = {"total": 1, state: 1}
    if state not in ANSWERED:
        return figures
    if late:
        figures["late"] = 1
    values = values if isinstance(values, dict) else {}
    for field in fields:
        answer = values.get(str(field.pk))
        if answer is None:
            continue
        figures[f"f{field.pk}:n"] = 1
        if field.kind == FieldKind.NUMBER:
            number = _number(answer)
            if number is not None:
                figures[f"f{field.pk}:sum"] = number
        else:
            figures[f"f{field.pk}:c:{_text(answer)}"] = 1
    return figures


def add_figures(into: dict, figures: dict, sign: int = 1) -> dict:
    """``into`` += ``sign`` × ``figures``; sums are decimal text, figures at zero are dropped."""
    for key, value in figures.items():
        if key.endswith(":sum"):
            result = Decimal(into.get(key) or 0) + sign * Decimal(value)
            if result:
                into[key] = format(result.normalize(), "f")
            else:
                into.pop(key, None)
        else:
            result = into.get(key, 0) + sign * value
            if result:
                into[key] = result
            else:
                into.pop(key, None)
    return into


def ancestors(path: str) -> list[str]:
    """The paths of every subtree ``path`` lies in, itself included (the root first)."""
    step = Organization.steplen
    return [path[:end] for end in range(step, len(path) + 1, step)]


def totalled_fields(task_id: int) -> list[FeedbackField]:
    return list(FeedbackField.objects.filter(task_id=task_id, kind__in=TOTALLED_KINDS))


def _rows(task_id: int, ids) -> list[dict]:
    return list(Assignment.objects.filter(task_id=task_id, pk__in=list(ids)).values(*ROW_FIELDS))


def _deltas(rows_signed, fields) -> dict[str, dict]:
    deltas: dict[str, dict] = defaultdict(dict)
    for sign, rows in rows_signed:
        for row in rows:
            figures = contribution(row["state"], row["late"], row["values"], fields)
            for path in ancestors(row["organization__path"]):
                add_figures(deltas[path], figures, sign)
    return {path: delta for path, delta in deltas.items() if delta}


def tally_apply(task_id: int, deltas: dict[str, dict]) -> None:
    """Add ``deltas`` (node path → figures) to the task's tally rows, creating or removing rows."""
    if not deltas:
        return
    with transaction.atomic():
        rows = TaskTally.objects.select_for_update().filter(task_id=task_id)
        if len(deltas) <= MANY_PATHS:
            rows = rows.filter(node_path__in=list(deltas))
        existing = {row.node_path: row for row in rows}
        changed, created, emptied = [], [], []
        step = Organization.steplen
        for path, delta in deltas.items():
            row = existing.get(path)
            if row is None:
                row = TaskTally(task_id=task_id, node_path=path, depth=len(path) // step)
                created.append(row)
            else:
                changed.append(row)
            add_figures(row.figures, delta)
        emptied = [row.pk for row in changed if not row.figures.get("total")]
        changed = [row for row in changed if row.figures.get("total")]
        created = [row for row in created if row.figures.get("total")]
        if emptied:
            TaskTally.objects.filter(pk__in=emptied).delete()
        if changed:
            TaskTally.objects.bulk_update(changed, ["figures"], batch_size=500)
        if created:
            TaskTally.objects.bulk_create(created, batch_size=500)


@contextmanager
def tally_tracking(task_id: int, assignment_ids):
    """Wrap a write of the assignments ``assignment_ids`` of one task: their figures before
    and after go into the tally in the same transaction."""
    ids = list(assignment_ids)
    with transaction.atomic():
        before = _rows(task_id, ids)
        yield
        after = _rows(task_id, ids)
        if before != after:
            tally_apply(task_id, _deltas([(-1, before), (1, after)], totalled_fields(task_id)))


def tally_add_dispatched(task_id: int, paths: list[str]) -> None:
    """New recipients (unread, no answer) at ``paths``."""
    fields: list = []  # an unread sheet has no answer to total
    rows = [
        {
            "state": AssignmentState.UNREAD.value,
            "late": False,
            "values": {},
            "organization__path": p,
        }
        for p in paths
    ]
    tally_apply(task_id, _deltas([(1, rows)], fields))


def task_tally_rebuild(task_id: int) -> int:
    """Recount one task from its assignments; the number of rows written."""
    rows = Assignment.objects.filter(task_id=task_id).values(*ROW_FIELDS).iterator(chunk_size=2000)
    deltas = _deltas([(1, rows)], totalled_fields(task_id))
    step = Organization.steplen
    with transaction.atomic():
        TaskTally.objects.filter(task_id=task_id).delete()
        TaskTally.objects.bulk_create(
            [
                TaskTally(task_id=task_id, node_path=path, depth=len(path) // step, figures=delta)
                for path, delta in deltas.items()
            ],
            batch_size=500,
        )
    return len(deltas)


def task_tallies_rebuild(task_ids=None) -> dict:
    """The registry's rebuilder (``TasksConfig.aggregate_rebuilders``): every task with
    recipients, or ``task_ids``; tallies of tasks without recipients are removed."""
    from ..models import Task

    tasks = Task.objects.filter(assignments__isnull=False).distinct()
    if task_ids is not None:
        tasks = tasks.filter(pk__in=list(task_ids))
    ids = list(tasks.values_list("pk", flat=True))
    stale = TaskTally.objects.exclude(task_id__in=ids)
    if task_ids is not None:
        stale = stale.filter(task_id__in=list(task_ids))
    stale.delete()
    written = sum(task_tally_rebuild(pk) for pk in ids)
    return {"tasks": len(ids), "rows": written}
