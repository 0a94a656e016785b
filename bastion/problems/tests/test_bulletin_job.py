"""The job end to end (immediate backend): the Word document and the workbook it stores."""

import io
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from docx import Document
from openpyxl import load_workbook

from bastion.problems.bulletin_docx import issuer_name
from bastion.problems.models import Bulletin
from bastion.problems.services.bulletins import bulletin_request

from . import bulletin_fixtures
from .bulletin_fixtures import QUARTER

crafted = bulletin_fixtures.crafted  # the fixture
pytestmark = pytest.mark.django_db


@pytest.fixture
def done(tree, personas, crafted):
    bulletin = bulletin_request(
        actor=personas.company,
        organization=tree.company,
        quarter=QUARTER,
        number="市公党通〔2025〕7号",
    )
    assert bulletin.status == "done", bulletin.error
    return bulletin


def table_rows(table):
    return [[cell.text for cell in row.cells] for row in table.rows]


def test_job_stores_both_files(done):
    assert done.progress == 100 and done.finished_at is not None
    assert done.docx.name.endswith(".docx") and done.xlsx.name.endswith(".xlsx")


def test_docx_form_and_tables(done, tree):
    doc = Document(io.BytesIO(done.docx.read()))
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == "中共市公司委员会"
    assert texts[1] == "市公党通〔2025〕7号"
    assert texts[2] == "关于2025年第三季度问题整改情况的通报"
    assert "各下属党组织：" in texts
    for heading in (
        "一、总体情况",
        "二、检查开展情况",
        "三、各单位整改情况",
        "四、问题类别分布",
        "五、逾期未整改问题",
        "六、工作要求",
    ):
        assert heading in texts
    assert any(
        "本季度共发现问题7个" in t and "应整改问题9个" in t and "整改率33.3%" in t for t in texts
    )
    assert texts[-2] == "中共市公司委员会" and texts[-1].endswith("日")
    # the red head: red, eastAsia font set
    head = doc.paragraphs[0].runs[0]
    assert str(head.font.color.rgb) == "FF0000"
    east_asia = head._element.rPr.rFonts.get(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia"
    )
    assert east_asia == "方正小标宋简体"
    assert "本季度未录入检查记录。" in texts  # no inspection in the crafted set
    units, categories, overdue = (table_rows(t) for t in doc.tables)
    assert units[0] == ["排名", "单位", "发现问题", "应整改", "已整改", "逾期未改", "整改率"]
    assert units[1] == ["1", "A县公司党委", "3", "5", "2", "2", "40.0%"]
    assert units[2] == ["2", "B县公司党委", "3", "3", "1", "1", "33.3%"]
    assert units[3] == ["3", "市公司党委（本级）", "1", "1", "0", "1", "0.0%"]
    assert ["安全生产", "2", "3", "0", "3", "0.0%"] in categories
    assert categories[-1] == ["合计", "7", "9", "3", "4", "33.3%"]
    assert len(overdue) == 1 + 4
    assert overdue[1] == [
        "1",
        "A2供电所党支部",
        "现场作业未设安全监护人",
        "安全生产",
        "2025-06-30",
        "92",
        "A2供电所党支部",
    ]


def test_xlsx_sheets(done):
    book = load_workbook(io.BytesIO(done.xlsx.read()))
    assert book.sheetnames == [
        "总体情况",
        "各单位整改情况",
        "问题类别分布",
        "逾期未整改问题",
        "检查开展情况",
    ]
    summary = {r[0]: r[1] for r in book["总体情况"].iter_rows(min_row=2, values_only=True)}
    assert summary["文号"] == "市公党通〔2025〕7号"
    assert (summary["发现问题"], summary["应整改"], summary["已整改"], summary["逾期未改"]) == (
        7,
        9,
        3,
        4,
    )
    units = list(book["各单位整改情况"].iter_rows(values_only=True))
    assert units[1] == (1, "A县公司党委", 3, 5, 2, 2, 0.4)
    assert book["各单位整改情况"]["G2"].number_format == "0.0%"
    overdue = list(book["逾期未整改问题"].iter_rows(min_row=2, values_only=True))
    assert len(overdue) == 4
    assert overdue[0][2] == "现场作业未设安全监护人" and overdue[0][5] == 92


def test_default_number_and_issuer():
    assert issuer_name("A1供电所党支部") == "中共A1供电所支部委员会"
    assert issuer_name("某党总支") == "中共某总支部委员会"


def test_bad_quarter_refused_nothing_created(tree, personas):
    with pytest.raises(ValidationError) as exc:
        bulletin_request(actor=personas.company, organization=tree.company, quarter="2025年3季度")
    assert "格式不正确" in exc.value.message_dict["quarter"][0]
    assert not Bulletin.objects.exists()


def test_county_cannot_generate_for_company(tree, personas):
    with pytest.raises(PermissionDenied):
        bulletin_request(actor=personas.county, organization=tree.company, quarter=QUARTER)
    assert not Bulletin.objects.exists()
    ok = bulletin_request(actor=personas.county, organization=tree.county_a, quarter=QUARTER)
    assert ok.status == "done"


def test_failure_marks_failed_with_chinese_error(tree, personas):
    with mock.patch("bastion.problems.jobs.build_docx", side_effect=RuntimeError("boom")):
        bulletin = bulletin_request(
            actor=personas.company, organization=tree.company, quarter=QUARTER
        )
    assert bulletin.status == "failed"
    assert "生成通报时发生系统错误" in bulletin.error
    assert not bulletin.docx
