"""The assignment state machine: dispatch, read, submit, return, accept, pass down.

unread → read → submitted → accepted, or submitted → returned (a reason) → submitted again.
An accepted answer is locked. A submission after the due date is marked late. Dispatch writes
one row per recipient in bulk: 3,000 organizations in one statement batch.
"""

from __future__ import annotations

import datetime as dt

from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from bastion.core.scope import allows, grant, subtree_q
from bastion.core.services import audit_bulk, service
from bastion.orgs.models import Organization

from ..models import OPEN_STATES, Assignment, AssignmentState, Task, TaskAttachment, TaskStatus
from .tally import tally_add_dispatched, tally_tracking

BATCH = 2000


def _require(actor, permission: str, org: Organization, message: str) -> None:
    if not allows(actor, permission, org):
        raise PermissionDenied(message)


def is_issuer_side(user, assignment: Assignment) -> bool:
    """The user reviews for the organization that issued the task (or one above it)."""
    return allows(user, "tasks.review_task", assignment.task.issuer)


def can_review(user, assignment: Assignment) -> bool:
    return is_issuer_side(user, assignment)


def can_answer(user, assignment: Assignment) -> bool:
    """The user answers for the recipient: holds change_assignment on it and is not the issuer
    (an issuer never fills in its own sheet, even where its scope covers the recipient)."""
    return allows(user, "tasks.change_assignment", assignment.organization) and not (
        is_issuer_side(user, assignment)
    )


def recipients_query(*, issuer: Organization, within=None, unit_kind=None, kinds=None, ids=None):
    """Organizations a task may go to: inside the issuer's subtree, never the issuer itself.

    ``within`` narrows to a subtree, ``unit_kind`` / ``kinds`` to a kind of unit or
    organization, ``ids`` to a hand-picked list. Inactive organizations are never recipients.
    """
    query = Organization.objects.filter(subtree_q("path", issuer.path), is_active=True).exclude(
        pk=issuer.pk
    )
    if within is not None:
        query = query.filter(subtree_q("path", within.path))
    if unit_kind:
        query = query.filter(unit_kind=unit_kind)
    if kinds:
        query = query.filter(kind__in=kinds)
    if ids is not None:
        query = query.filter(pk__in=ids)
    return query


@service
def task_dispatch(*, actor, task: Task, recipients) -> int:
    """Push ``task`` to every organization in ``recipients`` (a queryset, ids or organizations).

    Already-assigned organizations are skipped, so a second dispatch only adds. Recipients
    must lie in the issuer's subtree and in the actor's scope; any other id is refused.
    """
    _require(actor, "tasks.dispatch_task", task.issuer, _("您无权以该组织名义派发工作单。"))
    if task.status == TaskStatus.CLOSED:
        raise ValidationError(_("工作单已结束，不能再派发。"))
    if not task.pk or task.due_on < timezone.localdate() and task.status == TaskStatus.DRAFT:
        raise ValidationError({"due_on": _("反馈截止日期已过，请先修改截止日期再派发。")})
    ids = _recipient_ids(task, actor, recipients)
    if not ids:
        raise ValidationError({"recipients": _("请至少选择一个在用的承办组织。")})
    existing = set(Assignment.objects.filter(task=task).values_list("organization_id", flat=True))
    orgs = Organization.objects.in_bulk([i for i in ids if i not in existing])
    rows = [Assignment(task=task, organization=orgs[i]) for i in ids if i in orgs]
    Assignment.objects.bulk_create(rows, batch_size=BATCH)
    tally_add_dispatched(task.pk, [row.organization.path for row in rows])
    if rows and rows[0].pk is None:  # a backend that does not return ids from bulk inserts
        rows = list(Assignment.objects.filter(task=task).exclude(organization_id__in=existing))
    created = [
        (row, {"state": [None, AssignmentState.UNREAD]}, LogEntry.Action.CREATE) for row in rows
    ]
    audit_bulk(actor=actor, model=Assignment, changes_by_object=created)
    if task.status == TaskStatus.DRAFT:
        task.status, task.dispatched_at = TaskStatus.DISPATCHED, timezone.now()
        task.save(update_fields=["status", "dispatched_at"])
    from .notify import notify_dispatched

    notify_dispatched(task, actor=actor, assignments=rows)  # one message per answerer
    return len(rows)


def _recipient_ids(task: Task, actor, recipients) -> list[int]:
    """The active organizations among ``recipients``; any outside the issuer's subtree or the
    actor's scope refuses the whole dispatch (named in the message), inactive ones are skipped."""
    if hasattr(recipients, "values_list"):
        wanted = set(recipients.values_list("pk", flat=True))
    else:
        try:
            wanted = {int(getattr(i, "pk", i)) for i in recipients}
        except (TypeError, ValueError):
            raise ValidationError({"recipients": _("承办组织的编号无效。")}) from None
    inside = (
        Organization.objects.filter(subtree_q("path", task.issuer.path), pk__in=wanted)
        .exclude(pk=task.issuer.pk)
        .values_list("pk", "path", "is_active")
    )
    dispatchable = grant(actor, "tasks.dispatch_task")
    ids, allowed = [], set()
    for pk, path, active in inside:
        if dispatchable.covers(path):
            allowed.add(pk)
            if active:
                ids.append(pk)
    refused = wanted - allowed
    if refused:
        names = dict(Organization.objects.filter(pk__in=refused).values_list("pk", "name"))
        shown = [names.get(i, str(i)) for i in sorted(refused)[:20]]
        more = _("等 %(n)s 个") % {"n": len(refused)} if len(refused) > 20 else ""
        raise ValidationError(
            {
                "recipients": _("以下组织不在派发组织的下级范围内：%(names)s%(more)s。")
                % {"names": "、".join(shown), "more": more}
            }
        )
    return sorted(ids)


def assignment_mark_read(*, actor, assignment: Assignment) -> None:
    """The recipient opened it. Only the first opening counts; no audit entry for reading.
    The issuer looking at a recipient's answer does not mark it read."""
    if assignment.state == AssignmentState.UNREAD and can_answer(actor, assignment):
        with tally_tracking(assignment.task_id, [assignment.pk]):
            Assignment.objects.filter(pk=assignment.pk, state=AssignmentState.UNREAD).update(
                state=AssignmentState.READ, read_at=timezone.now()
            )
        assignment.state = AssignmentState.READ


@service
def assignment_submit(
    *, actor, assignment: Assignment, feedback: str = "", values=None
) -> Assignment:
    """The recipient answers (again, after a return). ``values`` are already cleaned by the
    task's form (``forms.feedback_form``); accepted answers are locked."""
    _require(actor, "tasks.change_assignment", assignment.organization, _("您无权为该组织反馈。"))
    if assignment.state == AssignmentState.ACCEPTED:
        raise ValidationError(_("反馈已被采纳并锁定，不能再修改。"))
    if assignment.state == AssignmentState.SUBMITTED:
        raise ValidationError(_("反馈已提交，等待审核；被退回后才能修改。"))
    if assignment.task.status == TaskStatus.CLOSED:
        raise ValidationError(_("工作单已结束，不能再反馈。"))
    if is_issuer_side(actor, assignment):
        raise PermissionDenied(_("派发组织不能代替承办组织反馈。"))
    now = timezone.now()
    assignment.feedback = feedback
    assignment.values = values or {}
    assignment.state = AssignmentState.SUBMITTED
    assignment.submitted_at, assignment.submitted_by = now, actor
    assignment.late = timezone.localdate(now) > assignment.task.due_on
    assignment.read_at = assignment.read_at or now
    with tally_tracking(assignment.task_id, [assignment.pk]):
        assignment.save()
    return assignment


@service
def assignment_return(*, actor, assignment: Assignment, reason: str) -> Assignment:
    _review_check(assignment, actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("退回时必须填写退回原因。")})
    if len(reason) > 500:
        raise ValidationError({"reason": _("退回原因不能超过 500 字。")})
    assignment.state, assignment.return_reason = AssignmentState.RETURNED, reason
    assignment.reviewed_by, assignment.reviewed_at = actor, timezone.now()
    with tally_tracking(assignment.task_id, [assignment.pk]):
        assignment.save(update_fields=["state", "return_reason", "reviewed_by", "reviewed_at"])
    _tell_reviewed(assignment, actor)
    return assignment


def _tell_reviewed(assignment: Assignment, actor) -> None:
    """The answerers (and whoever submitted) learn at once that it came back, and why, or
    that it was accepted."""
    from .notify import notify_reviewed

    notify_reviewed(assignment, actor=actor)


@service
def assignment_accept(*, actor, assignment: Assignment) -> Assignment:
    _review_check(assignment, actor)
    assignment.state = AssignmentState.ACCEPTED
    assignment.reviewed_by, assignment.reviewed_at = actor, timezone.now()
    with tally_tracking(assignment.task_id, [assignment.pk]):
        assignment.save(update_fields=["state", "reviewed_by", "reviewed_at"])
    _tell_reviewed(assignment, actor)
    return assignment


def _review_check(assignment: Assignment, actor) -> None:
    _require(actor, "tasks.review_task", assignment.task.issuer, _("只有派发组织可以审核反馈。"))
    if assignment.state != AssignmentState.SUBMITTED:
        raise ValidationError(_("只能审核已提交、待审核的反馈。"))


@service
def assignment_pass_down(
    *, actor, assignment: Assignment, recipients, due_on: dt.date | None = None
) -> Task:
    """The recipient forwards the task to its own subtree: a child task with the same form,
    issued by the recipient, due no later than the parent. Accepted answers below roll up into
    this assignment (``selectors.rolled_up_values``)."""
    org = assignment.organization
    _require(actor, "tasks.dispatch_task", org, _("您无权向下转派该工作单。"))
    if assignment.state not in OPEN_STATES:
        raise ValidationError(_("已反馈的工作单不能再向下转派。"))
    if assignment.task.status == TaskStatus.CLOSED:
        raise ValidationError(_("工作单已结束，不能再向下转派。"))
    if Task.objects.filter(parent_assignment=assignment).exists():
        child = assignment.child_task
    else:
        parent = assignment.task
        due = due_on or parent.due_on
        if due > parent.due_on:
            raise ValidationError(
                {
                    "due_on": _("转派的截止日期不能晚于上级要求的 %(d)s。")
                    % {"d": parent.due_on.isoformat()}
                }
            )
        child = Task.objects.create(
            title=parent.title,
            body=parent.body,
            issuer=org,
            due_on=due,
            priority=parent.priority,
            parent_assignment=assignment,
            cascade_item=parent.cascade_item,
            created_by=actor,
        )
        for field in parent.fields.all():
            field.pk, field.task = None, child
            field.save()
        # The sheet's files go down with it: the rows share the stored files (drafts only may
        # delete files, and a passed-down task is never a draft).
        TaskAttachment.objects.bulk_create(
            TaskAttachment(task=child, file=a.file.name, original_name=a.original_name, size=a.size)
            for a in parent.attachments.all()
        )
    task_dispatch(task=child, actor=actor, recipients=recipients)
    assignment_mark_read(assignment=assignment, actor=actor)
    return child


@service
def task_remind_late(*, actor, task: Task) -> int:
    """One click: a reminder to every recipient that still owes an answer past the due date."""
    _require(actor, "tasks.dispatch_task", task.issuer, _("您无权催办该工作单。"))
    late = late_assignments(task)
    now = timezone.now()
    count = late.update(reminded_at=now)
    from .notify import late_reminders_send

    late_reminders_send(actor=actor, task=task, now=now)
    return count


def late_assignments(task: Task, today: dt.date | None = None):
    today = today or timezone.localdate()
    if today <= task.due_on:
        return Assignment.objects.none()
    return task.assignments.filter(Q(state__in=OPEN_STATES))


__all__ = [
    "assignment_accept",
    "assignment_mark_read",
    "assignment_pass_down",
    "assignment_return",
    "assignment_submit",
    "can_answer",
    "can_review",
    "is_issuer_side",
    "late_assignments",
    "recipients_query",
    "task_dispatch",
    "task_remind_late",
]
