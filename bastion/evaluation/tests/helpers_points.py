"""Test data for 党员积分手册: handbook items of the tests' own (codes never collide with the
seeded handbook), small evidence files, entries written straight to the ledger."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from bastion.evaluation.models import PointsEntry, PointsItem

TODAY = dt.date(2026, 3, 20)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def make_items() -> dict[str, PointsItem]:
    specs = (
        ("t_study", "测试参加学习", "plan", "2", False, True),
        ("t_guard", "测试现场保安", "safety", "5", True, True),
        ("t_late", "测试迟到", "deduction", "-1", False, True),
        ("t_old", "测试停用项目", "result", "3", False, False),
    )
    found = {}
    for code, name, category, points, evidence, active in specs:
        found[code], _created = PointsItem.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "category": category,
                "points": Decimal(points),
                "evidence_required": evidence,
                "is_active": active,
            },
        )
    return found


def png(name="photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def entry(person, item, *, state="approved", on=TODAY, points=None, **fields) -> PointsEntry:
    return PointsEntry.objects.create(
        person=person,
        item=item,
        occurred_on=on,
        state=state,
        points=item.points if points is None else Decimal(str(points)),
        **fields,
    )
