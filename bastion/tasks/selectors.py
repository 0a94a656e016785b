"""Reading tasks: one-click progress, the late list, rolled-up answers, a recipient's inbox."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from bastion.core.scope import subtree_q

from .models import OPEN_STATES, Assignment, AssignmentState, FieldKind, Task


@dataclass
class Progress:
    total: int = 0
    by_state: dict[str, int] = field(default_factory=dict)
    late_submitted: int = 0  # answered after the due date
    overdue_open: int = 0  # still owing an answer after the due date

    @property
    def answered(self) -> int:
        return self.by_state.get("submitted", 0) + self.by_state.get("accepted", 0)

    @property
    def on_time(self) -> int:
        return self.answered - self.late_submitted

    @property
    def on_time_rate(self) -> float | None:
        """Answers given by the due date, over all recipients (None before anyone is asked)."""
        return round(100 * self.on_time / self.total, 1) if self.total else None

    @property
    def accepted(self) -> int:
        return self.by_state.get("accepted", 0)


def progress(task: Task, *, assignments=None, today: dt.date | None = None) -> Progress:
    """Counts per state, late answers and overdue recipients: one query at any size.

    ``assignments`` narrows to what the reader may see or to a subtree (a queryset of the
    task's assignments); by default all of the task's.
    """
    today = today or timezone.localdate()
    rows = (assignments if assignments is not None else task.assignments.all()).order_by()
    overdue = Q(state__in=OPEN_STATES) if today > task.due_on else Q(pk__in=[])
    result = Progress()
    for state, count, late, open_late in (
        rows.values("state")
        .annotate(
            count=Count("id"),
            late=Count("id", filter=Q(late=True)),
            open_late=Count("id", filter=overdue),
        )
        .values_list("state", "count", "late", "open_late")
    ):
        result.by_state[state] = count
        result.total += count
        if state in (AssignmentState.SUBMITTED, AssignmentState.ACCEPTED):
            result.late_submitted += late
        result.overdue_open += open_late
    return result


def within(assignments, org):
    """The assignments of recipients inside ``org``'s subtree."""
    return assignments.filter(subtree_q("organization__path", org.path))


def rolled_up_values(assignment: Assignment) -> dict:
    """What the accepted answers of a passed-down task add up to, per field: numbers are
    summed, choices counted, dates give the latest, text is listed by organization."""
    child = getattr(assignment, "child_task", None)
    if child is None:
        return {}
    fields = list(child.fields.all())
    accepted = child.assignments.filter(state=AssignmentState.ACCEPTED).select_related(
        "organization"
    )
    totals: dict[str, object] = {}
    for f in fields:
        key = str(f.pk)
        answers = [(a.organization.name, a.values.get(key)) for a in accepted]
        answers = [(org, v) for org, v in answers if v not in (None, "")]
        totals[f.label] = _combine(f.kind, answers)
    return totals


def _combine(kind: str, answers: list[tuple[str, object]]):
    if kind == FieldKind.NUMBER:
        return sum(float(v) for _org, v in answers)
    if kind == FieldKind.CHOICE:
        counts: dict[str, int] = {}
        for _org, v in answers:
            counts[str(v)] = counts.get(str(v), 0) + 1
        return counts
    if kind == FieldKind.DATE:
        return max((str(v) for _org, v in answers), default=None)
    return [f"{org}：{v}" for org, v in answers]
