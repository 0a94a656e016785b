"""The generic Excel library: cell conversion, the streaming reader, writing, the import jobs."""

import datetime as dt
import io
import zipfile

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from bastion.core import excel
from bastion.core.excel import (
    CellError,
    Column,
    FileRefused,
    Importer,
    ImportResult,
    build_workbook,
    get_importer,
    read_sheet,
    to_date,
    to_text,
)
from bastion.core.jobs import import_job_commit, import_job_create
from bastion.core.models import ImportJob

TEXT = Column("name", "姓名", required=True, max_length=5)
CODE = Column("no", "号码", kind="code")
DAY = Column("day", "日期", kind="date")
STATUS = Column("status", "状态", kind="choice", choices=(("a", "甲"), ("b", "乙")))
COLUMNS = (TEXT, CODE, DAY, STATUS)


@pytest.fixture(autouse=True)
def chinese():
    """Messages are asserted in Chinese, whatever language an earlier test left active."""
    with translation.override("zh-hans"):
        yield


# --- cells ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value,expected",
    [
        (dt.datetime(2020, 7, 1, 0, 0), dt.date(2020, 7, 1)),
        ("2020-07-01", dt.date(2020, 7, 1)),
        ("2020/7/1", dt.date(2020, 7, 1)),
        ("2020.07.01", dt.date(2020, 7, 1)),
        ("2020年7月1日", dt.date(2020, 7, 1)),
        (" 2020-7-1 ", dt.date(2020, 7, 1)),
        ("", None),
        (None, None),
    ],
)
def test_accepted_dates(value, expected):
    assert to_date(value) == expected


@pytest.mark.parametrize(
    "value", ["2020.13.45", "12/03/20", "昨天", "2020-07-01 08:00", 43000, "1899-12-31"]
)
def test_odd_dates_are_refused_naming_the_formats(value):
    with pytest.raises(CellError, match="YYYY年M月D日"):
        to_date(value)


def test_text_conversion_keeps_digits_and_refuses_nul_and_rounded_numbers():
    assert to_text(13800138000, CODE) == "13800138000"
    assert to_text(12.0, CODE) == "12"
    assert to_text("  张三 ", TEXT) == "张三"
    with pytest.raises(CellError, match="NUL"):
        to_text("张\x00三", TEXT)
    with pytest.raises(CellError, match="末几位已丢失"):
        to_text(4.40902198503151e17, CODE)
    with pytest.raises(CellError, match="上限5个字符"):
        to_text("一二三四五六", TEXT)


# --- reading ----------------------------------------------------------------------------------


def test_written_workbook_reads_back_the_same_values():
    rows = [["张三", "0012", dt.date(2020, 7, 1), "甲"], ["李四", None, None, "乙"]]
    data = build_workbook(title="表", columns=COLUMNS, rows=rows)
    sheet = read_sheet(SimpleUploadedFile("a.xlsx", data), COLUMNS)
    assert [c.key for c in sheet.columns] == ["name", "no", "day", "status"]
    assert sheet.rows == [
        (2, ("张三", "0012", dt.datetime(2020, 7, 1), "甲")),
        (3, ("李四", None, None, "乙")),
    ]


def test_reads_from_a_path_and_a_plain_file_object(tmp_path):
    data = build_workbook(title="表", columns=COLUMNS, rows=[["张三", None, None, None]])
    path = tmp_path / "a.xlsx"
    path.write_bytes(data)
    assert read_sheet(path, COLUMNS).rows[0][1][0] == "张三"
    assert read_sheet(io.BytesIO(data), COLUMNS).rows[0][1][0] == "张三"


SHEET_XML = """<?xml version="1.0" encoding="UTF-8"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<sheetData>
<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>
<c r="C1" t="s"><v>2</v></c></row>
<row r="3"><c r="A3" t="s"><v>3</v></c><c r="C3" s="1"><v>43831</v></c></row>
<row r="4"><c r="A4" t="inlineStr"><is><t>王五</t></is></c><c r="B4"><v>7</v></c>%s</row>
</sheetData>%s
</worksheet>"""
STRINGS_XML = """<?xml version="1.0" encoding="UTF-8"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<si><t>姓名</t></si><si><t>号码</t></si><si><t>日期</t></si>
<si><r><t>张</t></r><r><rPr><b/></rPr><t>三</t></r><rPh sb="0" eb="1"><t>ZHANG</t></rPh></si>
</sst>"""
STYLES_XML = """<?xml version="1.0" encoding="UTF-8"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="31"/></cellXfs></styleSheet>"""


def excel_like(extra_cells="", tail="") -> bytes:
    """A workbook as Excel writes it: shared strings, rich text, a Chinese date format."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(
            "xl/workbook.xml",
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<sheets><sheet name="名册" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Target="worksheets/sheet1.xml" Type="x/worksheet"/>'
            "</Relationships>",
        )
        archive.writestr("xl/worksheets/sheet1.xml", SHEET_XML % (extra_cells, tail))
        archive.writestr("xl/sharedStrings.xml", STRINGS_XML)
        archive.writestr("xl/styles.xml", STYLES_XML)
    return buffer.getvalue()


def test_reader_understands_shared_strings_rich_text_and_chinese_date_formats():
    sheet = read_sheet(io.BytesIO(excel_like()), COLUMNS)
    assert sheet.rows == [(3, ("张三", None, dt.datetime(2020, 1, 1))), (4, ("王五", 7, None))]


def test_shared_formula_cells_are_found():
    data = excel_like(extra_cells='<c r="C4"><f t="shared" si="0"/><v>1</v></c>')
    with pytest.raises(FileRefused) as info:
        read_sheet(io.BytesIO(data), COLUMNS)
    assert [(e["row"], e["column"]) for e in info.value.errors] == [(4, "日期")]


def test_header_merge_is_found_in_the_sheet_xml():
    data = excel_like(tail='<mergeCells count="1"><mergeCell ref="B1:C1"/></mergeCells>')
    with pytest.raises(FileRefused) as info:
        read_sheet(io.BytesIO(data), COLUMNS)
    assert [(e["row"], e["column"]) for e in info.value.errors] == [(1, "号码")]


def test_malformed_sheet_xml_is_a_corrupt_file():
    data = excel_like(extra_cells="<c r=")
    with pytest.raises(FileRefused, match="文件已损坏"):
        read_sheet(io.BytesIO(data), COLUMNS)


def test_template_has_dropdowns_and_instructions():
    data = build_workbook(title="表", columns=COLUMNS, rows=(), notes=["说明一"])
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert [c.value for c in book["表"][1]] == ["姓名*", "号码", "日期", "状态"]
    assert book["表"].data_validations.dataValidation[0].formula1 == '"甲,乙"'
    notes = list(book["填写说明"].iter_rows(values_only=True))
    assert ("状态", None, None, "甲、乙") in notes and ("说明一", None, None, None) in notes


# --- registry and jobs ------------------------------------------------------------------------


def test_importers_are_discovered_from_the_apps():
    assert get_importer("people").permission == "orgs.import_person"
    with pytest.raises(LookupError):
        get_importer("no-such-kind")


@pytest.fixture
def fake_importer():
    calls = []

    def run(*, actor, file, dry_run, progress):
        calls.append(dry_run)
        progress(1, 2)
        if file.read() == b"boom":
            raise RuntimeError("boom")
        return ImportResult(total_rows=2, created=2, preview=[{"_row": 2}], dry_run=dry_run)

    excel.register_importer(Importer("fake", "假", "orgs.import_person", run, COLUMNS, lambda: b""))
    yield calls
    excel._importers.pop("fake")


def test_job_is_validated_then_committed_by_the_task(personas, fake_importer):
    user = personas.secretary_a
    job = import_job_create(
        actor=user, kind="fake", uploaded_file=SimpleUploadedFile("甲.xlsx", b"x")
    )
    assert job.status == ImportJob.Status.READY and job.original_name == "甲.xlsx"
    assert job.summary == {"total_rows": 2, "created": 2, "updated": 0, "unchanged": 0}
    assert job.file.name.endswith(".xlsx") and "甲" not in job.file.name
    job = import_job_commit(actor=user, job=job)
    assert job.status == ImportJob.Status.DONE and job.finished_at is not None
    assert fake_importer == [True, False]


def test_a_crashing_importer_marks_the_job_failed(personas, fake_importer):
    user = personas.secretary_a
    job = import_job_create(
        actor=user, kind="fake", uploaded_file=SimpleUploadedFile("a.xlsx", b"boom")
    )
    assert job.status == ImportJob.Status.FAILED and "系统错误" in job.errors[0]["message"]


def test_only_the_uploader_commits_and_only_with_import_rights(personas, fake_importer):
    job = import_job_create(
        actor=personas.secretary_a, kind="fake", uploaded_file=SimpleUploadedFile("a.xlsx", b"x")
    )
    with pytest.raises(PermissionDenied):
        import_job_commit(actor=personas.secretary_b, job=job)
    with pytest.raises(PermissionDenied):
        import_job_create(
            actor=personas.outsider, kind="fake", uploaded_file=SimpleUploadedFile("a.xlsx", b"x")
        )
