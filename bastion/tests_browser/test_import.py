"""Journey 4: a branch secretary imports a roster with one bad row, reads the error, fixes it."""

import datetime as dt

import pytest
from openpyxl import Workbook
from playwright.sync_api import expect

from bastion.core.models import ImportJob
from bastion.orgs.models import Person
from bastion.orgs.tests.factories import make_id_number

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

HEADERS = [
    "姓名",
    "性别",
    "身份证号码",
    "工号",
    "组织编码",
    "所在党组织",
    "党小组编码",
    "工作单位",
    "岗位",
    "政治面貌",
    "申请入党日期",
    "入党日期",
    "转正日期",
    "手机号码",
    "电子邮箱",
]
NEWCOMERS = ["孙八", "周九", "吴十"]


def roster_rows(*, bad_id_for: str | None = None) -> list[dict]:
    rows = [
        {
            "姓名": "孙八",
            "身份证号码": make_id_number(801),
            "工号": "A1-801",
            "政治面貌": "正式党员",
            "申请入党日期": dt.date(2008, 3, 1),
            "入党日期": dt.date(2009, 7, 1),
            "转正日期": dt.date(2010, 7, 1),
            "手机号码": "13800000801",
        },
        {
            "姓名": "周九",
            "身份证号码": make_id_number(802, birth="19920611"),
            "工号": "A1-802",
            "政治面貌": "预备党员",
            "申请入党日期": dt.date(2023, 3, 1),
            "入党日期": dt.date(2024, 7, 1),
            "电子邮箱": "zhoujiu@example.com",
        },
        {"姓名": "吴十", "身份证号码": make_id_number(803), "工号": "A1-803", "政治面貌": "群众"},
    ]
    for row in rows:
        row.update({"组织编码": "C-A-1", "所在党组织": "A1供电所党支部", "工作单位": "A1供电所"})
        if row["姓名"] == bad_id_for:
            good = row["身份证号码"]
            # Same 17 digits, wrong check code: only the checksum is wrong.
            row["身份证号码"] = good[:17] + ("0" if good[17] != "0" else "1")
    return rows


def write_roster(path, rows) -> str:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    for row in rows:
        sheet.append([row.get(header) for header in HEADERS])
    # ID and employee numbers are text, as the template asks: Excel would round long numbers.
    for cell in sheet["C"][1:]:
        cell.number_format = "@"
    book.save(path)
    return str(path)


def upload(page, file_path):
    page.goto("/orgs/people/")
    page.get_by_role("link", name="导入名册").click()
    expect(page).to_have_url("/orgs/import/people/")
    page.get_by_label("Excel 文件（.xlsx 或 .csv）").set_input_files(file_path)
    page.get_by_role("button", name="上传并校验").click()


def test_roster_with_a_bad_id_is_refused_by_row_then_imported_once_fixed(
    page, login, personas, tmp_path
):
    broken = write_roster(tmp_path / "名册-有误.xlsx", roster_rows(bad_id_for="周九"))
    fixed = write_roster(tmp_path / "名册.xlsx", roster_rows())
    people_before = Person.objects.count()
    login(page, personas.secretary_a)

    upload(page, broken)
    expect(page.get_by_test_id("job-status")).to_have_text("有错误")
    expect(page.get_by_test_id("import-invalid")).to_contain_text("没有写入任何数据")
    errors = page.get_by_test_id("import-errors")
    for header in ("行号", "列", "原因"):
        expect(errors.get_by_role("columnheader", name=header, exact=True)).to_be_visible()
    # One bad row, named by its Excel row (周九 is the second row below the header) and column.
    expect(errors.locator("tbody tr")).to_have_count(1)
    cells = errors.locator("tbody tr").first.get_by_role("cell")
    expect(cells.nth(0)).to_have_text("第3行")
    expect(cells.nth(1)).to_have_text("身份证号码")
    expect(cells.nth(2)).to_contain_text("校验位不正确")
    expect(page.get_by_role("button", name="确认导入")).to_have_count(0)
    # Nothing was written, not even the two good rows.
    assert Person.objects.count() == people_before
    assert not Person.objects.filter(name__in=NEWCOMERS).exists()
    assert ImportJob.objects.get().status == ImportJob.Status.INVALID

    upload(page, fixed)
    expect(page.get_by_test_id("job-status")).to_have_text("待确认导入")
    expect(page.get_by_test_id("import-ready")).to_contain_text("校验通过，共 3 行：将新增 3 条")
    preview = page.get_by_test_id("import-preview")
    for name in NEWCOMERS:
        expect(preview.get_by_role("row").filter(has_text=name)).to_contain_text("新增")
    expect(page.get_by_test_id("import-errors")).to_have_count(0)
    assert not Person.objects.filter(name__in=NEWCOMERS).exists()

    page.get_by_role("button", name="确认导入").click()
    expect(page.get_by_test_id("job-status")).to_have_text("已完成")
    expect(page.get_by_test_id("import-done")).to_contain_text("导入完成：新增 3 条")
    assert set(
        Person.objects.filter(organization__code="C-A-1", name__in=NEWCOMERS).values_list(
            "name", "membership_status"
        )
    ) == {("孙八", "full"), ("周九", "probationary"), ("吴十", "none")}

    page.goto("/orgs/people/")
    table = page.get_by_test_id("people-table")
    for name in NEWCOMERS:
        expect(table.get_by_role("link", name=name)).to_be_visible()
    expect(page.get_by_text("共 5 人")).to_be_visible()
