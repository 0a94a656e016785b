"""Dues payments from a ledger as a branch keeps it: a title row, its own header words, GBK
CSV, full-width digits, a 15-digit ID number (looked up as its 18 digits, with a warning)."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from bastion.agenda.importers import run_import
from bastion.agenda.models import DuesPayment
from bastion.agenda.services.obligations import generate_year

from .dues_fixtures import member, pinned_today, with_id  # noqa: F401

pytestmark = pytest.mark.usefixtures("pinned_today")

LEDGER = (
    "A1供电所党支部2025年党费收缴台账\n"
    ",,,,,\n"
    "党员姓名,身份证号码,员工编号,缴费月份,缴纳金额,缴费日期\n"
    "{name},440902850315001,,2025-03,４０．００,２０２５年３月１０日\n"
    "{name},,{employee_no},2025年4月,40,2025/4/10\n"
)


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig"])
def test_a_branch_ledger_in_csv_imports_with_a_warning(personas, tree, encoding):
    generate_year(2025)
    person = with_id(tree.station_a1, 1, name="周杰")  # 18 digits of 440902850315001
    text = LEDGER.format(name="周　杰", employee_no=person.employee_no)
    upload = SimpleUploadedFile("党费台账.csv", text.encode(encoding))
    result = run_import(actor=personas.secretary_a, file=upload)
    assert result.ok, result.errors
    assert [(w["row"], w["column"]) for w in result.warnings] == [(4, "身份证号")]
    assert "15位旧号码已按18位" in result.warnings[0]["message"]
    paid = DuesPayment.objects.filter(person=person).order_by("month")
    assert [(p.month, str(p.amount), p.paid_on) for p in paid] == [
        (dt.date(2025, 3, 1), "40.00", dt.date(2025, 3, 10)),
        (dt.date(2025, 4, 1), "40.00", dt.date(2025, 4, 10)),
    ]


def test_errors_in_a_ledger_name_the_rows_under_its_title(personas, tree):
    person = with_id(tree.station_a1, 2, name="李明")
    text = LEDGER.format(name="李明", employee_no="没有这个工号")
    result = run_import(actor=personas.secretary_a, file=io.BytesIO(text.encode("gbk")))
    found = [(e["row"], e["column"]) for e in result.errors]
    assert found == [(4, "身份证号"), (5, "工号")], result.errors
    assert not DuesPayment.objects.filter(person=person).exists()
