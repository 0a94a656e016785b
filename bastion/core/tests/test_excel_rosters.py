"""Rosters as branches keep them, for every importer: title and blank rows above the header,
header synonyms, full-width characters, phone numbers, CSV in three encodings, 15-digit ID
numbers, the user's own file name in every message, a stale preview refused."""

import io
import re

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import translation

from bastion.core import excel
from bastion.core.excel import Column, ExcelImport, FileRefused, ImportResult, read_sheet
from bastion.core.excel.reading import HEADER_SEARCH_ROWS
from bastion.core.excel.synonyms import HEADER_SYNONYMS, names_of
from bastion.core.idcard import canonical, upgrade_legacy, validate_id_number
from bastion.core.jobs import import_job_commit, import_job_create
from bastion.core.models import ImportJob
from bastion.core.text import normalize_phone, plain, plain_code, plain_name, plain_text

NAME = Column("name", "姓名", required=True, kind="name", max_length=10)
ID = Column("id_number", "身份证号码", kind="code")
PHONE = Column("phone", "手机号码", kind="phone")
JOINED = Column("admitted_on", "入党日期", kind="date")
COLUMNS = (NAME, ID, PHONE, JOINED)


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


def xlsx(rows, edit=None) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for values in rows:
        sheet.append(list(values))
    if edit:
        edit(sheet)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def read(data: bytes, name="名册.xlsx", columns=COLUMNS, **kwargs):
    return read_sheet(SimpleUploadedFile(name, data), columns, **kwargs)


def refusals(data: bytes, name="名册.xlsx", **kwargs) -> list[tuple]:
    with pytest.raises(FileRefused) as info:
        read(data, name, **kwargs)
    return [(e["row"], e["column"], e["message"]) for e in info.value.errors]


# --- the header among the first rows ----------------------------------------------------------


def test_a_merged_title_and_blank_rows_above_the_header_are_skipped():
    rows = [
        ["XX供电所党支部党员名册"],
        [],
        ["填报日期：2026年3月"],
        ["姓名", "身份证号码"],
        ["张三"],
    ]
    sheet = read(xlsx(rows, edit=lambda s: s.merge_cells("A1:D1")))
    assert sheet.header_row == 4
    assert sheet.rows == [(5, ("张三", None))]


def test_messages_name_the_real_excel_rows_below_a_title():
    rows = [["党员名册"], ["姓名", "手机号码"], ["张三", "12345"], [], ["李四", None]]
    sheet = read(xlsx(rows))
    assert [number for number, _raw in sheet.rows] == [3, 5]
    data, problems = excel.convert_row(sheet.columns, sheet.rows[0][1], sheet.labels())
    assert [c.header for c, _m in problems] == ["手机号码"]


def test_a_merged_cell_in_the_header_row_is_still_refused_under_a_title():
    rows = [["党员名册"], ["姓名", "身份证号码", "手机号码"], ["张三"]]
    errors = refusals(xlsx(rows, edit=lambda s: s.merge_cells("B2:C2")))
    assert [(r, c) for r, c, _m in errors] == [(2, "身份证号码")]
    assert "合并单元格（B2:C2）" in errors[0][2]


def test_a_title_merged_down_into_the_header_is_a_header_merge():
    rows = [["党员名册"], ["姓名", "身份证号码"], ["张三"]]
    errors = refusals(xlsx(rows, edit=lambda s: s.merge_cells("A1:A2")))
    assert errors[0][:2] == (2, "姓名")


def test_a_formula_in_the_title_is_not_read_but_one_in_the_data_is():
    rows = [["=TODAY()"], ["姓名", "身份证号码"], ["张三"], ["=A3"]]
    errors = refusals(xlsx(rows))
    assert [(r, c) for r, c, _m in errors] == [(4, "姓名")]


def test_the_header_only_file_says_where_data_should_start():
    errors = refusals(xlsx([["名册"], ["姓名"]]))
    assert errors == [(0, "", "文件只有表头，没有数据行；请从第3行开始填写数据。")]


def test_a_header_further_down_than_the_search_is_not_found():
    rows = [["说明"]] * HEADER_SEARCH_ROWS + [["姓名"], ["张三"]]
    errors = refusals(xlsx(rows))
    assert errors[0][:2] == (1, "说明") and "不是模板中的列" in errors[0][2]


def test_an_empty_sheet_names_the_header_row():
    errors = refusals(xlsx([]))
    assert errors[0][:2] == (1, "") and "没有找到表头" in errors[0][2]


# --- header synonyms ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header,key",
    [
        ("身份证号", "id_number"),
        ("公民身份号码", "id_number"),
        ("入党时间", "admitted_on"),
        ("联系电话", "phone"),
        ("手机号", "phone"),
        ("名字", "name"),
        ("身份证 号码＊", "id_number"),
        ("ｅ", None),
    ],
)
def test_header_synonyms_are_matched(header, key):
    rows = [[header], ["张三"]] if key == "name" else [["姓名", header], ["张三", "x"]]
    if key is None:
        assert "不是模板中的列" in refusals(xlsx(rows))[0][2]
        return
    sheet = read(xlsx(rows))
    assert key in sheet.present


def test_two_words_for_one_column_are_refused_naming_both():
    errors = refusals(xlsx([["姓名", "身份证号码", "身份证号"], ["张三"]]))
    assert [(r, c) for r, c, _m in errors] == [(1, "身份证号")]
    assert "第B列“身份证号码”和第C列“身份证号”都是“身份证号码”列" in errors[0][2]


def test_a_columns_own_aliases_add_to_the_table():
    column = Column("station", "供电所编码", aliases=("站所编码",))
    assert names_of(column)[:2] == ("供电所编码", "站所编码")
    assert set(HEADER_SYNONYMS["供电所编码"]) <= set(names_of(column))


def test_no_alias_is_another_columns_header(db):
    """Every registered importer: a synonym never takes another column's place."""
    from bastion.core.excel import get_importer

    get_importer("people")  # discovers every app's importers
    for kind, importer in excel._importers.items():
        columns = list(importer.columns)
        headers = {c.header: c.key for c in columns}
        for column in columns:
            for word in names_of(column)[1:]:
                owner = headers.get(word)
                assert owner in (None, column.key), (kind, column.header, word)


def test_the_templates_instructions_name_the_other_header_words():
    """The 填写说明 sheet says which other words a branch's own roster may use for a column."""
    columns = [Column("id_number", "身份证号码"), Column("note", "备注")]
    workbook = openpyxl.load_workbook(
        io.BytesIO(excel.build_workbook(title="名册", columns=columns, rows=[]))
    )
    explained = {
        row[0]: row[2] for row in workbook["填写说明"].iter_rows(min_row=2, values_only=True)
    }
    assert "公民身份号码" in explained["身份证号码"] and "身份证号" in explained["身份证号码"]
    assert not explained["备注"]


# --- full-width characters and phone numbers ---------------------------------------------------


def test_full_width_digits_letters_and_spaces_become_ascii_in_every_cell():
    rows = [
        ["姓名", "身份证号码", "手机号码", "入党日期"],
        [
            "周　杰",
            "４４０９０２１９８５０３１５００１ｘ",
            "１３８ ００１３ ８０００",
            "２０１０年７月１日",
        ],
    ]
    sheet = read(xlsx(rows))
    data, problems = excel.convert_row(sheet.columns, sheet.rows[0][1], sheet.labels())
    assert problems == []
    assert data["name"] == "周杰"
    assert data["id_number"] == "44090219850315001x"
    assert data["phone"] == "13800138000"
    assert str(data["admitted_on"]) == "2010-07-01"


@pytest.mark.parametrize(
    "text,expected",
    [
        ("周　杰", "周杰"),
        (" 欧阳 修 ", "欧阳修"),
        ("Li  Ming", "Li Ming"),
        ("阿依古丽·买买提", "阿依古丽·买买提"),
    ],
)
def test_names_lose_the_spaces_between_chinese_characters(text, expected):
    assert plain_name(text) == expected


def test_prose_keeps_its_chinese_punctuation_and_labels_still_match():
    assert plain_text("台区１２户电费未结清，（限期整改）") == "台区12户电费未结清，（限期整改）"
    kind = Column("unit", "单位类别", kind="choice", choices=(("support", "支撑机构（战区）"),))
    data, problems = excel.convert_row([kind], ["支撑机构（战区）"], {"unit": kind.labels()})
    assert problems == [] and data == {"unit": "support"}
    amount = Column("amount", "金额", kind="number")
    assert excel.to_text("４０．００", amount) == "40.00"


def test_plain_and_codes():
    assert plain("ＡＢＣ１２３　") == "ABC123"
    assert plain("９８．５％") == "98.5%"
    assert plain_code(" E 00１ ") == "E001"


@pytest.mark.parametrize(
    "value,expected",
    [
        ("13800138000", "13800138000"),
        ("+86 138-0013-8000", "13800138000"),
        ("0731-84561234", "0731-84561234"),
        ("0731 84561234", "0731-84561234"),
        ("(0731)84561234", "0731-84561234"),
        ("（０７３１）８４５６１２３４", "0731-84561234"),
        ("010-12345678", "010-12345678"),
        ("0731-84561234转801", "0731-84561234-801"),
        ("", ""),
    ],
)
def test_phone_numbers_are_written_one_way(value, expected):
    assert normalize_phone(value) == expected


@pytest.mark.parametrize("value", ["12345", "1380013800", "23800138000", "84561234", "电话"])
def test_bad_phone_numbers_are_refused_in_chinese(value):
    with pytest.raises(ValidationError) as info:
        normalize_phone(value)
    assert "手机号码为以1开头的11位数字" in info.value.messages[0]
    assert "0731-84561234" in info.value.messages[0]


def test_a_bad_phone_cell_is_named_by_its_column():
    sheet = read(xlsx([["姓名", "手机号码"], ["张三", 12345]]))
    _data, problems = excel.convert_row(sheet.columns, sheet.rows[0][1], sheet.labels())
    assert [(c.header, "不是有效的电话号码" in m) for c, m in problems] == [("手机号码", True)]


# --- CSV -----------------------------------------------------------------------------------------

CSV_TEXT = "党员名册\n\n姓名,身份证号,联系电话\n周　杰,440902198503150017,0731 84561234\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_is_read_in_utf8_with_or_without_bom_and_in_gbk(encoding):
    sheet = read(CSV_TEXT.encode(encoding), "名册.csv")
    assert sheet.header_row == 3
    assert sheet.rows == [(4, ("周　杰", "440902198503150017", "0731 84561234"))]
    data, problems = excel.convert_row(sheet.columns, sheet.rows[0][1], sheet.labels())
    assert problems == [] and data["name"] == "周杰" and data["phone"] == "0731-84561234"


def test_csv_keeps_long_id_numbers_as_text_and_reads_quoted_commas():
    text = '姓名,身份证号码\n"张,三",440902198503150017\n'
    sheet = read(text.encode(), "名册.csv")
    assert sheet.rows == [(2, ("张,三", "440902198503150017"))]


def test_csv_cells_that_excel_would_compute_are_refused_as_formulas():
    text = '姓名,身份证号码\n"=HYPERLINK(""http://x"",B2)",440902198503150017\n'
    errors = refusals(text.encode(), "名册.csv")
    assert [(r, c) for r, c, _m in errors] == [(2, "姓名")] and "A2 是公式" in errors[0][2]


def test_csv_rows_past_the_cap_are_refused():
    text = "姓名\n" + "张三\n" * 30
    errors = refusals(text.encode(), "名册.csv", max_rows=20)
    assert errors == [(0, "", "文件的数据超过了20行的上限；请分成多个文件导入。")]


@override_settings(BASTION_MAX_UPLOAD_BYTES=100)
def test_csv_past_the_size_cap_is_refused():
    errors = refusals(("姓名\n" + "张三\n" * 40).encode(), "名册.csv")
    assert "超过了上限" in errors[0][2]


def test_a_binary_file_named_csv_is_refused_by_its_name():
    errors = refusals(b"\x89PNG\r\n\x1a\n\x00\x00", "照片.csv")
    assert errors == [
        (0, "", "文件“照片.csv”不是文本格式的 CSV 文件；请在 Excel 中另存为 CSV 或 .xlsx。")
    ]


def test_text_named_otherwise_is_refused_naming_the_file():
    errors = refusals("姓名\n张三\n".encode(), "名册.txt")
    assert errors == [(0, "", "文件“名册.txt”不是 Excel 工作簿，只接受 .xlsx 或 .csv 格式。")]


def test_csv_with_an_unknown_header_is_named_like_an_xlsx():
    errors = refusals("姓名,备注\n张三,x\n".encode("gbk"), "名册.csv")
    assert errors == [(1, "备注", "第B列的表头“备注”不是模板中的列，请改正或删除该列。")]


# --- 15-digit ID numbers -------------------------------------------------------------------------


def test_a_legacy_id_number_is_upgraded_by_the_standard():
    # GB 11643-1999's example: 110105491231002 → 11010519491231002X
    assert upgrade_legacy("110105491231002") == "11010519491231002X"
    assert canonical("１１０１０５４９１２３１００２") == "11010519491231002X"
    assert validate_id_number(upgrade_legacy("440902850315001"))
    assert upgrade_legacy("440902851315001") is None  # month 13
    assert upgrade_legacy("44090285031500") is None


# --- the user's own file name; warnings and fingerprints through the job -----------------------


class Rows(ExcelImport):
    """A tiny importer: one warning per row, a fingerprint the test controls."""

    columns = (NAME,)
    state = "v1"
    written: list = []

    def validate_row(self, row):
        self.warnings.add(row.number, NAME.header, "已更正")

    def counts(self):
        return {"created": len(self.sheet.rows)}

    def fingerprint(self):
        return self.digest([Rows.state])

    def commit_rows(self):
        Rows.written.append([raw for _n, raw in self.sheet.rows])


@pytest.fixture
def rows_importer():
    excel.register_importer(
        excel.Importer("rows", "行", "orgs.import_person", Rows.run, Rows.columns, lambda: b"")
    )
    Rows.state, Rows.written = "v1", []
    yield
    excel._importers.pop("rows")


def test_refusals_name_the_users_file_never_the_stored_copy(personas, rows_importer):
    upload = SimpleUploadedFile("一支部名册.txt", "姓名\n张三\n".encode())
    job = import_job_create(actor=personas.secretary_a, kind="rows", uploaded_file=upload)
    assert job.status == ImportJob.Status.INVALID
    (found,) = job.errors
    assert "“一支部名册.txt”" in found["message"]
    # The stored copy (a generated hex name) is deleted once refused, and never named.
    assert not job.file and not re.search(r"[0-9a-f]{32}", found["message"])


def test_warnings_and_the_fingerprint_are_kept_in_the_job_summary(personas, rows_importer):
    upload = SimpleUploadedFile("名册.xlsx", xlsx([["标题"], ["姓名"], ["张三"]]))
    job = import_job_create(actor=personas.secretary_a, kind="rows", uploaded_file=upload)
    assert job.status == ImportJob.Status.READY
    assert job.summary["warnings"] == [{"row": 3, "column": "姓名", "message": "已更正"}]
    assert job.summary["fingerprint"]
    job = import_job_commit(actor=personas.secretary_a, job=job)
    assert job.status == ImportJob.Status.DONE and Rows.written == [[("张三",)]]


def test_a_preview_whose_records_changed_is_refused_and_writes_nothing(personas, rows_importer):
    upload = SimpleUploadedFile("名册.xlsx", xlsx([["姓名"], ["张三"]]))
    job = import_job_create(actor=personas.secretary_a, kind="rows", uploaded_file=upload)
    Rows.state = "v2"  # someone else changed what the file updates
    job = import_job_commit(actor=personas.secretary_a, job=job)
    assert job.status == ImportJob.Status.INVALID and Rows.written == []
    (found,) = job.errors
    assert found["row"] == 0 and found["message"].startswith("数据已变化，请重新校验")


def test_a_run_without_a_preview_is_not_compared(personas, rows_importer):
    Rows.state = "v2"
    result = Rows.run(actor=None, file=SimpleUploadedFile("a.xlsx", xlsx([["姓名"], ["甲"]])))
    assert isinstance(result, ImportResult) and result.ok and Rows.written
    assert result.summary()["warnings"][0]["row"] == 2


def test_every_importer_finds_its_header_under_a_title_by_other_words(db):
    """The same rules for people, organizations, dues, problems and benchmarks."""
    from bastion.core.excel import get_importer

    get_importer("people")
    kinds = set()
    for kind, importer in excel._importers.items():
        columns = list(importer.columns)
        words = [(HEADER_SYNONYMS.get(c.header) or (c.header,))[0] for c in columns]
        rows = [[f"{importer.label}（标题）"], [], words, ["x"] * len(words)]
        sheet = read(xlsx(rows, edit=lambda s: s.merge_cells("A1:C1")), columns=columns)
        assert sheet.header_row == 3 and sheet.rows[0][0] == 4, kind
        assert sheet.present == {c.key for c in columns}, kind
        kinds.add(kind)
    assert {"people", "organizations", "dues_payments", "problems", "benchmarks"} <= kinds
