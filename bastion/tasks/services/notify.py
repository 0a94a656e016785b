"""催办: the in-app reminder sent to the people who answer for late recipients.

``send_reminders(task, now)`` is called by ``flow.remind_late`` (一键催办). Every user who holds
``tasks.change_assignment`` on a late recipient, through a role held on the recipient or on an
organization between it and the issuer, gets one yellow notification per task and day listing
the late recipients they answer for. Grants held on the issuer or above it are the issuer's side:
the person who clicks is not reminded of their own task. A second click the same day sends
nothing new to the same person. Five queries for 3,000 recipients.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from bastion.agenda.models import Notification, NotificationLevel
from bastion.core.scope import subtree_q
from bastion.orgs.models import Organization, Role, RoleAssignment

from ..models import Task, TaskStatus

REMIND_PERMISSION = "tasks.change_assignment"
MAX_LINES = 50
SECTION_GROUP = "task_reminder"


def send_reminders(task: Task, now: dt.datetime) -> int:
    """Notify the people responsible for ``task``'s late recipients; return how many were
    notified (people already reminded of this task today are skipped)."""
    from .flow import late_assignments

    if task.status != TaskStatus.DISPATCHED:  # a closed task is owed no more answers
        return 0
    today = timezone.localdate(now)
    late = list(
        late_assignments(task, today)
        .order_by("organization__path", "pk")
        .values_list("pk", "organization__path", "organization__name")
    )
    if not late:
        return 0
    owed = _assignments_by_user(task.issuer.path, late)
    already = _reminded_today(task, today, now)
    url = assignment_urls()
    with translation.override(settings.LANGUAGE_CODE):
        notes = [
            _notification(task, user_id, rows, today, url)
            for user_id, rows in owed.items()
            if user_id not in already
        ]
    Notification.objects.bulk_create(notes, batch_size=1000)
    return len(notes)


def _assignments_by_user(issuer_path: str, late: list[tuple]) -> dict[int, list[tuple]]:
    """user id → the late rows they answer for: grants strictly below the issuer whose path
    is an ancestor-or-self of the recipient's."""
    role_ids = [
        role.pk
        for role in Role.objects.only("id", "permissions")
        if REMIND_PERMISSION in (role.permissions or ())
    ]
    grants = (
        RoleAssignment.objects.filter(role_id__in=role_ids, user__is_active=True)
        .filter(subtree_q("organization__path", issuer_path))
        .exclude(organization__path=issuer_path)
        .values_list("user_id", "organization__path")
    )
    users_at: dict[str, set[int]] = {}
    for user_id, path in grants:
        users_at.setdefault(path, set()).add(user_id)
    owed: dict[int, list[tuple]] = {}
    step = Organization.steplen
    start = len(issuer_path) + step
    for row in late:
        path = row[1]
        users: set[int] = set()
        for end in range(start, len(path) + 1, step):
            users |= users_at.get(path[:end], set())
        for user_id in users:
            owed.setdefault(user_id, []).append(row)
    return owed


def _title(task: Task) -> str:
    return (_("催办：%(title)s") % {"title": task.title})[:200]


def _reminded_today(task: Task, today: dt.date, now: dt.datetime) -> set[int]:
    """People who already got this task's reminder today (the task id is in the items)."""
    start = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    with translation.override(settings.LANGUAGE_CODE):
        title = _title(task)
    rows = Notification.objects.filter(
        title=title, created_at__gte=start, created_at__lte=now, digest_on__isnull=True
    ).values_list("recipient_id", "items")
    return {
        user_id
        for user_id, items in rows
        if isinstance(items, list) and any(s.get("task") == task.pk for s in items)
    }


def assignment_urls():
    """``pk -> url`` of the assignment page, reversed once for every line."""
    sentinel = 2147483647
    try:
        pattern = reverse("tasks:assignment_detail", args=[sentinel])
    except NoReverseMatch:
        return lambda pk: ""
    head, tail = pattern.rsplit(str(sentinel), 1)
    return lambda pk: f"{head}{pk}{tail}"


def _inbox_url(first_url: str) -> str:
    try:
        return reverse("tasks:assignment_inbox")
    except NoReverseMatch:
        return first_url


def _notification(task: Task, user_id: int, rows: list[tuple], today: dt.date, url) -> Notification:
    days = (today - task.due_on).days
    note = _("已逾期 %(days)s 天") % {"days": days}
    lines = [
        {
            "level": NotificationLevel.YELLOW.value,
            "org": name,
            "text": task.title,
            "date": task.due_on.isoformat(),
            "note": note,
            "url": url(pk),
        }
        for pk, _path, name in rows[:MAX_LINES]
    ]
    section = {
        "group": SECTION_GROUP,
        "task": task.pk,
        "title": _("逾期未反馈的组织"),
        "count_text": _("%(n)s 个组织") % {"n": len(rows)},
        "level": NotificationLevel.YELLOW.value,
        "total": len(rows),
        "lines": lines,
        "more": len(rows) - len(lines),
    }
    body = _(
        "%(issuer)s 派发的工作单《%(title)s》反馈截止日期为 %(due)s，已逾期 %(days)s 天，"
        "以下 %(n)s 个组织尚未反馈，请尽快办理。"
    ) % {
        "issuer": task.issuer.name,
        "title": task.title,
        "due": task.due_on.isoformat(),
        "days": days,
        "n": len(rows),
    }
    link = lines[0]["url"] if len(rows) == 1 else _inbox_url(lines[0]["url"])
    return Notification(
        recipient_id=user_id,
        level=NotificationLevel.YELLOW,
        title=_title(task),
        body=body,
        url=link,
        items=[section],
    )
