"""Helpers for task tests: a sheet with a typed feedback form, dispatch, answers, tiny real files.

Stable for other test modules: ``days``, ``make_task``, ``dispatch_to``, ``answer``,
``move_due``, ``pdf_file``, ``png_file``, ``fake_pdf``, ``FIELDS``.
"""

from __future__ import annotations

import datetime as dt
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from bastion.tasks.models import Assignment, FeedbackField, Task
from bastion.tasks.services import flow

# The feedback form most tests use: a number, a date, a choice and an optional file.
FIELDS = [
    {"label": "培训党员人数", "kind": "number", "required": True},
    {"label": "会议召开日期", "kind": "date", "required": True},
    {
        "label": "完成情况",
        "kind": "choice",
        "choices": ["已完成", "部分完成", "未开展"],
        "required": True,
    },
    {"label": "佐证照片", "kind": "file", "required": False},
]


def days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


def make_task(
    issuer, *, title="开展“安全生产月”主题党日", due_in=10, fields=FIELDS, **extra
) -> Task:
    """A draft written straight to the database (the services are tested on their own)."""
    task = Task.objects.create(
        issuer=issuer, title=title, body="请各支部按要求开展并反馈。", due_on=days(due_in), **extra
    )
    FeedbackField.objects.bulk_create(
        FeedbackField(
            task=task,
            label=spec["label"],
            kind=spec["kind"],
            choices=spec.get("choices", []),
            required=spec.get("required", True),
            help_text=spec.get("help_text", ""),
            position=position,
        )
        for position, spec in enumerate(fields, start=1)
    )
    return task


def dispatch_to(task, orgs, *, actor) -> dict:
    """Dispatch through the service; the assignments by organization code."""
    flow.task_dispatch(task=task, actor=actor, recipients=[o.pk for o in orgs])
    task.refresh_from_db()
    rows = Assignment.objects.filter(task=task).select_related("organization")
    return {a.organization.code: a for a in rows}


def values_for(task, **by_label) -> dict:
    ids = {f.label: str(f.pk) for f in task.fields.all()}
    return {ids[label]: value for label, value in by_label.items()}


def answer(assignment, *, actor, feedback="已按要求完成。", **by_label) -> Assignment:
    """Submit typed answers by field label (cleaned as the form would)."""
    from bastion.tasks.feedback import clean_values

    fields = list(assignment.task.fields.all())
    values = clean_values(fields, values_for(assignment.task, **by_label))
    return flow.assignment_submit(
        assignment=assignment, actor=actor, feedback=feedback, values=values
    )


GOOD = {"培训党员人数": "12", "会议召开日期": "2025-06-18", "完成情况": "已完成"}


def move_due(task, due_on: dt.date) -> None:
    """Put the due date where no form would (the past), for late and overdue cases."""
    Task.objects.filter(pk=task.pk).update(due_on=due_on)
    task.due_on = due_on


def png_bytes() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def png_file(name="现场.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def pdf_file(name="通知.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name, b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", content_type="application/pdf"
    )


def fake_pdf(name="病毒.pdf") -> SimpleUploadedFile:
    """A file whose name says PDF and whose content is not."""
    return SimpleUploadedFile(name, b"MZ\x90\x00 not a pdf", content_type="application/pdf")
