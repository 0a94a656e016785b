"""The tasks' part of a person's daily digest: task sheets they owe, overdue or due soon.

Listed in ``TasksConfig.digest_sources``; the kernel's digest calls ``items(user, today)`` and
appends the sections it returns (the registry's shape: ``group``, ``title``, ``count_text``,
``level``, ``total``, ``lines``, ``more``; a line is ``level``, ``org``, ``text``, ``date``,
``note``, ``url``).

What a person owes is what their inbox (我的任务) lists as 已逾期 / 即将到期: the inbox's own
selectors (``selectors.inbox_assignments``, ``inbox_q``, ``due_soon_days``), so the digest and
the inbox never disagree. The issuer's side is not reminded of its own tasks. Three queries.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from bastion.core.notifications import digest

from .selectors import due_soon_days, inbox_assignments, inbox_q

GROUPS = (  # (section group, inbox group, alert level)
    ("tasks_overdue", "overdue", "red"),
    ("tasks_due", "due_soon", "yellow"),
)


def items(user, today: dt.date) -> list[dict]:
    """The digest sections of the task sheets ``user`` owes on ``today`` (none: [])."""
    rows = inbox_assignments(user)
    soon = due_soon_days()
    conditions = {inbox: inbox_q(inbox, today, soon) for _group, inbox, _level in GROUPS}
    counts = rows.order_by().aggregate(
        **{inbox: Count("id", filter=condition) for inbox, condition in conditions.items()}
    )
    sections = []
    for group, inbox, level in GROUPS:
        if not counts[inbox]:
            continue
        lines = (
            rows.filter(conditions[inbox])
            .order_by("task__due_on", "organization__path", "pk")
            .values("pk", "organization__name", "task__title", "task__due_on", "state")
        )[: digest.max_lines()]
        sections.append(
            _section(group, level, counts[inbox], [_line(row, level, today) for row in lines])
        )
    return sections


def _section(group: str, level: str, total: int, lines: list[dict]) -> dict:
    titles = {"tasks_overdue": _("逾期未反馈的工作单"), "tasks_due": _("即将截止的工作单")}
    return digest.section(group=group, title=titles[group], level=level, total=total, lines=lines)


def _line(row: dict, level: str, today: dt.date) -> dict:
    due_on = row["task__due_on"]
    note = digest.deadline_note(due_on, today, due_today=_("今天截止"))
    if row["state"] == "returned":
        note = _("%(note)s（已退回，待重新反馈）") % {"note": note}
    return {
        "level": level,
        "org": row["organization__name"],
        "text": _("工作单：%(title)s") % {"title": row["task__title"]},
        "date": due_on.isoformat(),
        "note": note,
        "url": _url(row["pk"]),
    }


def _url(pk: int) -> str:
    try:
        return reverse("tasks:assignment_detail", args=[pk])
    except NoReverseMatch:
        return ""
