"""Writing task sheets (工作单): create and edit drafts with their feedback form and files,
close a dispatched task, delete a draft.

Only a draft may change: once dispatched, recipients answer the sheet they were sent. The
issuing organization must lie where the actor may draft tasks (``tasks.add_task``).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bastion.core import evidence as checks
from bastion.core.scope import allows
from bastion.core.services import service
from bastion.orgs.models import Organization

from ..models import (
    CascadeItem,
    FeedbackField,
    FieldKind,
    Priority,
    Task,
    TaskAttachment,
    TaskStatus,
)

MAX_FIELDS = 30
MAX_CHOICES = 50
MAX_BODY = 20000
FIELD_LIMITS = {"label": 100, "help_text": 200}


class _Errors:
    def __init__(self):
        self.items: dict[str, list[str]] = {}

    def add(self, field: str, message) -> None:
        self.items.setdefault(field, []).append(str(message))

    def raise_if_any(self) -> None:
        if self.items:
            raise ValidationError(self.items)


def _clean_text(value) -> str:
    return str(value or "").replace("\x00", "").strip()


def may_draft(user, issuer: Organization) -> bool:
    """Whoever may draft tasks for the issuer (add, or change) edits its drafts."""
    return any(allows(user, f"tasks.{action}_task", issuer) for action in ("add", "change"))


def _require_issuer(actor, issuer: Organization) -> None:
    if not allows(actor, "tasks.add_task", issuer):
        raise PermissionDenied(_("您无权以该组织名义起草工作单。"))


def _check_sheet(errors: _Errors, *, issuer, title, body, due_on, priority) -> dict:
    title, body = _clean_text(title), str(body or "").replace("\x00", "").strip()
    if not title:
        errors.add("title", _("请填写标题。"))
    elif len(title) > 200:
        errors.add("title", _("标题不能超过 200 字。"))
    if len(body) > MAX_BODY:
        errors.add("body", _("工作要求不能超过 %(n)s 字。") % {"n": MAX_BODY})
    if not isinstance(due_on, dt.date):
        errors.add("due_on", _("请填写反馈截止日期。"))
    elif due_on < timezone.localdate():
        errors.add("due_on", _("反馈截止日期不能早于今天。"))
    if priority not in Priority.values:
        errors.add("priority", _("请选择紧急程度。"))
    if issuer is None:
        errors.add("issuer", _("请选择派发组织。"))
    elif not issuer.is_active:
        errors.add("issuer", _("组织“%(name)s”已停用，不能派发工作单。") % {"name": issuer.name})
    return {"title": title, "body": body, "due_on": due_on, "priority": priority}


def clean_field_specs(specs) -> tuple[list[dict], list[str]]:
    """Check the issuer's feedback form rows; returns (rows, messages naming each bad row)."""
    rows, messages, labels = [], [], set()
    specs = list(specs or [])
    if len(specs) > MAX_FIELDS:
        messages.append(_("反馈字段最多 %(n)s 个。") % {"n": MAX_FIELDS})
    for number, spec in enumerate(specs[:MAX_FIELDS], start=1):
        row, problems = _clean_spec(spec)
        if row["label"] in labels:
            problems.append(_("字段名称“%(label)s”重复。") % {"label": row["label"]})
        labels.add(row["label"])
        messages.extend(
            _("第 %(n)s 个反馈字段：%(problem)s") % {"n": number, "problem": p} for p in problems
        )
        rows.append(row)
    return rows, messages


def _clean_spec(spec: dict) -> tuple[dict, list[str]]:
    problems = []
    row = {
        "id": spec.get("id") or None,
        "label": _clean_text(spec.get("label")),
        "kind": spec.get("kind") or "",
        "required": bool(spec.get("required")),
        "help_text": _clean_text(spec.get("help_text")),
        "choices": [],
    }
    if not row["label"]:
        problems.append(_("请填写字段名称。"))
    for name, limit in FIELD_LIMITS.items():
        if len(row[name]) > limit:
            problems.append(_("%(what)s不能超过 %(n)s 字。") % {"what": _label(name), "n": limit})
    if row["kind"] not in FieldKind.values:
        problems.append(_("请选择字段类型。"))
    if row["kind"] == FieldKind.CHOICE:
        row["choices"], more = _clean_choices(spec.get("choices"))
        problems.extend(more)
    return row, problems


def _label(name: str) -> str:
    return {"label": _("字段名称"), "help_text": _("填写说明")}[name]


def _clean_choices(raw) -> tuple[list[str], list[str]]:
    if isinstance(raw, str):
        raw = raw.splitlines()
    options = [_clean_text(o) for o in (raw or [])]
    options = [o for o in options if o]
    problems = []
    if len(options) < 2:
        problems.append(_("单选字段至少需要两个选项（每行一个）。"))
    if len(options) > MAX_CHOICES:
        problems.append(_("选项最多 %(n)s 个。") % {"n": MAX_CHOICES})
    if len(set(options)) != len(options):
        problems.append(_("选项不能重复。"))
    if any(len(o) > 100 for o in options):
        problems.append(_("每个选项不能超过 100 字。"))
    return options, problems


def _check_files(files, errors: _Errors) -> list[checks.CheckedFile]:
    try:
        return checks.check_uploads(files)
    except ValidationError as exc:
        for message in exc.messages:
            errors.add("files", message)
        return []


def _store_files(task: Task, checked: list[checks.CheckedFile]) -> list[TaskAttachment]:
    """Write the checked files; if one fails, remove those already written, then re-raise."""
    stored = []
    try:
        for item in checked:
            attachment = TaskAttachment(task=task, original_name=item.original_name, size=item.size)
            item.upload.seek(0)
            attachment.file.save(item.storage_name(), item.upload, save=False)
            stored.append(attachment)
            attachment.save()
    except Exception:
        for attachment in stored:
            attachment.file.delete(save=False)
        raise
    return stored


def _write_fields(task: Task, rows: list[dict], errors: _Errors) -> None:
    """Make the task's feedback fields match ``rows`` (kept by id, added, removed)."""
    existing = {f.pk: f for f in task.fields.all()}
    unknown = [r["id"] for r in rows if r["id"] and int(r["id"]) not in existing]
    if unknown:
        errors.add("fields", _("反馈字段已被修改，请刷新页面后重试。"))
        errors.raise_if_any()
    kept = set()
    for position, row in enumerate(rows, start=1):
        field = existing.get(int(row["id"])) if row["id"] else FeedbackField(task=task)
        values = {k: row[k] for k in ("label", "kind", "choices", "required", "help_text")}
        values["position"] = position
        if field.pk and all(getattr(field, k) == v for k, v in values.items()):
            kept.add(field.pk)
            continue
        for key, value in values.items():
            setattr(field, key, value)
        field.save()
        kept.add(field.pk)
    for pk, field in existing.items():
        if pk not in kept:
            field.delete()


def _remove_attachments(task: Task, ids) -> None:
    wanted = {int(i) for i in ids or ()}
    if not wanted:
        return
    doomed = list(task.attachments.filter(pk__in=wanted))
    names = [a.file.name for a in doomed]
    TaskAttachment.objects.filter(pk__in=[a.pk for a in doomed]).delete()
    shared = set(TaskAttachment.objects.filter(file__in=names).values_list("file", flat=True))
    storage = TaskAttachment._meta.get_field("file").storage
    for name in names:
        if name not in shared:
            transaction.on_commit(lambda name=name: storage.delete(name))


@service
def task_create(
    *,
    actor,
    issuer: Organization,
    title: str,
    due_on: dt.date,
    body: str = "",
    priority: str = Priority.NORMAL,
    fields=(),
    files=(),
    cascade_item=None,
) -> Task:
    """A new draft with its feedback form (``fields``: dicts label/kind/choices/required/
    help_text) and files, optionally answering a 四级贯通 item the actor sees. Nothing is
    written unless every part is right."""
    if issuer is not None:
        _require_issuer(actor, issuer)
    if cascade_item is not None and not (
        CascadeItem.objects.restrict(actor, "view").filter(pk=cascade_item.pk).exists()
    ):
        raise PermissionDenied(_("您无权关联该四级贯通事项。"))
    errors = _Errors()
    sheet = _check_sheet(
        errors, issuer=issuer, title=title, body=body, due_on=due_on, priority=priority
    )
    rows, messages = clean_field_specs(fields)
    for message in messages:
        errors.add("fields", message)
    checked = _check_files(files, errors)
    errors.raise_if_any()
    task = Task.objects.create(issuer=issuer, created_by=actor, cascade_item=cascade_item, **sheet)
    _write_fields(task, [{**r, "id": None} for r in rows], errors)
    _store_files(task, checked)
    return task


@service
def task_update(
    *,
    actor,
    task: Task,
    issuer: Organization,
    title: str,
    due_on: dt.date,
    body: str = "",
    priority: str = Priority.NORMAL,
    fields=None,
    files=(),
    remove_attachments=(),
) -> Task:
    """Change a draft. ``fields`` None leaves the form as it is; rows with an ``id`` keep
    their field, rows without one are added, fields not named are removed."""
    task = Task.objects.select_for_update().select_related("issuer").get(pk=task.pk)
    if not may_draft(actor, task.issuer):
        raise PermissionDenied(_("您无权修改该工作单。"))
    if issuer is not None and issuer.pk != task.issuer_id:
        _require_issuer(actor, issuer)
    if task.status != TaskStatus.DRAFT:
        raise ValidationError(_("工作单已派发，不能再修改；如需调整请另发新单。"))
    errors = _Errors()
    sheet = _check_sheet(
        errors, issuer=issuer, title=title, body=body, due_on=due_on, priority=priority
    )
    rows = None
    if fields is not None:
        rows, messages = clean_field_specs(fields)
        for message in messages:
            errors.add("fields", message)
    checked = _check_files(files, errors)
    errors.raise_if_any()
    for key, value in sheet.items():
        setattr(task, key, value)
    task.issuer = issuer
    task.save()
    if rows is not None:
        _write_fields(task, rows, errors)
    _remove_attachments(task, remove_attachments)
    _store_files(task, checked)
    return task


@service
def task_close(*, actor, task: Task) -> Task:
    """End a dispatched task: no more answers; what was answered stays."""
    task = Task.objects.select_for_update().select_related("issuer").get(pk=task.pk)
    if not allows(actor, "tasks.dispatch_task", task.issuer):
        raise PermissionDenied(_("您无权结束该工作单。"))
    if task.status == TaskStatus.DRAFT:
        raise ValidationError(_("草稿尚未派发，不需要结束；不再需要可直接删除。"))
    if task.status == TaskStatus.CLOSED:
        raise ValidationError(_("工作单已经结束。"))
    task.status = TaskStatus.CLOSED
    task.save(update_fields=["status"])
    return task


@service
def task_delete(*, actor, task: Task) -> None:
    """Throw away a draft (a dispatched task keeps its record: close it instead)."""
    task = Task.objects.select_for_update().select_related("issuer").get(pk=task.pk)
    allowed = may_draft(actor, task.issuer) or allows(actor, "tasks.delete_task", task.issuer)
    if not allowed:
        raise PermissionDenied(_("您无权删除该工作单。"))
    if task.status != TaskStatus.DRAFT:
        raise ValidationError(_("只有草稿可以删除；已派发的工作单请使用“结束”。"))
    _remove_attachments(task, task.attachments.values_list("pk", flat=True))
    task.delete()
