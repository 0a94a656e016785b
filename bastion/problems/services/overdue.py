"""The daily job of the problems: overdue problems are told and, by the rule, escalated.

Registered on ``ProblemsConfig.daily_jobs`` (the kernel's registry, ``bastion.core.daily``); the
agenda's ``daily_agenda`` runs it before the day's digests. The colour of a problem is computed
from its dates when read (``selectors.colour``); this job only sends messages and escalates.

* **Overdue**: a problem not rectified (待整改, 整改中, 验收未通过) whose deadline has passed.
  Its responsible side gets one message per problem and deadline (``notify.notify_overdue``).
* **Escalation**: the rule ``problem_escalate_days`` (a ``Threshold`` row with its source; 0
  turns it off) moves a problem overdue by that many days to the next library level
  (``rectify.escalate``: the committee above its owner), once per deadline; the step is kept in
  the problem's history and the new owner is told (``notify.notify_escalated``).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bastion.core.notifications.models import Notification
from bastion.core.thresholds import threshold

from ..models import Library, Problem, ProblemEvent, State
from .notify import notify_escalated, notify_overdue, overdue_key, responsible_side
from .rectify import escalate

NOT_RECTIFIED = [State.PLANNED, State.IN_PROGRESS, State.REJECTED]
CHUNK = 500


def escalate_days(today: dt.date) -> int:
    """Days past the deadline after which an unrectified problem escalates (0: never)."""
    return threshold("problem_escalate_days", today)


def problems_overdue_handle(*, today: dt.date) -> dict:
    """Escalate what the rule escalates, then tell the responsible side of every overdue
    problem not told yet; a second run the same day does nothing."""
    escalated = problems_escalate_overdue(today=today)
    return {"escalated": escalated, "told": _tell_overdue(today)}


def problems_escalate_overdue(*, today: dt.date) -> int:
    days = escalate_days(today)
    if not days:
        return 0
    candidates = (
        Problem.objects.filter(
            state__in=NOT_RECTIFIED, deadline__lte=today - dt.timedelta(days=days)
        )
        .exclude(library=Library.COMPANY)
        .select_related("owner", "organization", "responsible_org")
        .order_by("pk")
    )
    count = 0
    for problem in candidates:
        if _escalated_for_deadline(problem, days):
            continue
        count += _escalate(problem, today, days=(today - problem.deadline).days)
    return count


def _escalated_for_deadline(problem: Problem, days: int) -> bool:
    due = problem.deadline + dt.timedelta(days=days)
    return bool(problem.escalated_at) and timezone.localdate(problem.escalated_at) >= due


@transaction.atomic
def _escalate(problem: Problem, today: dt.date, *, days: int) -> int:
    """Escalate ``problem`` unless another run did since it was read (two cron hosts, two
    workers): the row is locked and read again (SQLite's IMMEDIATE transactions serialize
    the same way), so the step, its history line and its message happen once."""
    current = (
        Problem.objects.select_for_update()
        .filter(pk=problem.pk)
        .values_list("escalated_at", "owner_id", "state")
        .first()
    )
    if current != (problem.escalated_at, problem.owner_id, problem.state):
        return 0  # changed meanwhile (escalated by another run, moved by a person) or gone
    escalate(problem)
    problem.save(update_fields=["owner", "library", "escalated_at"])
    reason = _("逾期 %(days)s 天未整改，按规则提交%(library)s。") % {
        "days": days,
        "library": problem.get_library_display(),
    }
    ProblemEvent.objects.create(
        problem=problem, from_state=problem.state, to_state=problem.state, reason=reason
    )
    notify_escalated(problem, actor=None, reason=reason)
    return 1


def _tell_overdue(today: dt.date) -> int:
    problems = list(
        Problem.objects.filter(state__in=NOT_RECTIFIED, deadline__lt=today)
        .select_related("responsible_org", "responsible_person")
        .order_by("pk")
    )
    told = _already_told([overdue_key(p) for p in problems])
    problems = [p for p in problems if overdue_key(p) not in told]
    if not problems:
        return 0
    sides = responsible_side(problems)
    return sum(notify_overdue(p, sides[p.pk], today) for p in problems)


def _already_told(keys: list[str]) -> set[str]:
    told: set[str] = set()
    for start in range(0, len(keys), CHUNK):
        told.update(
            Notification.objects.filter(dedupe_key__in=keys[start : start + CHUNK])
            .values_list("dedupe_key", flat=True)
            .distinct()
        )
    return told
