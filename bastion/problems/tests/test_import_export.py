import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from bastion.core.excel import get_importer
from bastion.problems.exports import EXPORT_COLUMNS
from bastion.problems.models import Library, Problem

from .helpers import make_inspection, make_problem, today, xlsx

pytestmark = pytest.mark.django_db

HEADERS = [
    "检查编号",
    "问题描述",
    "组织编码",
    "类别",
    "问题层次",
    "责任组织编码",
    "责任人工号",
    "整改措施",
    "整改时限",
    "发现日期",
]


def run(user, rows, dry_run=False):
    return get_importer("problems").run(actor=user, file=xlsx(HEADERS, rows), dry_run=dry_run)


def test_import_happy_path(tree, people, personas):
    inspection = make_inspection(personas.county, tree.county_a, [tree.station_a1])
    d, f = (today() + dt.timedelta(days=30)).isoformat(), today().isoformat()
    result = run(
        personas.county,
        [
            [
                inspection.pk,
                "台账不全",
                "C-A-1",
                "组织建设",
                "1",
                "C-A-1",
                people.zhang_san.employee_no,
                "补齐台账",
                d,
                f,
            ],
            [None, "安全警示缺失", "C-A-2", "安全生产", "重点难点问题", "C-A-2", None, "", d, f],
            [None, "台账又不全", "C-A-1", "组织建设", "1", "C-A-1-G1", None, "", d, f],
        ],
    )
    assert result.ok, result.errors
    assert result.created == 3
    first = Problem.objects.get(description="台账不全")
    assert first.inspection == inspection and first.responsible_person == people.zhang_san
    assert Problem.objects.get(description="安全警示缺失").library == Library.COUNTY
    again = Problem.objects.get(description="台账又不全")
    assert again.recurring and again.tier == 2


def test_import_bad_rows_write_nothing(tree, people, personas):
    d, f = (today() + dt.timedelta(days=30)).isoformat(), today().isoformat()
    early = (today() - dt.timedelta(days=5)).isoformat()
    result = run(
        personas.county,
        [
            [None, "好的一行", "C-A-1", "组织建设", "1", "C-A-1", None, "", d, f],
            [None, "外部组织", "C-B-1", "组织建设", "1", "C-B-1", None, "", d, f],
            [None, "层次错", "C-A-1", "组织建设", "9", "C-A-1", None, "", d, f],
            [None, "时限早", "C-A-1", "安全生产", "1", "C-A-1", None, "", early, f],
            [
                None,
                "责任人不在名册",
                "C-A-1",
                "安全生产",
                "1",
                "C-A-1",
                people.wang_wu.employee_no,
                "",
                d,
                f,
            ],
            [None, "类别错", "C-A-1", "不知道", "1", "C-A-1", None, "", d, f],
            [999, "检查不存在", "C-A-1", "组织建设", "1", "C-A-1", None, "", d, f],
        ],
    )
    assert not result.ok
    rows = {e["row"] for e in result.errors}
    assert rows == {3, 4, 5, 6, 7, 8}
    text = " ".join(e["message"] for e in result.errors)
    assert "C-B-1" in text and "整改时限不能早于发现日期" in text and "名册" in text
    assert not Problem.objects.exists()


def test_import_page_available(client, personas):
    client.force_login(personas.county)
    assert client.get(reverse("orgs:import_start", args=["problems"])).status_code == 200
    template = client.get(reverse("orgs:import_template", args=["problems"]))
    assert template.status_code == 200


def test_export_columns_scope_and_filters(client, tree, personas):
    make_problem(personas.county, tree.station_a1, description="A1的问题")
    make_problem(personas.company, tree.station_b1, description="B1的问题", category="service")
    client.force_login(personas.secretary_a)
    response = client.get(reverse("problems:problem_export"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    header = [c.value for c in sheet[1]]
    assert header == [c.title for c in EXPORT_COLUMNS]
    assert "问题描述*" in header and "整改状态" in header and "时限状态" in header
    descriptions = [row[2] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert descriptions == ["A1的问题"]
    client.force_login(personas.company)
    response = client.get(reverse("problems:problem_export"), {"category": "service"})
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [row[2] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["B1的问题"]
    client.force_login(personas.member)
    assert client.get(reverse("problems:problem_export")).status_code == 404


def test_export_constant_queries(client, tree, personas):
    make_problem(personas.company, tree.station_b1)
    client.force_login(personas.company)
    url = reverse("problems:problem_export")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(5):
        make_problem(personas.company, tree.station_a1, description=f"导出{i}", category="other")
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)
