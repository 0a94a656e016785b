"""A person's share of the tasks, for the kernel's 我的任务 (``TasksConfig.my_work``).

What their organizations owe and they answer for, overdue or due soon: the inbox's own groups
(``selectors.inbox_q``), so the home page and the inbox never disagree. One query, at most
``SHOWN`` rows whatever the inbox holds; nothing for who answers for no organization.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils.translation import gettext as _

from bastion.core.my_work import WorkItem
from bastion.core.scope import has_permission_anywhere

from . import selectors

ANSWER = "tasks.change_assignment"
SHOWN = 20


def owed_answers(user, today: dt.date):
    """Assignments ``user`` answers for that are overdue or due soon, soonest first."""
    soon = selectors.due_soon_days()
    owed = selectors.inbox_q("overdue", today, soon) | selectors.inbox_q("due_soon", today, soon)
    return (
        selectors.inbox_assignments(user)
        .filter(owed & Q(organization__is_active=True))
        .select_related("task", "organization")
        .order_by("task__due_on", "organization__path")[:SHOWN]
    )


def work_items(user, today: dt.date) -> list[WorkItem]:
    if not has_permission_anywhere(user, ANSWER):
        return []
    return [
        WorkItem(
            label=_("反馈：%(title)s") % {"title": row.task.title},
            detail=row.organization.name,
            url=row.get_absolute_url(),
            due_on=row.task.due_on,
            level="red" if row.task.due_on < today else "yellow",
        )
        for row in owed_answers(user, today)
    ]
