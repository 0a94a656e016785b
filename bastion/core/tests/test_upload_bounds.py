"""Imports are bounded: a small file that unpacks into millions of rows or strings is refused
as soon as it passes a bound (every <row> counts, blank or not; bytes are counted as they leave
the decompressor; the shared strings are counted), with a Chinese message; nothing is written."""

import io
import zipfile

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import translation

from bastion.core.excel import Column, ExcelImport, Row, build_workbook
from bastion.core.excel import reader as xlsx
from bastion.core.tests.bombs import xlsx_bomb

pytestmark = pytest.mark.django_db
NAME = Column("name", "姓名", required=True, max_length=20)


class NamesImport(ExcelImport):
    columns = (NAME,)

    def prepare(self):
        self.names = []

    def validate_row(self, row: Row) -> None:
        self.names.append(row.data["name"])

    def counts(self):
        return {"created": len(self.names)}

    def commit_rows(self):
        Group.objects.bulk_create(Group(name=name) for name in self.names)


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


def only_message(data: bytes, name="名册.xlsx") -> str:
    result = NamesImport.run(actor=None, file=SimpleUploadedFile(name, data))
    assert not result.ok and result.total_rows == 0 and not Group.objects.exists()
    assert len(result.errors) == 1 and result.errors[0]["row"] == 0
    return result.errors[0]["message"]


def names(count: int) -> bytes:
    return build_workbook(title="表", columns=(NAME,), rows=[[f"王{i}"] for i in range(count)])


def archive(data: bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(data))


def test_the_crafted_78_kb_file_is_refused():
    data = xlsx_bomb()
    assert 70_000 < len(data) < 90_000
    assert "文字条目过多" in only_message(data)


def test_a_million_empty_rows_are_refused_though_no_row_holds_a_value():
    message = only_message(xlsx_bomb(strings=0))
    assert "行的上限（空行也计算在内）" in message


@override_settings(BASTION_IMPORT_MAX_ROWS=30)
def test_blank_rows_count_towards_the_row_bound():
    # 31 rows in the sheet (the header and 30 blank ones) pass; 60 do not, although both
    # files hold a single value.
    with pytest.raises(xlsx.SheetTooLong):
        xlsx.read_first_sheet(archive(xlsx_bomb(strings=0, empty_rows=60)), max_rows=40)
    sheet = xlsx.read_first_sheet(archive(xlsx_bomb(strings=0, empty_rows=30)), max_rows=40)
    assert [number for number, _values in sheet.rows] == [1]


@override_settings(BASTION_IMPORT_MAX_ROWS=30)
def test_the_row_bound_comes_from_the_settings():
    assert "上限" in only_message(names(60))
    assert NamesImport.run(actor=None, file=SimpleUploadedFile("a.xlsx", names(20))).ok


def test_a_huge_shared_strings_table_is_refused_before_the_sheet_is_read():
    with pytest.raises(xlsx.TooManyStrings):
        xlsx.read_first_sheet(archive(xlsx_bomb(strings=20_000, empty_rows=0)), max_rows=100)


def test_shared_strings_are_bounded_in_characters_too():
    long = "长" * 5000
    book = io.BytesIO()
    with zipfile.ZipFile(book, "w") as out:
        for name in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/worksheets/sheet1.xml"):
            out.writestr(name, archive(xlsx_bomb(strings=0, empty_rows=0)).read(name))
        out.writestr("xl/sharedStrings.xml", f"<sst>{f'<si><t>{long}</t></si>' * 60}</sst>")
    with pytest.raises(xlsx.TooManyStrings):  # 300,000 characters for a 1,000-row bound
        xlsx.read_first_sheet(archive(book.getvalue()), max_rows=1000)


@override_settings(BASTION_IMPORT_MAX_UNPACKED_BYTES=20_000)
def test_the_unpacked_size_bound_comes_from_the_settings():
    assert "文件解压后超过了20 KB的上限" in only_message(names(2000))


def test_bytes_are_counted_as_they_are_read_whatever_the_zip_declares():
    stream = xlsx._BoundedStream(io.BytesIO(b"<a>" + b"<b/>" * 1000 + b"</a>"), xlsx._Budget(500))
    with pytest.raises(xlsx.UnpackedTooLarge):
        while stream.read(100):
            pass


def test_a_zip_that_declares_less_than_it_holds_is_refused():
    data = bytearray(names(50))
    # Patch the central directory's uncompressed size of the sheet to 10 bytes.
    found = archive(bytes(data)).getinfo("xl/worksheets/sheet1.xml")
    entry = data.rfind(b"PK\x01\x02", 0, data.find(b"xl/worksheets/sheet1.xml", len(data) // 2))
    assert entry > 0 and int.from_bytes(data[entry + 24 : entry + 28], "little") == found.file_size
    data[entry + 24 : entry + 28] = (10).to_bytes(4, "little")
    assert "已损坏" in only_message(bytes(data))


def test_a_value_far_right_is_refused_naming_its_cell():
    book = io.BytesIO()
    source = archive(names(1))
    with zipfile.ZipFile(book, "w") as out:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = content.replace(
                    b"</row></sheetData>",
                    b'<c r="IW2" t="inlineStr"><is><t>x</t></is></c></row></sheetData>',
                )
            out.writestr(info, content)
    assert "单元格 IW2 超出了导入的范围" in only_message(book.getvalue())


@pytest.mark.parametrize(
    "sheet",
    [
        b'<!DOCTYPE w [<!ENTITY a "aaaa">]><worksheet><sheetData/></worksheet>',
        b"<worksheet><sheetData><row><c><v>" + b"1" * (2 * 1024 * 1024) + b"</v></c></row>"
        b"</sheetData></worksheet>",
        b"<worksheet><sheetData><row>" + b"<c/>" * 60_000 + b"</row></sheetData></worksheet>",
    ],
    ids=["dtd", "endless-text", "endless-row"],
)
def test_malformed_giants_are_refused(sheet):
    book = io.BytesIO()
    source = archive(xlsx_bomb(strings=0, empty_rows=0))
    with zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            name = info.filename
            out.writestr(name, sheet if name.endswith("sheet1.xml") else source.read(name))
    message = only_message(book.getvalue())
    assert "已损坏" in message or "结构异常" in message


def test_a_genuine_workbook_at_the_bound_still_reads():
    sheet = xlsx.read_first_sheet(
        archive(names(3000)), max_rows=3001, max_unpacked_bytes=3001 * 2048
    )
    assert len(sheet.rows) == 3001 and sheet.rows[-1][1] == ["王2999"]


def test_the_upload_page_refuses_the_crafted_file_and_deletes_it(client, personas):
    from django.urls import reverse

    from bastion.core.models import ImportJob

    client.force_login(personas.secretary_a)
    upload = SimpleUploadedFile("一支部名册.xlsx", xlsx_bomb())
    response = client.post(reverse("orgs:import_start", args=["people"]), {"file": upload})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and job.status == ImportJob.Status.INVALID
    assert not job.file  # a refused upload is not kept
    page = client.get(response["Location"]).content.decode()
    assert "文字条目过多" in page and "没有写入任何数据" in page


def test_a_styles_part_of_millions_of_elements_is_refused_before_parsing():
    book = io.BytesIO()
    source = archive(xlsx_bomb(strings=0, empty_rows=0))
    with zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            out.writestr(info.filename, source.read(info.filename))
        out.writestr("xl/styles.xml", b"<styleSheet>" + b"<a/>" * 1_100_000 + b"</styleSheet>")
    with pytest.raises(xlsx.TooManyCells):
        xlsx.read_first_sheet(archive(book.getvalue()), max_rows=100)
    assert "结构异常" in only_message(book.getvalue())
