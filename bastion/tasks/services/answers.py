"""A recipient's answer with its files: check everything, store the files, then submit.

``flow.assignment_submit`` moves the state; this service is what the feedback page and the API
call when the answer carries evidence: answers for the typed fields (checked by
``feedback.clean_values``), files per file field, general evidence, and files to remove (while the
answer is still open).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from bastion.core import evidence as checks
from bastion.core.services import service

from .. import feedback as answers
from ..models import OPEN_STATES, Assignment, FeedbackFile, FieldKind, TaskStatus
from . import flow

MAX_FEEDBACK = 5000
SUBMITTED_FIELDS = (
    "state",
    "feedback",
    "values",
    "submitted_at",
    "submitted_by",
    "late",
    "read_at",
)


def _errors_add(errors: dict, key: str, messages) -> None:
    errors.setdefault(key, []).extend(str(m) for m in messages)


def assignment_check_open(*, actor, assignment: Assignment) -> None:
    """Refuse before anything is stored: who answers, and whether the answer is still open."""
    if not flow.can_answer(actor, assignment):
        raise PermissionDenied(_("您无权为该组织反馈。"))
    if assignment.task.status == TaskStatus.CLOSED:
        raise ValidationError(_("工作单已结束，不能再反馈。"))
    if assignment.state not in OPEN_STATES:
        if assignment.state == "accepted":
            raise ValidationError(_("反馈已被采纳并锁定，不能再修改。"))
        raise ValidationError(_("反馈已提交，等待审核；被退回后才能修改。"))


def _check_uploads(label: str, uploads, errors: dict) -> list[checks.CheckedFile]:
    try:
        return checks.check_uploads(uploads)
    except ValidationError as exc:
        _errors_add(errors, label, exc.messages)
        return []


def _store(assignment: Assignment, field_id, checked: list[checks.CheckedFile], stored: list):
    for item in checked:
        row = FeedbackFile(
            assignment=assignment,
            field_id=field_id,
            original_name=item.original_name,
            size=item.size,
        )
        item.upload.seek(0)
        row.file.save(item.storage_name(), item.upload, save=False)
        stored.append(row)
        row.save()


@service
def assignment_answer(
    *,
    actor,
    assignment: Assignment,
    feedback: str = "",
    values=None,
    files=None,
    evidence=(),
    remove_files=(),
) -> Assignment:
    """Submit (or, after a return, resubmit) the answer.

    ``values`` maps field id to the raw answer of each typed field; ``files`` maps a file
    field's id to its new uploads; ``evidence`` are files for the whole answer;
    ``remove_files`` ids of this answer's earlier files to drop. Every problem is reported at
    once, keyed by the field's label, and nothing is written.
    """
    given, assignment = (
        assignment,
        Assignment.objects.select_related("task__issuer", "organization").get(pk=assignment.pk),
    )
    assignment_check_open(actor=actor, assignment=assignment)
    fields = list(assignment.task.fields.all())
    errors: dict[str, list[str]] = {}
    feedback = str(feedback or "").replace("\x00", "").strip()
    if len(feedback) > MAX_FEEDBACK:
        _errors_add(errors, "feedback", [_("反馈内容不能超过 %(n)s 字。") % {"n": MAX_FEEDBACK}])
    if not fields and not feedback:
        _errors_add(errors, "feedback", [_("请填写反馈内容。")])
    try:
        cleaned = answers.clean_values(fields, values or {})
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            _errors_add(errors, key, messages)
        cleaned = {}
    files = {str(k): v for k, v in (files or {}).items()}
    by_field = {str(f.pk): f for f in fields if f.kind == FieldKind.FILE}
    if set(files) - set(by_field):
        _errors_add(errors, "files", [_("未知的附件字段。")])
    kept = list(assignment.files.exclude(pk__in=[int(i) for i in remove_files or ()]))
    checked = {}
    for key, field in by_field.items():
        checked[key] = _check_uploads(field.label, files.get(key) or [], errors)
        present = [f for f in kept if str(f.field_id) == key]
        if field.required and not present and not checked[key] and field.label not in errors:
            message = _("“%(label)s”必须上传附件。") % {"label": field.label}
            _errors_add(errors, field.label, [message])
    checked_evidence = _check_uploads("evidence", evidence, errors)
    if errors:
        raise ValidationError(errors)
    stored: list[FeedbackFile] = []
    try:
        _remove(assignment, remove_files)
        for key, items in checked.items():
            _store(assignment, int(key), items, stored)
        _store(assignment, None, checked_evidence, stored)
        for key in by_field:
            ids = [f.pk for f in kept if str(f.field_id) == key]
            ids += [f.pk for f in stored if str(f.field_id) == key]
            if ids:
                cleaned[key] = ids
        flow.assignment_submit(
            assignment=assignment, actor=actor, feedback=feedback, values=cleaned
        )
    except Exception:
        for row in stored:
            row.file.delete(save=False)
        raise
    # The caller's copy says what was written, as flow.assignment_submit's does.
    for name in SUBMITTED_FIELDS:
        setattr(given, name, getattr(assignment, name))
    return given


def _remove(assignment: Assignment, ids) -> None:
    wanted = {int(i) for i in ids or ()}
    if not wanted:
        return
    doomed = list(assignment.files.filter(pk__in=wanted))
    storage = FeedbackFile._meta.get_field("file").storage
    names = [row.file.name for row in doomed]
    FeedbackFile.objects.filter(pk__in=[row.pk for row in doomed]).delete()
    for name in names:
        transaction.on_commit(lambda name=name: storage.delete(name))
