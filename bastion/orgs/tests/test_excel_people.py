"""People import and export: the bad-Excel corpus, good imports, the no-op round trip, scope."""

import datetime as dt
import io
import zipfile

import openpyxl
import pytest
from auditlog.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import translation

from bastion.core.idcard import mask_id_number
from bastion.orgs.importers import export_people_xlsx, run_import, template_xlsx
from bastion.orgs.models import Organization, Person, Role
from bastion.orgs.tests.factories import PersonFactory, UserFactory, grant, make_id_number

PEOPLE_HEADERS = [
    "姓名*",
    "性别",
    "身份证号码",
    "工号",
    "组织编码*",
    "所在党组织",
    "党小组编码",
    "工作单位",
    "岗位",
    "政治面貌*",
    "申请入党日期",
    "入党日期",
    "转正日期",
    "手机号码",
    "电子邮箱",
]
NEW_ID = make_id_number(501, birth="19900101")


@pytest.fixture(autouse=True)
def chinese():
    """Messages are asserted in Chinese, whatever language an earlier test left active."""
    with translation.override("zh-hans"):
        yield


def row(**values) -> list:
    """A row by header name (without the star); unnamed columns stay empty."""
    values = {"姓名": "王明", "组织编码": "C-A-1", "政治面貌": "群众", **values}
    return [values.get(h.rstrip("*")) for h in PEOPLE_HEADERS]


def workbook(rows, headers=PEOPLE_HEADERS, edit=None) -> bytes:
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


def upload(data: bytes, name="roster.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def counts():
    return Person.objects.count(), Organization.objects.count(), LogEntry.objects.count()


def import_people(actor, data, name="roster.xlsx", **kwargs):
    return run_import(kind="people", actor=actor, file=upload(data, name), **kwargs)


def refused(actor, data, name="roster.xlsx"):
    """Import ``data``; assert nothing was written; return the errors as (row, column, message)."""
    before = counts()
    result = import_people(actor, data, name)
    assert counts() == before
    assert not result.ok
    return [(e["row"], e["column"], e["message"]) for e in result.errors]


def only_error(errors):
    assert len(errors) == 1, errors
    return errors[0]


@pytest.fixture
def admin(personas):
    return personas.company


# --- good imports -----------------------------------------------------------------------------


def test_good_import_creates_people_with_audit_entries(admin, tree):
    data = workbook(
        [
            row(姓名="王明", 工号="N001", 身份证号码=NEW_ID, 岗位="台区经理", 手机号码=13800138000),
            row(
                姓名="刘芳",
                工号="N002",
                组织编码="C-A-1",
                党小组编码="C-A-1-G1",
                政治面貌="正式党员",
                申请入党日期=dt.date(2008, 3, 1),
                入党日期="2009/7/1",
                转正日期="2010年7月1日",
            ),
        ]
    )
    before = LogEntry.objects.order_by("pk").values_list("pk", flat=True).last() or 0
    result = import_people(admin, data)
    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged, result.total_rows) == (2, 0, 0, 2)
    wang = Person.objects.get(employee_no="N001")
    assert wang.id_number == NEW_ID
    assert wang.gender == "male" and wang.birth_date == dt.date(1990, 1, 1)
    assert wang.post == "area_manager" and wang.phone == "13800138000"
    assert wang.name_initials == "wm"
    liu = Person.objects.get(employee_no="N002")
    assert liu.party_group == tree.group_a1
    assert (liu.admitted_on, liu.confirmed_on) == (dt.date(2009, 7, 1), dt.date(2010, 7, 1))
    entries = list(LogEntry.objects.filter(pk__gt=before).order_by("pk"))
    assert [(e.action, e.object_id) for e in entries] == [
        (LogEntry.Action.CREATE, wang.pk),
        (LogEntry.Action.CREATE, liu.pk),
    ]
    assert {e.actor for e in entries} == {admin}
    assert entries[0].changes["id_number"] == ["None", mask_id_number(NEW_ID)]
    assert entries[0].changes["name"] == ["None", "王明"]
    assert NEW_ID not in entries[0].changes_text


def test_dry_run_validates_but_writes_nothing(admin):
    before = counts()
    result = import_people(admin, workbook([row(工号="N001")]), dry_run=True)
    assert result.ok and result.created == 1
    assert counts() == before
    assert result.preview[0]["_action"] == "create" and result.preview[0]["姓名"] == "王明"


def test_existing_person_is_updated_by_employee_no(admin, people):
    zhang = people.zhang_san
    data = workbook(
        [
            row(
                姓名="张三",
                工号=zhang.employee_no,
                政治面貌="正式党员",
                入党日期="2010-07-01",
                转正日期="2011-07-01",
                手机号码="13900000000",
            )
        ]
    )
    result = import_people(admin, data)
    assert (result.created, result.updated) == (0, 1), result.errors
    zhang.refresh_from_db()
    assert zhang.phone == "13900000000"
    entry = LogEntry.objects.get_for_object(zhang).latest("pk")
    assert entry.action == LogEntry.Action.UPDATE and entry.actor == admin
    assert entry.changes == {"phone": ["", "13900000000"]}


def test_columns_missing_from_the_file_are_left_alone(admin, people):
    people.li_si.phone = "13700000000"
    people.li_si.save()
    headers = ["姓名", "工号", "组织编码", "政治面貌"]
    result = import_people(
        admin, workbook([["李四改", people.li_si.employee_no, "C-A-1", "群众"]], headers)
    )
    assert result.updated == 1, result.errors
    people.li_si.refresh_from_db()
    assert (people.li_si.name, people.li_si.phone) == ("李四改", "13700000000")
    assert people.li_si.name_initials == "lsg"


def test_progress_is_reported(admin):
    calls = []
    import_people(admin, workbook([row(工号="N001")]), progress=lambda d, t: calls.append((d, t)))
    assert calls[0] == (0, 1) and calls[-1] == (1, 1)


def test_template_has_chinese_headers_and_instructions():
    book = openpyxl.load_workbook(io.BytesIO(template_xlsx("people")))
    assert book.sheetnames == ["人员名册", "填写说明"]
    assert [c.value for c in book.worksheets[0][1]] == PEOPLE_HEADERS
    explained = {r[0] for r in book["填写说明"].iter_rows(min_row=2, values_only=True)}
    assert {"姓名", "政治面貌", "组织编码"} <= explained
    assert any("正式党员" in str(r) for r in book["填写说明"].iter_rows(values_only=True))


# --- the no-op round trip ---------------------------------------------------------------------


def test_export_imported_back_changes_nothing(admin, people, tree):
    people.li_si.id_number = make_id_number(7)
    people.li_si.party_group = tree.group_a1
    people.li_si.email = "li@example.com"
    people.li_si.save()
    PersonFactory(name="无号", employee_no=None, organization=tree.station_a2)
    data = export_people_xlsx(Person.objects.restrict(admin, "export"), actor=admin)
    before = counts()
    result = import_people(admin, data)
    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (0, 0, Person.objects.count())
    assert counts() == before


def test_masked_id_numbers_round_trip_for_an_actor_without_sensitive_rights(people, tree):
    role = Role.objects.create(
        code="roster_clerk",
        name="名册员",
        permissions=["orgs.view_person", "orgs.export_person", "orgs.import_person"],
    )
    clerk = UserFactory(username="clerk")
    grant(clerk, role.code, tree.station_a1)
    people.zhang_san.id_number = make_id_number(11)
    people.zhang_san.save()
    data = export_people_xlsx(Person.objects.restrict(clerk, "export"), actor=clerk)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    numbers = [r[2] for r in sheet.iter_rows(min_row=2, values_only=True) if r[2]]
    assert numbers == [mask_id_number(make_id_number(11))]
    before = counts()
    result = import_people(clerk, data)
    assert (result.unchanged, result.updated) == (2, 0), result.errors
    assert counts() == before
    people.zhang_san.refresh_from_db()
    assert people.zhang_san.id_number == make_id_number(11)


# --- scope ------------------------------------------------------------------------------------


def test_secretary_cannot_import_into_another_branch(personas):
    errors = refused(personas.secretary_a, workbook([row(), row(姓名="赵七", 组织编码="C-B-1")]))
    assert only_error(errors) == (3, "组织编码", "组织编码“C-B-1”不存在或不在您的管理范围内。")


def test_unknown_organization_gets_the_same_message_as_one_out_of_scope(personas):
    errors = refused(personas.secretary_a, workbook([row(组织编码="NOPE")]))
    assert only_error(errors) == (2, "组织编码", "组织编码“NOPE”不存在或不在您的管理范围内。")


def test_secretary_cannot_take_over_a_person_of_another_branch(personas, people):
    errors = refused(personas.secretary_a, workbook([row(工号=people.zhao_liu.employee_no)]))
    number, column, message = only_error(errors)
    assert (number, column) == (2, "工号") and "管理范围之外" in message
    assert "赵六" not in message


def test_secretary_export_holds_only_their_branch(personas, people):
    user = personas.secretary_a
    data = export_people_xlsx(Person.objects.restrict(user, "export"), actor=user)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    names = sorted(r[0] for r in sheet.iter_rows(min_row=2, values_only=True))
    assert names == ["张三", "李四"]


# --- the bad-Excel corpus ---------------------------------------------------------------------


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    "data,name,expected",
    [
        (
            b"\xef\xbb\xbf\xe5\xa7\x93\xe5\x90\x8d,\xe5\xb7\xa5\xe5\x8f\xb7\n",
            "roster.xlsx",
            "不是 Excel 工作簿",
        ),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "photo.xlsx", "不是 Excel 工作簿"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64, "old.xlsx", "旧版 Excel（.xls）"),
        (None, "report.xlsx", "可能是 Word 文档"),
        ("xlsx", "roster.csv", "只接受扩展名为 .xlsx"),
        (b"PK\x03\x04broken", "roster.xlsx", "文件已损坏"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "photo.csv", "“photo.csv”不是文本格式的 CSV"),
        ("姓名,工号\n王明,N1\n".encode(), "roster.txt", "只接受 .xlsx 或 .csv 格式"),
        (b"\xff\xfe\x80\x80" * 8, "roster.csv", "不是文本格式的 CSV"),
    ],
    ids=[
        "csv-named-xlsx",
        "png",
        "xls",
        "docx",
        "xlsx-named-csv",
        "broken-zip",
        "png-named-csv",
        "text-named-txt",
        "undecodable-csv",
    ],
)
def test_wrong_file_types_are_refused(admin, data, name, expected):
    if data is None:
        data = docx_bytes()
    elif data == "xlsx":
        data = workbook([row()])
    number, column, message = only_error(refused(admin, data, name))
    assert (number, column) == (0, "") and expected in message


def test_empty_file_is_refused(admin):
    assert only_error(refused(admin, b""))[2].startswith("文件是空的")


def test_headers_without_rows_are_refused(admin):
    errors = refused(admin, workbook([[None] * 15, []]))
    assert only_error(errors)[2] == "文件只有表头，没有数据行；请从第2行开始填写数据。"


def test_blank_sheet_is_refused(admin):
    errors = refused(admin, workbook([], headers=[]))
    assert only_error(errors)[:2] == (1, "") and "表头" in errors[0][2]


@override_settings(BASTION_MAX_UPLOAD_BYTES=2000)
def test_oversized_file_is_refused(admin):
    data = workbook([row(工号=f"N{i}") for i in range(50)])
    assert len(data) > 2000
    assert "超过了上限" in only_error(refused(admin, data))[2]


def test_formula_cell_is_refused_naming_row_and_column(admin):
    data = workbook([row(), row(工号="N2")], edit=lambda s: s.__setitem__("H3", "=A2&A3"))
    assert only_error(refused(admin, data))[:2] == (3, "工作单位")
    assert "H3 是公式" in refused(admin, data)[0][2]


def test_merged_header_cells_are_refused(admin):
    data = workbook([row()], edit=lambda s: s.merge_cells("B1:C1"))
    number, column, message = only_error(refused(admin, data))
    assert (number, column) == (1, "性别") and "合并单元格（B1:C1）" in message


def test_merged_cells_below_the_header_are_not_a_header_problem(admin):
    data = workbook([row(工号="N1"), row(工号="N2")], edit=lambda s: s.merge_cells("H2:H3"))
    assert import_people(admin, data, dry_run=True).ok


def test_missing_required_columns_are_named(admin):
    headers = [h for h in PEOPLE_HEADERS if h not in ("组织编码*", "政治面貌*")]
    errors = refused(admin, workbook([["王明"] + [None] * 12], headers=headers))
    assert [(r, c) for r, c, _m in errors] == [(1, "组织编码"), (1, "政治面貌")]
    assert "缺少必填列“组织编码”" in errors[0][2]


def test_unknown_and_repeated_headers_are_refused(admin):
    errors = refused(
        admin, workbook([row() + ["x", "y"]], headers=PEOPLE_HEADERS + ["身份证号", "工号"])
    )
    assert [(r, c) for r, c, _m in errors] == [(1, "身份证号"), (1, "工号")]
    assert "第P列" in errors[0][2] and "第D列和第Q列" in errors[1][2]


def test_required_cell_left_empty_is_named(admin):
    errors = refused(admin, workbook([row(工号="N1"), row(姓名=None, 工号="N2")]))
    assert only_error(errors) == (3, "姓名", "“姓名”为必填项，不能为空。")


def test_duplicate_id_numbers_in_the_file_name_both_rows(admin):
    data = workbook(
        [row(身份证号码=NEW_ID, 工号="N1"), row(工号="N2"), row(身份证号码=NEW_ID, 工号="N3")]
    )
    errors = refused(admin, data)
    assert [(r, c) for r, c, _m in errors] == [(2, "身份证号码"), (4, "身份证号码")]
    assert "第2行和第4行重复" in errors[0][2]


def test_duplicate_employee_numbers_in_the_file_name_both_rows(admin):
    errors = refused(admin, workbook([row(工号="N1"), row(姓名="李明", 工号="N1")]))
    assert [(r, c) for r, c, _m in errors] == [(2, "工号"), (3, "工号")]
    assert "工号“N1”在第2行和第3行重复" in errors[1][2]


def test_id_number_of_another_existing_person_is_refused(admin, people):
    people.li_si.id_number = NEW_ID
    people.li_si.save()
    errors = refused(admin, workbook([row(工号="N9", 身份证号码=NEW_ID)]))
    number, column, message = only_error(errors)
    assert (number, column) == (2, "身份证号码") and "李四" in message and NEW_ID not in message


@pytest.mark.parametrize("value", ["2020.13.45", "12/03/20", "昨天", "2020-2-30", 43000])
def test_dates_in_odd_formats_are_refused_with_the_accepted_formats(admin, value):
    errors = refused(admin, workbook([row(工号="N1", 申请入党日期=value)]))
    number, column, message = only_error(errors)
    assert (number, column) == (2, "申请入党日期")
    assert "YYYY-MM-DD、YYYY/MM/DD、YYYY.MM.DD、YYYY年M月D日" in message


@pytest.mark.parametrize(
    "value", [dt.date(2020, 7, 1), "2020-07-01", "2020/7/1", "2020.07.01", "2020年7月1日"]
)
def test_dates_in_accepted_formats_are_read(admin, value):
    result = import_people(admin, workbook([row(工号="N1", 申请入党日期=value)]))
    assert result.ok, result.errors
    assert Person.objects.get(employee_no="N1").applied_on == dt.date(2020, 7, 1)


@pytest.mark.parametrize(
    "value,expected",
    [
        (make_id_number(3)[:-1] + ("0" if make_id_number(3)[-1] != "0" else "1"), "校验位不正确"),
        ("440902851315001", "15位旧版身份证号码，但其中的出生日期无效"),
        ("44090219850315", "应为18位"),
        (440902198503150017, "长号码的末几位已丢失"),
    ],
    ids=["checksum", "legacy", "length", "number"],
)
def test_invalid_id_numbers_are_refused(admin, value, expected):
    number, column, message = only_error(refused(admin, workbook([row(身份证号码=value)])))
    assert (number, column) == (2, "身份证号码") and expected in message


def test_masked_id_number_cannot_create_a_person(admin):
    errors = refused(admin, workbook([row(工号="N1", 身份证号码="440902********0017")]))
    assert only_error(errors)[:2] == (2, "身份证号码") and "脱敏" in errors[0][2]


@pytest.mark.parametrize(
    "column,value,allowed",
    [
        ("政治面貌", "党员", "正式党员、预备党员、群众"),
        ("岗位", "站长", "所长、副所长"),
        ("性别", "M", "男、女"),
    ],
)
def test_unknown_choice_label_lists_the_allowed_ones(admin, column, value, allowed):
    number, header, message = only_error(refused(admin, workbook([row(**{column: value})])))
    assert (number, header) == (2, column) and allowed in message and f"“{value}”" in message


def test_membership_rules_are_reported_per_row(admin):
    data = workbook(
        [
            row(工号="N1"),
            row(工号="N2", 政治面貌="正式党员", 入党日期="2010-07-01"),
            row(工号="N3", 入党日期="2010-07-01"),
        ]
    )
    errors = refused(admin, data)
    assert errors == [
        (3, "转正日期", "正式党员必须填写转正日期。"),
        (4, "入党日期", "群众不应有入党日期，请先修改政治面貌。"),
    ]


def test_party_group_must_belong_to_the_organization(admin, tree):
    errors = refused(admin, workbook([row(组织编码="C-A-2", 党小组编码="C-A-1-G1")]))
    assert only_error(errors)[:2] == (2, "党小组编码")


def test_nul_characters_are_refused(admin):
    number, column, message = only_error(refused(admin, workbook([row(姓名="王_x0000_明")])))
    assert (number, column) == (2, "姓名") and "NUL" in message


def test_text_longer_than_the_field_is_refused(admin):
    errors = refused(admin, workbook([row(工号="N1", 工作单位="长" * 101)]))
    assert only_error(errors) == (2, "工作单位", "长度为101个字符，超过了上限100个字符。")


def test_bad_email_is_reported_by_model_validation(admin):
    errors = refused(admin, workbook([row(工号="N1", 电子邮箱="not-an-email")]))
    assert only_error(errors)[:2] == (2, "电子邮箱")


def test_row_numbers_are_excel_row_numbers_across_blank_rows(admin):
    data = workbook([row(工号="N1"), [None] * 15, [], row(工号="N4", 政治面貌="团员")])
    assert only_error(refused(admin, data))[:2] == (5, "政治面貌")


def test_every_bad_row_is_listed(admin):
    rows = [row(工号=f"N{i}", 政治面貌="?" if i % 2 else "群众") for i in range(10)]
    errors = refused(admin, workbook(rows))
    assert [r for r, _c, _m in errors] == [3, 5, 7, 9, 11]


def test_a_failure_while_writing_leaves_nothing_behind(admin, monkeypatch):
    def broken_audit(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("bastion.orgs.importers.people.audit_bulk", broken_audit)
    before = counts()
    with pytest.raises(RuntimeError):
        import_people(admin, workbook([row(工号="N1"), row(工号="N2")]))
    assert counts() == before
