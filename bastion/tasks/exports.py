"""Excel export of a task's feedback (统一收集反馈): one row per recipient, typed answers.

Columns: 组织编码, 组织名称, 状态, 反馈时间, 是否逾期, 反馈内容, then one column per feedback
field under its label. Numbers are written as numbers, dates as dates, choices as their label,
files as their file names; empty answers stay empty cells. A second sheet 字段汇总 sums each
number field and counts each choice (``selectors_totals``, as the progress page and its API).
Four queries at any size (fields, assignments with their organization, file names, totals),
written with openpyxl's write-only mode.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from bastion.core.excel import Column, build_workbook

from .models import OPEN_STATES, AssignmentState, FeedbackField, FeedbackFile, FieldKind, Task
from .selectors_totals import FieldTotal, field_totals, totalled_fields

FIXED_COLUMNS = [
    Column("org_code", "组织编码", width=14),
    Column("org_name", "组织名称", width=30),
    Column("state", "状态", width=10),
    Column("submitted_at", "反馈时间", width=18),
    Column("late", "是否逾期", width=10),
    Column("feedback", "反馈内容", width=40),
]
SHEET_TITLE = "反馈汇总"
TOTALS_TITLE = "字段汇总"
TOTALS_COLUMNS = [
    Column("field", "反馈字段", width=30),
    Column("item", "汇总项", width=20),
    Column("value", "数值", width=14),
]
FIELD_WIDTH = {FieldKind.TEXT: 30, FieldKind.NUMBER: 12, FieldKind.DATE: 12}


def feedback_columns(fields: list[FeedbackField]) -> list[Column]:
    """The headers are part of the file: the fixed ones stay Chinese in every language."""
    columns = list(FIXED_COLUMNS)
    for f in fields:
        help_text = f.help_text
        if f.kind == FieldKind.CHOICE and f.choices:
            help_text = "；".join(filter(None, [help_text, "、".join(map(str, f.choices))]))
        columns.append(
            Column(
                f"field_{f.pk}",
                f.label,
                kind="date" if f.kind == FieldKind.DATE else "text",
                help=help_text,
                width=FIELD_WIDTH.get(f.kind, 18),
            )
        )
    return columns


def export_feedback_xlsx(task: Task, assignments, *, actor) -> bytes:
    """``assignments``: the task's assignments to export (already scoped and filtered)."""
    fields = list(task.fields.all())
    rows = (
        assignments.select_related("organization")
        .only(
            "id",
            "state",
            "late",
            "submitted_at",
            "feedback",
            "values",
            "organization__code",
            "organization__name",
            "organization__path",
        )
        .order_by("organization__path", "pk")
    )
    files = _file_names(assignments) if any(f.kind == FieldKind.FILE for f in fields) else {}
    today = timezone.localdate()
    with translation.override("zh-hans"):
        labels = {value: str(label) for value, label in AssignmentState.choices}
        yes, no = _("是"), _("否")
        notes = _notes(task, actor)
    lines = (_line(a, fields, files, labels, yes, no, today > task.due_on) for a in rows)
    totals = field_totals(assignments, totalled_fields(task))
    with translation.override("zh-hans"):
        extra = [(TOTALS_TITLE, TOTALS_COLUMNS, _totals_rows(totals))] if totals else []
    return build_workbook(
        title=SHEET_TITLE,
        columns=feedback_columns(fields),
        rows=lines,
        notes=notes,
        extra_sheets=extra,
    )


def _totals_rows(totals: list[FieldTotal]) -> list[list]:
    """The 字段汇总 sheet: per number field its sum, per choice field each option's count,
    and how many answers gave the field (已反馈、已采纳 only, as on the progress page)."""
    rows = []
    for item in totals:
        if item.is_number:
            rows.append([item.label, _("合计"), item.total])
        else:
            rows.extend([item.label, choice, n] for choice, n in item.counts)
        rows.append([item.label, _("填报组织数"), item.answers])
    return rows


def export_feedback_filename(task: Task) -> str:
    safe = re.sub(r'[\\/:*?"<>|\r\n\t]+', "-", task.title).strip() or "task"
    return f"{safe[:60]}-反馈汇总-{timezone.localdate():%Y%m%d}.xlsx"


def _notes(task: Task, actor) -> list[str]:
    name = actor.display_name if actor is not None else ""
    return [
        _("工作单：%(title)s") % {"title": task.title},
        _("派发组织：%(org)s") % {"org": task.issuer.name},
        _("反馈截止日期：%(due)s") % {"due": task.due_on.isoformat()},
        _("是否逾期：截止日期后才反馈，或截止日期已过仍未反馈（含被退回）。"),
        _("导出人：%(name)s，导出时间：%(now)s")
        % {"name": name, "now": timezone.localtime().strftime("%Y-%m-%d %H:%M")},
    ]


def _line(assignment, fields, files, labels, yes, no, past_due: bool) -> list:
    owing = assignment.state in OPEN_STATES
    late = assignment.late and not owing or owing and past_due
    submitted = assignment.submitted_at
    values = assignment.values if isinstance(assignment.values, dict) else {}
    return [
        assignment.organization.code,
        assignment.organization.name,
        labels.get(assignment.state, assignment.state),
        timezone.localtime(submitted).replace(tzinfo=None, microsecond=0) if submitted else None,
        yes if late else no,
        assignment.feedback or None,
        *(_cell(f, values.get(str(f.pk)), files, assignment.pk) for f in fields),
    ]


def _cell(field: FeedbackField, value, files: dict, assignment_id: int):
    if field.kind == FieldKind.FILE:
        return _files_cell(field, value, files, assignment_id)
    if value in (None, "", []):
        return None
    if field.kind == FieldKind.NUMBER:
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            return str(value)
        return int(number) if number == number.to_integral_value() else number
    if field.kind == FieldKind.DATE:
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            return str(value)
    return str(value)


def _files_cell(field: FeedbackField, value, files: dict, assignment_id: int):
    """The answer lists its file ids; older answers without them show the field's files."""
    by_id, by_field = files.get("by_id", {}), files.get("by_field", {})
    if isinstance(value, list) and value:
        names = [by_id[int(i)] for i in value if str(i).isdigit() and int(i) in by_id]
    else:
        names = by_field.get((assignment_id, field.pk), [])
    return "、".join(names) or None


def _file_names(assignments) -> dict:
    by_id: dict[int, str] = {}
    by_field: dict[tuple[int, int], list[str]] = {}
    rows = FeedbackFile.objects.filter(assignment__in=assignments.order_by().values("pk"))
    for pk, assignment_id, field_id, name in rows.values_list(
        "pk", "assignment_id", "field_id", "original_name"
    ).order_by("uploaded_at", "pk"):
        by_id[pk] = name
        by_field.setdefault((assignment_id, field_id), []).append(name)
    return {"by_id": by_id, "by_field": by_field}
