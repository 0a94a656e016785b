"""Fixtures and builders shared by the dues tests (imported by name into each test module)."""

import datetime as dt
import io

import openpyxl
import pytest

from bastion.agenda.importers.payments import COLUMNS
from bastion.orgs.tests.factories import PersonFactory, make_id_number

TODAY = dt.date(2025, 6, 15)
JOINED = {
    "membership_status": "full",
    "admitted_on": dt.date(2010, 7, 1),
    "confirmed_on": dt.date(2011, 7, 1),
}
HEADERS = [c.title for c in COLUMNS]


@pytest.fixture
def pinned_today(monkeypatch):
    """Pin "today" for services, selectors and pages (they read timezone.localdate())."""
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: TODAY)
    return TODAY


def member(org, **fields):
    """A member entered in Bastion long ago (dues are owed from entry, see conftest)."""
    from .conftest import enter_long_ago

    person = PersonFactory(organization=org, **{**JOINED, **fields})
    enter_long_ago(person)
    return person


def with_id(org, serial: int, **fields):
    return member(org, id_number=make_id_number(serial), **fields)


def sheet_row(**values) -> list:
    """A row by header name (without the star); unnamed columns stay empty."""
    return [values.get(h.rstrip("*")) for h in HEADERS]


def workbook(rows, headers=HEADERS, edit=None) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(headers))
    for values in rows:
        sheet.append(list(values))
    if edit:
        edit(sheet)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def read_rows(content: bytes) -> list[tuple]:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return list(book.worksheets[0].iter_rows(min_row=2, values_only=True))
