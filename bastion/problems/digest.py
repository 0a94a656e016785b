"""The problems' part of a person's daily digest: problems they must rectify, overdue or close
to their deadline.

Listed in ``ProblemsConfig.digest_sources`` (the kernel's registry,
``bastion/core/notifications/digest.py``); ``digest_recipients`` names who may get it. A person
must act on a problem when they hold ``problems.change_problem`` over its responsible
organization and it is not rectified yet (待整改, 整改中, 验收未通过). Overdue is red; due within
the yellow window of ``problem_reminder_days`` (the colours of the problem pages) is yellow.
Three queries besides the grant.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from bastion.core.notifications import digest
from bastion.core.scope import within
from bastion.orgs.models import Role

from .models import Problem
from .selectors import windows
from .services.notify import RECTIFY
from .services.overdue import NOT_RECTIFIED

GROUPS = (("problems_overdue", "red"), ("problems_due", "yellow"))


def digest_recipients():
    """Active users holding, somewhere, a role that rectifies problems."""
    role_ids = [
        role.pk
        for role in Role.objects.only("id", "permissions")
        if RECTIFY in (role.permissions or ())
    ]
    return (
        get_user_model()
        .objects.filter(is_active=True, role_assignments__role_id__in=role_ids)
        .distinct()
    )


def to_act_on(user):
    """The problems ``user`` must rectify."""
    return Problem.objects.filter(
        within(user, RECTIFY, "responsible_org__path"), state__in=NOT_RECTIFIED
    )


def items(user, today: dt.date) -> list[dict]:
    """The digest sections of the problems ``user`` must act on ``today`` (none: [])."""
    rows = to_act_on(user)
    reminder_days = windows(today).reminder_days
    conditions = {
        "red": Q(deadline__lt=today),
        "yellow": Q(deadline__gte=today, deadline__lte=today + dt.timedelta(days=reminder_days)),
    }
    counts = rows.order_by().aggregate(
        **{level: Count("id", filter=condition) for level, condition in conditions.items()}
    )
    sections = []
    for group, level in GROUPS:
        if not counts[level]:
            continue
        lines = (
            rows.filter(conditions[level])
            .order_by("deadline", "responsible_org__path", "pk")
            .values("pk", "responsible_org__name", "description", "deadline")
        )[: digest.max_lines()]
        lines = [_line(row, level, today) for row in lines]
        sections.append(_section(group, level, counts[level], lines))
    return sections


def _section(group: str, level: str, total: int, lines: list[dict]) -> dict:
    titles = {"problems_overdue": _("逾期未整改的问题"), "problems_due": _("临近整改时限的问题")}
    return digest.section(group=group, title=titles[group], level=level, total=total, lines=lines)


def _line(row: dict, level: str, today: dt.date) -> dict:
    deadline = row["deadline"]
    note = digest.deadline_note(deadline, today, due_today=_("今天到期"))
    return {
        "level": level,
        "org": row["responsible_org__name"],
        "text": _("整改问题：%(problem)s") % {"problem": row["description"][:60]},
        "date": deadline.isoformat(),
        "note": note,
        "url": Problem(pk=row["pk"]).get_absolute_url(),
    }
