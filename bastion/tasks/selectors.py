"""Reading tasks: one-click progress, the late list, rolled-up answers, a recipient's inbox."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from bastion.core.scope import grant, subtree_q

from .models import OPEN_STATES, Assignment, AssignmentState, FieldKind, Task, TaskStatus


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
    """What the accepted answers of a passed-down task add up to, per field label: numbers are
    summed (as Decimal), choices counted, dates give the latest, files counted, text is listed
    by organization. Three queries at any size."""
    child = getattr(assignment, "child_task", None)
    if child is None:
        return {}
    fields = list(child.fields.all())
    accepted = list(
        child.assignments.filter(state=AssignmentState.ACCEPTED).select_related("organization")
    )
    totals: dict[str, object] = {}
    for f in fields:
        key = str(f.pk)
        answers = [(a.organization.name, a.values.get(key)) for a in accepted]
        answers = [(org, v) for org, v in answers if v not in (None, "", [])]
        totals[f.label] = _combine(f.kind, answers)
    return totals


def _combine(kind: str, answers: list[tuple[str, object]]):
    if kind == FieldKind.NUMBER:
        total = Decimal(0)
        for _org, v in answers:
            try:
                total += Decimal(str(v))
            except InvalidOperation:
                continue
        return total
    if kind == FieldKind.CHOICE:
        counts: dict[str, int] = {}
        for _org, v in answers:
            counts[str(v)] = counts.get(str(v), 0) + 1
        return counts
    if kind == FieldKind.DATE:
        return max((str(v) for _org, v in answers), default=None)
    if kind == FieldKind.FILE:
        return sum(len(v) if isinstance(v, list) else 1 for _org, v in answers)
    return [f"{org}：{v}" for org, v in answers]


# --- a recipient's inbox ----------------------------------------------------------------------


def due_soon_days() -> int:
    """How many days before the due date an open assignment counts as "due soon" (即将到期):
    the ``task_due_soon_days`` threshold in force (data, with its source)."""
    from bastion.core.thresholds import threshold

    return threshold("task_due_soon_days")


INBOX_GROUPS = ["overdue", "due_soon", "waiting", "submitted", "done"]


def inbox_assignments(user):
    """The assignments ``user`` answers for: every recipient where they hold change_assignment,
    minus the tasks they issued themselves (those they review, on the issuer's pages)."""
    rows = Assignment.objects.restrict(user, "change")
    review = grant(user, "tasks.review_task")
    if review.everywhere:
        return rows.none()
    if review:
        rows = rows.exclude(review.q("task__issuer__path"))
    return rows


def inbox_q(group: str, today: dt.date, soon_days: int) -> Q:
    """The condition of one inbox group. Open answers of closed tasks are no longer owed."""
    owed = Q(state__in=OPEN_STATES, task__status=TaskStatus.DISPATCHED)
    soon_end = today + dt.timedelta(days=soon_days)
    return {
        "overdue": owed & Q(task__due_on__lt=today),
        "due_soon": owed & Q(task__due_on__gte=today, task__due_on__lte=soon_end),
        "waiting": owed & Q(task__due_on__gt=soon_end),
        "submitted": Q(state=AssignmentState.SUBMITTED),
        "done": Q(state=AssignmentState.ACCEPTED),
    }[group]


def inbox_counts(assignments, today: dt.date | None = None) -> dict[str, int]:
    """Counts per inbox group (and returned ones among the owed): one query."""
    today = today or timezone.localdate()
    soon = due_soon_days()
    aggregates = {g: Count("id", filter=inbox_q(g, today, soon)) for g in INBOX_GROUPS}
    aggregates["returned"] = Count(
        "id", filter=Q(state=AssignmentState.RETURNED, task__status=TaskStatus.DISPATCHED)
    )
    return assignments.order_by().aggregate(**aggregates)


# --- an assignment's state history -----------------------------------------------------------


def state_history(assignment: Assignment, limit: int = 100) -> list[dict]:
    """Dispatch, first reading, submissions and reviews in time order: one query.

    Reading is not audited (``flow.assignment_mark_read``); its time comes from ``read_at``.
    """
    from auditlog.models import LogEntry

    labels = dict(AssignmentState.choices)
    events = []
    entries = (
        LogEntry.objects.get_for_object(assignment)
        .select_related("actor__person__organization")
        .order_by("-timestamp", "-id")[:limit]
    )
    for entry in entries:
        changes = entry.changes_dict or {}
        state = changes.get("state")
        if not state or len(state) != 2:
            continue
        after = state[1]
        reason = ""
        if after == AssignmentState.RETURNED:
            reason = (changes.get("return_reason") or ["", ""])[1]
            if reason in (None, "None"):
                reason = ""
        events.append(
            {
                "at": entry.timestamp,
                "actor": entry.actor,
                "state": after,
                "label": _("派发") if after == AssignmentState.UNREAD else labels.get(after, after),
                "reason": reason,
            }
        )
    _add_unaudited(events, assignment, labels)
    # Reading comes before whatever happened in the same instant (a submit also reads).
    return sorted(events, key=lambda e: (e["at"], e["state"] != "read"))


def _add_unaudited(events: list[dict], assignment: Assignment, labels: dict) -> None:
    """Rows written without the services (imports, demo data) have no audit entries: their
    own timestamps stand in for what is missing. Reading is never audited."""
    seen = {e["state"] for e in events}
    known = [
        (AssignmentState.UNREAD, assignment.task.dispatched_at, _("派发"), None),
        ("read", assignment.read_at, _("已读"), None),
        (
            AssignmentState.SUBMITTED,
            assignment.submitted_at,
            labels["submitted"],
            assignment.submitted_by,
        ),
    ]
    if assignment.state in (AssignmentState.RETURNED, AssignmentState.ACCEPTED):
        known.append(
            (
                assignment.state,
                assignment.reviewed_at,
                labels[assignment.state],
                assignment.reviewed_by,
            )
        )
    for state, at, label, actor in known:
        if at and (state == "read" or state not in seen):
            reason = assignment.return_reason if state == AssignmentState.RETURNED else ""
            events.append(
                {"at": at, "actor": actor, "state": state, "label": label, "reason": reason}
            )


def answered_by_org(org_ids, start: dt.date, end: dt.date) -> dict:
    """organization id → (answered on time, owed): dispatched sheets due between ``start`` and
    ``end`` and how many each recipient answered by the due date. The evaluation reads this."""
    rows = (
        Assignment.objects.filter(
            organization_id__in=org_ids, task__due_on__gte=start, task__due_on__lte=end
        )
        .exclude(task__status=TaskStatus.DRAFT)
        .values("organization_id")
        .annotate(
            owed=Count("id"),
            on_time=Count("id", filter=Q(submitted_at__date__lte=F("task__due_on"))),
        )
        .values_list("organization_id", "on_time", "owed")
    )
    return {org_id: (on_time, owed) for org_id, on_time, owed in rows}


# --- the rows behind answered_by_org (an evaluation result lists them) -------------------------


def answers_counted(org_ids, start: dt.date, end: dt.date):
    """The dispatched sheets ``answered_by_org`` counts, as rows: due between ``start`` and
    ``end``, drafts left out."""
    return Assignment.objects.filter(
        organization_id__in=org_ids, task__due_on__gte=start, task__due_on__lte=end
    ).exclude(task__status=TaskStatus.DRAFT)


def answered_on_time_q() -> Q:
    return Q(submitted_at__date__lte=F("task__due_on"))
