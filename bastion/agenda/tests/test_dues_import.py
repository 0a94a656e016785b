"""The dues payments importer: happy path, every kind of bad row, scope, round trip."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bastion.agenda.importers import DUES_PAYMENTS, export_payments_xlsx, run_import
from bastion.agenda.models import DuesPayment, Obligation
from bastion.agenda.services import dues as services
from bastion.agenda.services.obligations import generate_year
from bastion.core.excel import get_importer
from bastion.orgs.tests.factories import UserFactory, grant

from .dues_fixtures import TODAY, member, pinned_today, read_rows, sheet_row, with_id, workbook  # noqa: F401

D = dt.date
pytestmark = pytest.mark.usefixtures("pinned_today")


def run(actor, rows, dry_run=False, **kwargs):
    return run_import(actor=actor, file=io.BytesIO(workbook(rows, **kwargs)), dry_run=dry_run)


def messages_by_row(result) -> dict[int, str]:
    found: dict[int, str] = {}
    for e in result.errors:
        found[e["row"]] = found.get(e["row"], "") + f"[{e['column']}]{e['message']}"
    return found


def test_importer_is_registered_for_the_job_flow():
    importer = get_importer(DUES_PAYMENTS)
    assert importer.permission == "agenda.import_duespayment"
    assert read_rows_headers(importer.template())[:6] == [
        "姓名",
        "身份证号",
        "工号",
        "所属月份*",
        "金额*",
        "缴纳日期*",
    ]


def read_rows_headers(content):
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(content))
    return [c.value for c in book.worksheets[0][1]]


def test_happy_path_validates_then_writes_and_fulfils_the_month(personas, tree, people):
    generate_year(2025)
    in_group = with_id(tree.group_a1, 11, name="组员甲", employee_no=None)
    rows = [
        sheet_row(
            姓名="张三",
            工号=people.zhang_san.employee_no,
            所属月份="2025-03",
            金额="40",
            缴纳日期=D(2025, 3, 10),
        ),
        sheet_row(
            身份证号=in_group.id_number, 所属月份="2025年3月", 金额=12.5, 缴纳日期="2025-04-02"
        ),
        *[
            sheet_row(
                工号=people.zhang_san.employee_no,
                所属月份=f"2025-0{m}",
                金额="40.00",
                缴纳日期="2025/03/28",
            )
            for m in (4, 5, 6)
        ],
    ]
    preview = run(personas.secretary_a, rows, dry_run=True)
    assert preview.ok, preview.errors
    assert (preview.total_rows, preview.created) == (5, 5)
    assert [p["_action"] for p in preview.preview] == ["create"] * 5
    assert preview.preview[1]["收缴组织"] == tree.station_a1.name
    assert not DuesPayment.objects.exists()

    result = run(personas.secretary_a, rows)
    assert result.ok and result.created == 5
    payment = DuesPayment.objects.get(person=in_group)
    assert (payment.organization, payment.month, payment.amount, payment.paid_on) == (
        tree.station_a1,
        D(2025, 3, 1),
        Decimal("12.50"),
        D(2025, 4, 2),
    )
    assert payment.recorded_by == personas.secretary_a
    march = Obligation.objects.get(
        organization=tree.station_a1, kind="dues", period_start=D(2025, 3, 1)
    )
    assert march.fulfilled_on == D(2025, 4, 2) and march.alert(TODAY) == "late"
    from auditlog.models import LogEntry

    assert LogEntry.objects.filter(content_type__model="duespayment").count() == 5


def test_every_bad_row_is_listed_and_nothing_is_written(personas, tree, people):
    zhang_no = people.zhang_san.employee_no
    services.payment_record(
        actor=personas.secretary_a,
        person=people.zhang_san,
        month=D(2025, 1, 1),
        amount="40",
        paid_on=D(2025, 1, 5),
    )
    good = {"工号": zhang_no, "金额": "40", "缴纳日期": D(2025, 3, 1)}
    rows = [
        sheet_row(**{**good, "所属月份": "2025-02"}),  # row 2: fine
        sheet_row(**{**good, "所属月份": "2025-03", "金额": "0"}),  # 3
        sheet_row(**{**good, "所属月份": "2025-04", "金额": "1.234"}),  # 4
        sheet_row(**{**good, "所属月份": "2025-13"}),  # 5
        sheet_row(所属月份="2025-05", 金额="40", 缴纳日期=D(2025, 3, 1)),  # 6: nobody
        sheet_row(**{**good, "工号": "NOPE", "所属月份": "2025-05"}),  # 7
        sheet_row(**{**good, "所属月份": "2025-06", "缴纳日期": D(2025, 6, 16)}),  # 8
        sheet_row(**{**good, "工号": people.li_si.employee_no, "所属月份": "2025-05"}),  # 9
        sheet_row(**{**good, "所属月份": "2025-02"}),  # 10: repeats row 2
        sheet_row(**{**good, "所属月份": "2025-01"}),  # 11: already recorded
        sheet_row(**{**good, "所属月份": "2025-07", "姓名": "李四"}),  # 12: wrong name
        sheet_row(**{**good, "所属月份": "2025-08", "金额": None}),  # 13: missing amount
        sheet_row(**{**good, "所属月份": "2025-09", "缴纳日期": "昨天"}),  # 14
    ]
    result = run(personas.secretary_a, rows)
    assert not result.ok and result.created == 0
    found = messages_by_row(result)
    assert "金额必须大于 0" in found[3] and "两位小数" in found[4]
    assert "[所属月份]" in found[5] and "工号和身份证号至少填写一项" in found[6]
    assert "工号“NOPE”对应的党员不存在或不在您的管理范围内" in found[7]
    assert "不能晚于今天" in found[8] and "不是党员或预备党员" in found[9]
    assert "在第2行和第10行重复" in found[2] and "在第2行和第10行重复" in found[10]
    assert "已登记" in found[11] and "[姓名]" in found[12]
    assert "“金额”为必填项" in found[13] and "不是有效日期" in found[14]
    assert DuesPayment.objects.count() == 1


def test_member_outside_scope_reads_as_unknown(personas, tree, people):
    zhao = people.zhao_liu  # station B1, outside secretary A's branch
    rows = [sheet_row(工号=zhao.employee_no, 所属月份="2025-03", 金额="40", 缴纳日期=D(2025, 3, 1))]
    result = run(personas.secretary_a, rows)
    assert messages_by_row(result)[2] == (
        f"[工号]工号“{zhao.employee_no}”对应的党员不存在或不在您的管理范围内。"
    )
    assert not DuesPayment.objects.exists()
    assert run(personas.county, rows).errors  # county A does not reach county B either
    assert run(personas.company, rows).ok


def test_id_number_and_employee_number_must_agree(personas, tree, people):
    other = with_id(tree.station_a1, 12)
    rows = [
        sheet_row(
            工号=people.zhang_san.employee_no,
            身份证号=other.id_number,
            所属月份="2025-03",
            金额="40",
            缴纳日期=D(2025, 3, 1),
        ),
        sheet_row(
            身份证号="440902********123X", 所属月份="2025-03", 金额="40", 缴纳日期=D(2025, 3, 1)
        ),
    ]
    found = messages_by_row(run(personas.secretary_a, rows))
    assert "不一致" in found[2] and "脱敏号码" in found[3]


def test_month_typed_as_an_excel_date_is_read_as_its_month(personas, people):
    rows = [
        sheet_row(
            工号=people.zhang_san.employee_no,
            所属月份=dt.datetime(2025, 3, 1),
            金额=40,
            缴纳日期=dt.datetime(2025, 3, 3),
        )
    ]
    assert run(personas.secretary_a, rows).ok
    assert DuesPayment.objects.get().month == D(2025, 3, 1)


def test_file_level_refusals(personas):
    result = run_import(actor=personas.secretary_a, file=io.BytesIO(b"not excel"))
    assert result.errors[0]["row"] == 0
    result = run(personas.secretary_a, [["x"]], headers=["金额"])
    assert any("缺少必填列“所属月份”" in e["message"] for e in result.errors)


def test_round_trip_export_then_import_restores_the_ledger(personas, tree, people):
    in_group = with_id(tree.group_a1, 13, employee_no=None)
    for person, month, amount in [
        (people.zhang_san, 1, "40"),
        (people.zhang_san, 2, "40.5"),
        (in_group, 3, "0.2"),
    ]:
        services.payment_record(
            actor=personas.secretary_a,
            person=person,
            month=D(2025, month, 1),
            amount=amount,
            paid_on=D(2025, month, 9),
        )
    fields = ("person_id", "organization_id", "month", "amount", "paid_on")
    before = sorted(DuesPayment.objects.values_list(*fields))
    content = export_payments_xlsx(
        DuesPayment.objects.restrict(personas.secretary_a, "view"), actor=personas.secretary_a
    )
    again = run_import(actor=personas.secretary_a, file=io.BytesIO(content))
    assert len(again.errors) == 3 and all("已登记" in e["message"] for e in again.errors)
    DuesPayment.objects.all().delete()
    result = run_import(actor=personas.secretary_a, file=io.BytesIO(content))
    assert result.ok and result.created == 3
    assert sorted(DuesPayment.objects.values_list(*fields)) == before


def test_export_masks_id_numbers_for_readers_without_the_sensitive_grant(personas, tree, people):
    in_group = with_id(tree.group_a1, 14)
    services.payment_record(
        actor=personas.secretary_a,
        person=in_group,
        month=D(2025, 3, 1),
        amount="1",
        paid_on=D(2025, 3, 2),
    )
    reader = UserFactory(username="dues_reader")
    grant(reader, "first_secretary", tree.station_a1)  # view_duespayment, no sensitive grant
    content = export_payments_xlsx(DuesPayment.objects.restrict(reader, "view"), actor=reader)
    (row,) = read_rows(content)
    assert row[1] != in_group.id_number and "*" in row[1]
    assert row[2] == in_group.employee_no and row[3] == "2025-03" and row[4] == "1.00"
    full = export_payments_xlsx(DuesPayment.objects.all(), actor=personas.secretary_a)
    assert read_rows(full)[0][1] == in_group.id_number


def test_validation_reads_a_constant_number_of_queries(personas, tree):
    def cost(count, tag):
        people = [
            member(tree.station_a1 if i % 2 else tree.group_a1, employee_no=f"{tag}{i}")
            for i in range(count)
        ]
        rows = [
            sheet_row(工号=p.employee_no, 所属月份="2025-03", 金额="40", 缴纳日期=D(2025, 3, 4))
            for p in people
        ]
        data = workbook(rows)
        with CaptureQueriesContext(connection) as ctx:
            result = run_import(actor=personas.secretary_a, file=io.BytesIO(data), dry_run=True)
        assert result.ok, result.errors
        return len(ctx.captured_queries)

    cost(1, "W")  # the actor's grants are read once and kept on the user object
    assert cost(3, "S") == cost(60, "L")
