"""The bulletin as a department sends it: A4, the signature kept with the text, quiet units in
one line, the quarter's inspections, fixed column widths, rates as numbers in the workbook."""

import io

import pytest
from docx import Document
from docx.shared import Cm
from openpyxl import load_workbook

from bastion.problems.bulletin_docx import build_docx
from bastion.problems.bulletin_xlsx import build_xlsx
from bastion.problems.models import Inspection
from bastion.problems.selectors_bulletin import bulletin_data, parse_quarter
from conftest import make_org

from . import bulletin_fixtures
from .bulletin_fixtures import QUARTER, d

crafted = bulletin_fixtures.crafted  # the fixture
pytestmark = pytest.mark.django_db
TODAY = d(1, 15, 2026)


def inspect(by, inspected, held_on, title="季度巡查", kind="patrol"):
    inspection = Inspection.objects.create(
        kind=kind, title=title, inspecting_org=by, held_on=held_on
    )
    inspection.inspected.set(inspected)
    return inspection


@pytest.fixture
def quiet_and_inspected(tree, crafted):
    """Two stations under county A with nothing to report; three inspections in 2025Q3 (one
    of them found two problems), one in the quarter before."""
    quiet = [
        make_org(tree.county_a, name="A9供电所党支部", code="C-A-9"),
        make_org(tree.county_a, name="A8供电所党支部", code="C-A-8"),
    ]
    patrol = inspect(tree.county_a, [tree.station_a1, tree.station_a2], d(8, 12), "三季度巡查")
    crafted[2].inspection = patrol
    crafted[2].save(update_fields=["inspection"])
    crafted[3].inspection = patrol
    crafted[3].save(update_fields=["inspection"])
    inspect(tree.company, [tree.station_b1], d(7, 3), "飞行检查", kind="flying")
    inspect(tree.county_b, [tree.station_b1], d(9, 30), "互查", kind="mutual")
    inspect(tree.county_a, [tree.station_a1], d(6, 30), "上季度自查")  # not in the quarter
    return quiet


def docx_of(node, today=TODAY):
    data = bulletin_data(node, parse_quarter(QUARTER), today=today)
    return Document(io.BytesIO(build_docx(data, number="A县党通〔2025〕1号", issued_on=TODAY)))


def test_page_is_a4_with_official_margins(tree, crafted):
    section = docx_of(tree.company).sections[0]

    def cm(length):  # Word stores twips
        return round(length / Cm(1), 2)

    assert (cm(section.page_width), cm(section.page_height)) == (21.0, 29.7)
    assert (cm(section.top_margin), cm(section.left_margin)) == (3.7, 2.8)
    footer = section.footer.paragraphs[0]._p.xml
    assert 'w:instr="PAGE"' in footer  # page numbers at the foot


def test_signature_never_stands_alone(tree, crafted):
    paragraphs = docx_of(tree.company).paragraphs
    issuer, date = paragraphs[-2], paragraphs[-1]
    assert issuer.text == "中共市公司委员会" and date.text == "2026年1月15日"
    last_requirement, blank = paragraphs[-4], paragraphs[-3]
    assert last_requirement.text.startswith("（四）")
    for paragraph in (last_requirement, blank, issuer):
        assert paragraph.paragraph_format.keep_with_next is True
    assert all(p.paragraph_format.keep_together for p in (last_requirement, issuer, date))


def test_quiet_units_in_one_line_not_in_the_table(tree, quiet_and_inspected):
    doc = docx_of(tree.county_a)
    texts = [p.text for p in doc.paragraphs]
    assert "以下2个单位本季度无问题：A8供电所党支部、A9供电所党支部。" in texts  # tree order (code)
    unit_rows = [[c.text for c in row.cells] for row in doc.tables[1].rows]
    assert [row[1] for row in unit_rows[1:]] == ["A2供电所党支部", "A1供电所党支部"]


def test_quarter_inspections_listed(tree, quiet_and_inspected):
    doc = docx_of(tree.company)
    texts = [p.text for p in doc.paragraphs]
    assert "二、检查开展情况" in texts
    assert "本季度共开展检查3次，检查发现问题2个，具体如下：" in texts
    rows = [[c.text for c in row.cells] for row in doc.tables[0].rows]
    assert rows[0] == ["序号", "检查日期", "检查方式", "检查组织", "被检查单位", "发现问题"]
    assert rows[1] == ["1", "2025-07-03", "飞行巡查", "市公司党委", "B1供电所党支部", "0"]
    assert rows[2] == [
        "2",
        "2025-08-12",
        "巡查",
        "A县公司党委",
        "A1供电所党支部、A2供电所党支部",
        "2",
    ]
    assert rows[3][1] == "2025-09-30" and len(rows) == 4
    # a county sees the inspections made by it or on its stations, not county B's
    county = docx_of(tree.county_a)
    assert [[c.text for c in r.cells][3] for r in county.tables[0].rows[1:]] == ["A县公司党委"]


def test_columns_fit_the_a4_text_width(tree, quiet_and_inspected):
    doc = docx_of(tree.company)
    text_width = Cm(21) - Cm(2.8) - Cm(2.6)
    for table in doc.tables:
        widths = [cell.width for cell in table.rows[0].cells]
        assert abs(sum(widths) - text_width) < Cm(0.05)
        assert table.rows[0]._tr.xml.count("w:tblHeader") == 1  # repeated on each page
    overdue = doc.tables[3]
    assert overdue.rows[1].cells[4].text == "2025-06-30"
    assert overdue.rows[0].cells[4].width >= Cm(2.3)  # a date on one line at 五号


def test_workbook_rates_are_numbers_with_a_percent_format(tree, quiet_and_inspected):
    data = bulletin_data(tree.company, parse_quarter(QUARTER), today=TODAY)
    book = load_workbook(io.BytesIO(build_xlsx(data, number="x", title="t")))
    units = book["各单位整改情况"]
    rates = [row[6] for row in units.iter_rows(min_row=2)]
    assert [c.value for c in rates] == [0.4, pytest.approx(1 / 3, abs=0.001), 0.0]
    assert {c.number_format for c in rates} == {"0.0%"}
    categories = list(book["问题类别分布"].iter_rows(min_row=2, values_only=True))
    assert categories[-1][0] == "合计" and categories[-1][5] == pytest.approx(0.333, abs=0.001)
    summary = {r[0]: r[1] for r in book["总体情况"].iter_rows(min_row=2, values_only=True)}
    assert summary["整改率"] == pytest.approx(0.333, abs=0.001)
    assert summary["开展检查（次）"] == 3 and summary["检查发现问题"] == 2
    inspections = list(book["检查开展情况"].iter_rows(min_row=2, values_only=True))
    assert [row[2] for row in inspections] == ["飞行巡查", "巡查", "互查"]


# --- the printable A4 page -------------------------------------------------------------------


def print_url(bulletin):
    from django.urls import reverse

    return reverse("problems:bulletin_print", args=[bulletin.pk])


@pytest.fixture
def county_bulletin(tree, personas, quiet_and_inspected):
    from bastion.problems.services.bulletins import bulletin_request

    bulletin = bulletin_request(
        actor=personas.county,
        organization=tree.county_a,
        quarter=QUARTER,
        number="A县党通〔2025〕9号",
    )
    assert bulletin.status == "done", bulletin.error
    return bulletin


def test_print_page_in_the_official_layout(client, personas, county_bulletin):
    from bastion.core.testing import login

    response = login(client, personas.county).get(print_url(county_bulletin))
    assert response.status_code == 200
    body = response.content.decode()
    assert "bastion/bulletin-print.css" in body
    document = response.context["document"]
    assert (document.issuer, document.number) == ("中共A县公司委员会", "A县党通〔2025〕9号")
    assert document.title == "关于2025年第三季度问题整改情况的通报"
    headings = [s.heading for s in document.sections] + [document.closing_heading]
    assert headings[1] == "二、检查开展情况" and headings[-1] == "六、工作要求"
    assert "以下2个单位本季度无问题：A8供电所党支部、A9供电所党支部。" in body
    # the last requirement and the signature share one unbreakable block
    closing = body[body.index('data-testid="print-closing"') :]
    assert closing.index("（四）强化结果运用") < closing.index("中共A县公司委员会")
    inspections = document.sections[1].table["rows"]
    assert [row[1]["value"] for row in inspections] == ["2025-08-12"]  # ISO dates fit one line
    units = document.sections[2].table["rows"]
    assert units[0][6] == {"value": "50.0%", "centred": True}  # the rate, read back as a rate


def test_print_page_scope(client, personas, county_bulletin):
    from bastion.core.testing import login

    assert login(client, personas.secretary_b).get(print_url(county_bulletin)).status_code == 404
    assert login(client, personas.company).get(print_url(county_bulletin)).status_code == 200


def test_print_css_is_a4_and_keeps_the_signature():
    from pathlib import Path

    from django.conf import settings

    css = (Path(settings.BASE_DIR) / "static" / "bastion" / "bulletin-print.css").read_text()
    assert "size: A4" in css
    assert ".closing { break-inside: avoid; page-break-inside: avoid; }" in css
    assert "Noto Serif CJK SC" in css and "http" not in css  # offline fonts only
