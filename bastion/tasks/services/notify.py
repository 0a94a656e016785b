"""The task module's messages, all through the kernel's one service
(``bastion.core.notifications.services.notification_send``).

Who is told: the recipient organization's answerers, i.e. every active user holding
``tasks.change_assignment`` through a role on the recipient or on an organization between it
and the issuer (``core.notifications.holders``). Grants held on the issuer or above it are the
issuer's side: the sender is never told of their own sheet. Each person gets ONE message per
event, listing every recipient they answer for (a county secretary covering 30 stations gets one
message with 30 lines, not 30 messages).

Events (``Notification.event``):

* ``tasks.dispatched`` (``notify_dispatched``): a sheet dispatched or passed down; once per
  person and task. Its subjects are the assignments, so the sender's progress page shows read
  receipts per recipient (``dispatch_receipts``).
* ``tasks.returned`` / ``tasks.accepted`` (``notify_reviewed``): an answer sent back (with the
  reason) or accepted; the answerers and whoever submitted it.
* ``tasks.reminder`` (``late_reminders_send``, 一键催办): late recipients, once per person, task and
  day. ``tasks.due_soon`` (``due_reminders_send``, 一键提醒): recipients that have not answered
  yet, before the deadline, once per person, task and day.

A fixed number of queries whatever the number of recipients.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from bastion.core.notifications.digest import deadline_note
from bastion.core.notifications.holders import holders_by_target, targets_by_holder
from bastion.core.notifications.models import NotificationLevel
from bastion.core.notifications.selectors import receipts
from bastion.core.notifications.services import Recipient, notification_send
from bastion.core.scope import allows
from bastion.core.services import service

from ..models import OPEN_STATES, Assignment, AssignmentState, Task, TaskStatus

ANSWER_PERMISSION = "tasks.change_assignment"
MAX_LINES = 50
SECTION_GROUP = "task_reminder"
EVENT_DISPATCHED = "tasks.dispatched"
EVENT_RETURNED = "tasks.returned"
EVENT_ACCEPTED = "tasks.accepted"
EVENT_REMINDER = "tasks.reminder"
EVENT_DUE_SOON = "tasks.due_soon"
ASSIGNMENT_KIND = "tasks.assignment"


# --- who answers for which recipient --------------------------------------------------------


def answerers(task: Task, rows: list[tuple]) -> dict[int, list[tuple]]:
    """user id → the rows ``(assignment id, organization path, organization name)`` they answer
    for, in path order; two queries."""
    by_path: dict[str, list[tuple]] = {}
    for row in rows:
        by_path.setdefault(row[1], []).append(row)
    owed = targets_by_holder(ANSWER_PERMISSION, by_path, below=task.issuer.path)
    return {
        user_id: [row for path in paths for row in by_path[path]] for user_id, paths in owed.items()
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


def _personal(user_id, rows, *, section: dict, body: tuple[str, dict], url) -> Recipient:
    """One person's message: a section listing their recipients, a link to the one assignment
    (or to their task inbox when there are several), the assignments as subjects."""
    line = section.pop("line")
    lines = [{**line, "org": name, "url": url(pk)} for pk, _p, name in rows]
    section = {**section, "lines": lines[:MAX_LINES], "total": len(rows)}
    section["more"] = len(rows) - len(section["lines"])
    section["count_text"] = _("%(n)s 个组织") % {"n": len(rows)}
    link = lines[0]["url"] if len(rows) == 1 else _inbox_url(lines[0]["url"])
    return Recipient(
        user_id,
        body=body[0] % {**body[1], "n": len(rows)},
        url=link,
        items=[section],
        subjects=[(ASSIGNMENT_KIND, pk) for pk, _p, _n in rows],
    )


def _send_to_answerers(task, rows, *, actor, event, title, body, section, level, key, channels):
    owed = answerers(task, rows)
    if not owed:
        return 0
    url = assignment_urls()
    people = [
        _personal(user_id, user_rows, section=dict(section), body=body, url=url)
        for user_id, user_rows in owed.items()
    ]
    notes = notification_send(
        actor=actor,
        recipients=people,
        event=event,
        title=title,
        level=level,
        dedupe_key=key,
        channels=channels,
    )
    return len(notes)


# --- dispatched (and passed down) -----------------------------------------------------------


def notify_dispatched(task: Task, *, actor, assignments: list[Assignment]) -> int:
    """Tell the answerers of the new recipients that a sheet has come; return how many people
    were told. ``assignments`` carry their organization (as ``dispatch`` built them)."""
    rows = sorted(
        ((a.pk, a.organization.path, a.organization.name) for a in assignments),
        key=lambda row: (row[1], row[0]),
    )
    if not rows:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        title = (_("新工作单：%(title)s") % {"title": task.title})[:200]
        body = _(
            "%(issuer)s 派发了工作单《%(title)s》，反馈截止日期为 %(due)s，"
            "请为以下 %(n)s 个组织办理并反馈。"
        )
        section = _section(task, _("待办理的组织"), NotificationLevel.INFO, _("待反馈"))
        return _send_to_answerers(
            task,
            rows,
            actor=actor,
            event=EVENT_DISPATCHED,
            title=title,
            body=(body, _params(task)),
            section=section,
            level=NotificationLevel.INFO,
            key=f"{EVENT_DISPATCHED}:{task.pk}",
            channels=("email", "webhook"),
        )


def dispatch_receipts(task: Task, assignment_ids) -> dict:
    """assignment id → ``Receipt`` (told, read, first/last read time) of the dispatch message;
    one query for a page of recipients."""
    return receipts(event=EVENT_DISPATCHED, kind=ASSIGNMENT_KIND, object_ids=assignment_ids)


def _params(task: Task, **more) -> dict:
    return {"issuer": task.issuer.name, "title": task.title, "due": task.due_on.isoformat(), **more}


def _section(task: Task, title: str, level: str, note: str) -> dict:
    return {
        "group": SECTION_GROUP,
        "task": task.pk,
        "title": title,
        "level": level,
        "line": {"level": level, "text": task.title, "date": task.due_on.isoformat(), "note": note},
    }


# --- reviewed: returned or accepted ---------------------------------------------------------


def notify_reviewed(assignment: Assignment, *, actor) -> int:
    """An answer was sent back or accepted: its answerers (and whoever submitted it) learn it."""
    task = assignment.task
    returned = assignment.state == AssignmentState.RETURNED
    org = assignment.organization
    people = set(answerers(task, [(assignment.pk, org.path, org.name)]))
    submitter = assignment.submitted_by
    if submitter is not None and submitter.is_active:
        people.add(submitter.pk)
    with translation.override(settings.LANGUAGE_CODE):
        if returned:
            title = _("工作单反馈被退回：%(title)s") % {"title": task.title}
            body = _("原因：%(reason)s") % {"reason": assignment.return_reason}
        else:
            title = _("工作单反馈已采纳：%(title)s") % {"title": task.title}
            body = _("%(org)s 对工作单《%(title)s》的反馈已被采纳。") % {
                "org": org.name,
                "title": task.title,
            }
    notes = notification_send(
        actor=actor,
        recipients=sorted(people),
        event=EVENT_RETURNED if returned else EVENT_ACCEPTED,
        title=title[:200],
        body=body,
        url=assignment.get_absolute_url(),
        level=NotificationLevel.YELLOW if returned else NotificationLevel.GREEN,
        subjects=[assignment],
        dedupe_key="" if returned else f"{EVENT_ACCEPTED}:{assignment.pk}",
    )
    return len(notes)


# --- 催办 (late) and 提醒 (before the deadline) ----------------------------------------------


def late_reminders_send(*, actor=None, task: Task, now: dt.datetime) -> int:
    """催办: notify the people responsible for ``task``'s late recipients; return how many were
    notified (people already reminded of this task today are skipped)."""
    from .flow import late_assignments

    if task.status != TaskStatus.DISPATCHED:  # a closed task is owed no more answers
        return 0
    today = timezone.localdate(now)
    rows = _rows(late_assignments(task, today))
    if not rows:
        return 0
    days = (today - task.due_on).days
    with translation.override(settings.LANGUAGE_CODE):
        title = (_("催办：%(title)s") % {"title": task.title})[:200]
        body = _(
            "%(issuer)s 派发的工作单《%(title)s》反馈截止日期为 %(due)s，已逾期 %(days)s 天，"
            "以下 %(n)s 个组织尚未反馈，请尽快办理。"
        )
        note = deadline_note(task.due_on, today, due_today=_("今天截止"))
        section = _section(task, _("逾期未反馈的组织"), NotificationLevel.YELLOW, note)
        return _send_to_answerers(
            task,
            rows,
            actor=actor,
            event=EVENT_REMINDER,
            title=title,
            body=(body, _params(task, days=days)),
            section=section,
            level=NotificationLevel.YELLOW,
            key=f"{EVENT_REMINDER}:{task.pk}:{today.isoformat()}",
            channels=("email", "webhook"),
        )


def due_assignments(task: Task, today: dt.date | None = None):
    """Recipients that still owe an answer while the deadline has not passed (none after it:
    then they are late, and 催办 is the message)."""
    today = today or timezone.localdate()
    if today > task.due_on or task.status != TaskStatus.DISPATCHED:
        return Assignment.objects.none()
    return task.assignments.filter(Q(state__in=OPEN_STATES))


def due_reminders_send(*, actor=None, task: Task, now: dt.datetime) -> int:
    """提醒: before the deadline, notify the people responsible for recipients that have not
    answered yet; once per person, task and day. Returns how many were notified."""
    today = timezone.localdate(now)
    rows = _rows(due_assignments(task, today))
    if not rows:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        title = (_("提醒：%(title)s") % {"title": task.title})[:200]
        when = deadline_note(task.due_on, today, due_today=_("今天截止"))
        body = _(
            "%(issuer)s 派发的工作单《%(title)s》反馈截止日期为 %(due)s（%(when)s），"
            "以下 %(n)s 个组织尚未反馈，请按时办理。"
        )
        section = _section(task, _("尚未反馈的组织"), NotificationLevel.YELLOW, when)
        return _send_to_answerers(
            task,
            rows,
            actor=actor,
            event=EVENT_DUE_SOON,
            title=title,
            body=(body, _params(task, when=when)),
            section=section,
            level=NotificationLevel.YELLOW,
            key=f"{EVENT_DUE_SOON}:{task.pk}:{today.isoformat()}",
            channels=("email",),
        )


@service
def task_remind_due(*, actor, task: Task) -> int:
    """一键提醒: before the deadline, remind every recipient that has not answered yet; stamps
    ``reminded_at`` like 催办. Returns how many recipients were reminded."""
    if not allows(actor, "tasks.dispatch_task", task.issuer):
        raise PermissionDenied(_("您无权提醒该工作单。"))
    now = timezone.now()
    count = due_assignments(task, timezone.localdate(now)).update(reminded_at=now)
    if count:
        due_reminders_send(actor=actor, task=task, now=now)
    return count


# --- recipients nobody can be told about ---------------------------------------------------

UNREACHABLE_SHOWN = 20  # names in the message; the rest are counted


def unreachable_recipients(task: Task, assignments) -> list[tuple[int, str]]:
    """``(organization id, name)`` of the recipients among ``assignments`` for which no active
    account holds a role that answers the task (``ANSWER_PERMISSION`` on the recipient or
    between it and the issuer): the very people a 催办 or 提醒 goes to, so these recipients
    get no message. Two queries, in tree order."""
    rows = list(
        assignments.order_by("organization__path", "pk").values_list(
            "organization_id", "organization__path", "organization__name"
        )
    )
    if not rows:
        return []
    holders = holders_by_target(
        ANSWER_PERMISSION, [path for _id, path, _name in rows], below=task.issuer.path
    )
    return [(org_id, name) for org_id, path, name in rows if not holders.get(path)]


def unreachable_message(unreachable: list[tuple[int, str]]) -> str:
    """ "以下单位没有可接收催办的账号：…" naming them (empty when every recipient is reachable)."""
    if not unreachable:
        return ""
    names = "、".join(name for _id, name in unreachable[:UNREACHABLE_SHOWN])
    if len(unreachable) > UNREACHABLE_SHOWN:
        names = _("%(names)s 等 %(n)s 个单位") % {"names": names, "n": len(unreachable)}
    return _(
        "以下单位没有可接收催办的账号：%(names)s。请为这些单位开通账号并分配角色，或电话通知。"
    ) % {"names": names}


def _rows(assignments) -> list[tuple]:
    return list(
        assignments.order_by("organization__path", "pk").values_list(
            "pk", "organization__path", "organization__name"
        )
    )
