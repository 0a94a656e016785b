"""Shared test helpers for the problems app."""

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from bastion.orgs.tests.factories import UserFactory, grant
from bastion.problems.models import Category, InspectionKind
from bastion.problems.services import filing

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def png(name="photo.png"):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def today():
    return timezone.localdate()


def discipline(tree):
    user = UserFactory(username="p_discipline")
    grant(user, "discipline", tree.county_a)
    return user


def make_problem(actor, org, *, tier=1, category=Category.SAFETY, found_on=None, **extra):
    found_on = found_on or today()
    fields = {
        "description": "台账不全",
        "organization": org,
        "category": category,
        "tier": tier,
        "found_on": found_on,
        "responsible_org": org,
        "deadline": found_on + dt.timedelta(days=30),
    }
    fields.update(extra)
    return filing.problem_create(actor=actor, **fields)


def make_inspection(actor, inspecting, inspected, kind=InspectionKind.PATROL, **extra):
    fields = {
        "kind": kind,
        "title": "2025年巡查",
        "inspecting_org": inspecting,
        "held_on": today(),
        "team": "张三、李四",
    }
    fields.update(extra)
    return filing.inspection_create(actor=actor, inspected=inspected, **fields)


def xlsx(headers, rows) -> io.BytesIO:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    data.name = "problems.xlsx"
    return data
