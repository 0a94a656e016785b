"""Reading problems: colours from the deadline, the three libraries, list filters.

Colours use the agenda's alert levels with the windows of thresholds ``problem_notice_days``
(green from) and ``problem_reminder_days`` (yellow from): read once per request.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bastion.core.alerts import BADGE_CLASS, alert_level
from bastion.core.scope import within
from bastion.core.thresholds import threshold

from .models import Problem, State

LEVEL_LABELS = {
    "red": _("已逾期"),
    "yellow": _("临期"),
    "green": _("即将到期"),
    "upcoming": _("未到期"),
    "late": _("逾期完成"),
    "done": _("按期完成"),
}


@dataclass(frozen=True)
class Windows:
    today: dt.date
    notice_days: int
    reminder_days: int


def windows(today: dt.date | None = None) -> Windows:
    today = today or timezone.localdate()
    return Windows(
        today, threshold("problem_notice_days", today), threshold("problem_reminder_days", today)
    )


def fulfilled_on(problem: Problem) -> dt.date | None:
    """Closed: the closing date; verified: the date the accepted rectification was submitted."""
    if problem.state == State.CLOSED:
        return problem.closed_on
    if problem.state == State.VERIFIED:
        return problem.submitted_on or problem.closed_on
    return None


def colour(problem: Problem, win: Windows) -> str:
    return alert_level(
        today=win.today,
        due_on=problem.deadline,
        green_from=problem.deadline - dt.timedelta(days=win.notice_days),
        yellow_from=problem.deadline - dt.timedelta(days=win.reminder_days),
        fulfilled_on=fulfilled_on(problem),
    )


def with_colours(problems, win: Windows | None = None):
    """Set ``colour``, ``colour_label`` and ``badge_class`` on each problem (no query)."""
    win = win or windows()
    labels = {level: str(label) for level, label in LEVEL_LABELS.items()}  # once per list
    for problem in problems:
        level = colour(problem, win)
        problem.colour = level
        problem.colour_label = labels[level]
        problem.badge_class = BADGE_CLASS[level]
    return problems


# --- querysets -------------------------------------------------------------------------------


def visible(user):
    return Problem.objects.restrict(user, "view")


def library(user, level: str):
    """A library level: problems whose ``owner`` lies in the user's view scope."""
    return Problem.objects.filter(library=level).filter(
        within(user, "problems.view_problem", "owner__path")
    )


def for_list(queryset):
    return queryset.select_related(
        "organization",
        "responsible_org",
        "responsible_person",
        "owner",
        "inspection__inspecting_org",
    )


def in_order(ids: list[int]) -> list[Problem]:
    """The problems of ``ids`` for a list page, in the order of ``ids`` (one query)."""
    rows = for_list(Problem.objects.filter(pk__in=ids)).in_bulk()
    return [rows[pk] for pk in ids if pk in rows]


def rectification_by_org(org_ids, start: dt.date, end: dt.date) -> dict:
    """organization id → (rectified on time, due): problems a responsible organization had to
    rectify by a deadline between ``start`` and ``end``, and how many it closed or had verified
    by that deadline. The evaluation reads this."""
    on_time = Q(state=State.CLOSED, closed_on__lte=F("deadline")) | Q(
        state=State.VERIFIED, submitted_on__lte=F("deadline")
    )
    rows = (
        Problem.objects.filter(
            responsible_org_id__in=org_ids, deadline__gte=start, deadline__lte=end
        )
        .values("responsible_org_id")
        .annotate(due=Count("id"), done=Count("id", filter=on_time))
        .values_list("responsible_org_id", "done", "due")
    )
    return {org_id: (done, due) for org_id, done, due in rows}


# --- the rows behind rectification_by_org (an evaluation result lists them) --------------------


def rectification_counted(org_ids, start: dt.date, end: dt.date):
    """The problems ``rectification_by_org`` counts, as rows: a responsible organization's
    problems with a deadline between ``start`` and ``end``."""
    return Problem.objects.filter(
        responsible_org_id__in=org_ids, deadline__gte=start, deadline__lte=end
    )


def rectified_on_time_q() -> Q:
    """Closed, or submitted and verified, by the deadline."""
    return Q(state=State.CLOSED, closed_on__lte=F("deadline")) | Q(
        state=State.VERIFIED, submitted_on__lte=F("deadline")
    )
