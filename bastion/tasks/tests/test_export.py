"""The feedback export: one row per recipient, typed answers, the page's scope and filters."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from bastion.tasks.exports import export_feedback_xlsx
from bastion.tasks.models import Assignment, FeedbackFile

from .progress_helpers import crafted_fixture  # noqa: F401

pytestmark = pytest.mark.django_db

FIXED = ["组织编码", "组织名称", "状态", "反馈时间", "是否逾期", "反馈内容"]
FIELDS = ["培训人数", "完成情况", "完成日期", "佐证材料", "备注"]


def answer(crafted, name, **values):
    ids = {f.label: str(f.pk) for f in crafted.task.fields.all()}
    assignment = crafted.assignment[name]
    data = {ids[label]: value for label, value in values.items()}
    Assignment.objects.filter(pk=assignment.pk).update(values=data)
    return assignment


def sheet(content: bytes):
    book = load_workbook(io.BytesIO(content))
    rows = list(book["反馈汇总"].iter_rows(values_only=True))
    return rows[0], {row[1]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}, book


def test_columns_and_typed_values(crafted, personas, tree):
    field = crafted.task.fields.get(label="佐证材料")
    station = crafted.assignment["station_a1"]
    photo = FeedbackFile.objects.create(
        assignment=station,
        field=field,
        file="tasks/feedback/x/photo.jpg",
        original_name="培训照片.jpg",
        size=10,
    )
    sheet_file = FeedbackFile.objects.create(
        assignment=station,
        field=field,
        file="tasks/feedback/x/list.xlsx",
        original_name="签到表.xlsx",
        size=10,
    )
    answer(
        crafted,
        "station_a1",
        培训人数="35",
        完成情况="已完成",
        完成日期="2026-03-01",
        佐证材料=[photo.pk, sheet_file.pk],
        备注="全员参加",
    )
    answer(crafted, "station_a2", 培训人数="12.5", 完成情况="推进中")
    content = export_feedback_xlsx(
        crafted.task, crafted.task.assignments.all(), actor=personas.company
    )
    header, rows, book = sheet(content)
    assert list(header) == FIXED + FIELDS
    assert len(rows) == 6

    a1 = rows[tree.station_a1.name]
    assert a1["组织编码"] == tree.station_a1.code
    assert a1["状态"] == "已采纳"
    assert a1["是否逾期"] == "否"
    assert a1["反馈内容"] == "已按要求完成。"
    assert isinstance(a1["反馈时间"], dt.datetime)
    assert a1["培训人数"] == 35 and isinstance(a1["培训人数"], int)
    assert a1["完成情况"] == "已完成"
    assert a1["完成日期"] == dt.datetime(2026, 3, 1)  # an Excel date, not text
    assert a1["佐证材料"] == "培训照片.jpg、签到表.xlsx"
    assert a1["备注"] == "全员参加"

    a2 = rows[tree.station_a2.name]
    assert a2["培训人数"] == 12.5
    assert a2["状态"] == "已反馈" and a2["是否逾期"] == "是"
    assert a2["完成日期"] is None and a2["佐证材料"] is None

    unread = rows[tree.county_a.name]
    assert unread["状态"] == "未读" and unread["是否逾期"] == "是"  # owing past the due date
    assert unread["反馈时间"] is None and unread["反馈内容"] is None
    returned = rows[tree.station_b1.name]
    assert returned["状态"] == "已退回" and returned["是否逾期"] == "是"
    # the second sheet says what the file is
    notes = [row[0] for row in book["填写说明"].iter_rows(values_only=True) if row and row[0]]
    assert any(crafted.task.title in str(n) for n in notes)

    data = book["反馈汇总"]
    row = next(r for r in data.iter_rows(min_row=2) if r[1].value == tree.station_a1.name)
    date_cell = row[len(FIXED) + FIELDS.index("完成日期")]
    assert date_cell.is_date and date_cell.number_format == "yyyy-mm-dd"
    assert row[FIXED.index("反馈时间")].is_date


def test_decimal_answers_stay_exact(crafted, personas):
    answer(crafted, "station_a1", 培训人数="0.1")
    content = export_feedback_xlsx(
        crafted.task, crafted.task.assignments.all(), actor=personas.company
    )
    _header, rows, _book = sheet(content)
    value = rows[crafted.assignment["station_a1"].organization.name]["培训人数"]
    assert Decimal(str(value)) == Decimal("0.1")


def test_export_view_honours_within_and_state(client, personas, crafted, tree):
    client.force_login(personas.company)
    url = reverse("tasks:progress_export", args=[crafted.task.pk])
    response = client.get(url, {"within": tree.county_a.pk})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    _header, rows, _book = sheet(response.content)
    assert set(rows) == {
        tree.county_a.name,
        tree.station_a1.name,
        tree.station_a2.name,
        tree.group_a1.name,
    }
    response = client.get(url, {"state": "overdue"})
    _header, rows, _book = sheet(response.content)
    assert set(rows) == {tree.county_a.name, tree.county_b.name, tree.station_b1.name}


def test_export_without_fields_has_the_fixed_columns(client, personas, tree):
    from bastion.tasks.services import flow

    from .progress_helpers import make_task

    task = make_task(tree.county_a, personas.county, fields=False, title="无表单/测试")
    flow.task_dispatch(task=task, actor=personas.county, recipients=[tree.station_a1.pk])
    client.force_login(personas.county)
    response = client.get(reverse("tasks:progress_export", args=[task.pk]))
    header, rows, _book = sheet(response.content)
    assert list(header) == FIXED
    assert list(rows) == [tree.station_a1.name]
    assert "/" not in response["Content-Disposition"].split("filename")[-1]


def test_three_thousand_rows_export_quickly(personas, tree):
    """Speed of the writer alone (the bench times the real page): 3,000 typed rows."""
    import time

    from .progress_helpers import make_task

    task = make_task(tree.company, personas.company)
    task.fields.filter(kind="file").delete()  # the file names need real rows: not this test's
    fields = list(task.fields.all())

    class Rows(list):
        def select_related(self, *args):
            return self

        def only(self, *args):
            return self

        def order_by(self, *args):
            return self

        def aggregate(self, **aggregates):  # the 字段汇总 sheet: not this test's
            return dict.fromkeys(aggregates, 0)

    org = tree.station_a1
    values = {str(fields[0].pk): "35", str(fields[1].pk): "已完成", str(fields[2].pk): "2026-03-01"}
    rows = Rows(
        Assignment(task=task, organization=org, state="submitted", values=values, feedback="好")
        for _ in range(3000)
    )
    started = time.perf_counter()
    content = export_feedback_xlsx(task, rows, actor=personas.company)
    assert time.perf_counter() - started < 5
    assert len(list(load_workbook(io.BytesIO(content), read_only=True)["反馈汇总"].rows)) == 3001
