"""The 同业对标 Excel importer (wide sheet): a good file, a corpus of bad ones, the job pages."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from bastion.core.excel import get_importer
from bastion.core.models import ImportJob
from bastion.evaluation.models import BenchmarkValue

from .helpers_benchmarks import MARCH, make_indicators, put, xlsx

pytestmark = pytest.mark.django_db
HEADERS = ["供电所编码", "供电所名称", "月份", "测试电费回收", "测试线损", "测试运检指数"]


@pytest.fixture
def ind(db):
    return make_indicators()


def run(user, rows, headers=HEADERS, dry_run=False):
    return get_importer("benchmarks").run(actor=user, file=xlsx(headers, rows), dry_run=dry_run)


def by_row(result) -> dict[int, str]:
    found = {}
    for e in result.errors:
        found[e["row"]] = found.get(e["row"], "") + f"[{e['column']}]{e['message']}"
    return found


def test_importer_is_registered_with_a_template_of_the_indicators(ind):
    importer = get_importer("benchmarks")
    assert importer.permission == "evaluation.import_benchmarkvalue"
    assert importer.back == "evaluation:benchmark_list"
    headers = [c.header for c in importer.columns]
    assert headers[:3] == ["供电所编码", "供电所名称", "月份"]
    assert {"测试电费回收", "测试线损", "测试运检指数"} <= set(headers)
    sheet = load_workbook(io.BytesIO(importer.template())).worksheets[0]
    titles = [c.value for c in sheet[1]]
    assert titles[:3] == ["供电所编码*", "供电所名称", "月份*"] and "测试线损" in titles


def test_good_file_previews_then_writes_and_updates(personas, tree, ind):
    put(ind["t_fee"], tree.station_a2, 80)
    rows = [
        ["C-A-1", "A1供电所", "2026-03", 98.5, "3.2", None],
        ["C-A-2", "A2供电所", dt.datetime(2026, 3, 1), "99.1%", None, 87],
        ["C-A-1", None, "2026年2月", 97, 2.5, "88.25"],
    ]
    preview = run(personas.county, rows, dry_run=True)
    assert preview.ok, preview.errors
    assert (preview.total_rows, preview.created, preview.updated) == (3, 6, 1)
    assert [p["_action"] for p in preview.preview] == ["create", "update", "create"]
    assert preview.preview[1]["月份"] == "2026-03"
    assert BenchmarkValue.objects.count() == 1

    result = run(personas.county, rows)
    assert result.ok and (result.created, result.updated) == (6, 1)
    value = BenchmarkValue.objects.get(indicator=ind["t_fee"], organization=tree.station_a2)
    assert value.value == Decimal("99.1") and value.month == MARCH
    feb = BenchmarkValue.objects.get(
        indicator=ind["t_index"], organization=tree.station_a1, month=dt.date(2026, 2, 1)
    )
    assert feb.value == Decimal("88.25") and feb.recorded_by == personas.county
    assert BenchmarkValue.objects.count() == 7


BAD_FILES = {
    "missing_month_header": (
        ["供电所编码", "测试电费回收"],
        [["C-A-1", 90]],
        {1: "缺少必填列“月份”"},
    ),
    "unknown_header": (
        [*HEADERS, "不存在的指标"],
        [["C-A-1", "", "2026-03", 90, 1, 1, 5]],
        {1: "不存在的指标"},
    ),
    "no_indicator_columns": (
        ["供电所编码", "月份"],
        [["C-A-1", "2026-03"]],
        {1: "没有任何对标指标列"},
    ),
    "bad_month": (
        HEADERS,
        [
            ["C-A-1", "", "2026-13", 90, None, None],
            ["C-A-2", "", "三月", 90, None, None],
            ["C-A-2", "", dt.datetime(2026, 3, 15), 90, None, None],
        ],
        {2: "[月份]", 3: "[月份]月份“三月”", 4: "[月份]"},
    ),
    "text_value": (
        HEADERS,
        [["C-A-1", "", "2026-03", "很好", None, None]],
        {2: "[测试电费回收]“很好”不是数字"},
    ),
    "percentage_above_100": (
        HEADERS,
        [["C-A-1", "", "2026-03", 120, None, None]],
        {2: "[测试电费回收]"},
    ),
    "unknown_station": (
        HEADERS,
        [["X-999", "", "2026-03", 90, 1, None]],
        {2: "[供电所编码]供电所编码“X-999”不存在"},
    ),
    "out_of_scope_station": (
        HEADERS,
        [["C-A-1", "", "2026-03", 90, None, None], ["C-B-1", "", "2026-03", 90, 2, None]],
        {3: "[供电所编码]供电所编码“C-B-1”不存在或不在您的管理范围内"},
    ),
    "county_not_station": (
        HEADERS,
        [["C-A", "", "2026-03", 90, None, None]],
        {2: "不是基层供电所"},
    ),
    "missing_code": (
        HEADERS,
        [[None, "A1", "2026-03", 90, None, None]],
        {2: "“供电所编码”为必填项"},
    ),
    "row_without_values": (
        HEADERS,
        [["C-A-1", "", "2026-03", None, None, None]],
        {2: "没有填写任何指标值"},
    ),
    "repeated_station_month": (
        HEADERS,
        [["C-A-1", "", "2026-03", 90, None, None], ["C-A-1", "", "2026-3", None, 2, None]],
        {3: "已在第 2 行填写"},
    ),
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_bad_files_name_row_column_and_reason_and_write_nothing(case, personas, tree, ind):
    headers, rows, expected = BAD_FILES[case]
    result = run(personas.county, rows, headers=headers)
    assert not result.ok and result.created == 0
    found = by_row(result)
    assert set(found) == set(expected), found
    for number, text in expected.items():
        assert text in found[number], found
    assert not BenchmarkValue.objects.exists()


def test_one_bad_cell_among_good_rows_writes_nothing(personas, tree, ind):
    rows = [["C-A-1", "", "2026-03", 90, 3, 80], ["C-A-2", "", "2026-03", 91, "x", 81]]
    result = run(personas.county, rows)
    assert [e["row"] for e in result.errors] == [3]
    assert result.errors[0]["column"] == "测试线损"
    assert not BenchmarkValue.objects.exists()


def test_not_an_excel_file_is_refused(personas, ind):
    upload = io.BytesIO(b"a,b\n1,2\n")
    upload.name = "data.txt"
    result = get_importer("benchmarks").run(actor=personas.county, file=upload)
    assert not result.ok and result.errors[0]["row"] == 0


def test_a_user_without_write_permission_gets_one_message(personas, ind):
    result = run(personas.member, [["C-A-1", "", "2026-03", 90, None, None]])
    assert not result.ok and "没有录入同业对标指标的权限" in result.errors[0]["message"]


def test_import_pages_run_the_job_for_a_county(client, personas, tree, ind):
    client.force_login(personas.county)
    start = reverse("orgs:import_start", args=["benchmarks"])
    assert client.get(start).status_code == 200
    assert client.get(reverse("orgs:import_template", args=["benchmarks"])).status_code == 200
    data = xlsx(HEADERS, [["C-A-1", "", "2026-03", 90, 3, 80]]).getvalue()
    upload = SimpleUploadedFile("bm.xlsx", data)
    response = client.post(start, {"file": upload})
    job = ImportJob.objects.get(kind="benchmarks")
    assert response.status_code == 302 and job.status == ImportJob.Status.READY, job.errors
    page = client.get(reverse("orgs:import_job", args=[job.pk]))
    assert page.status_code == 200 and "测试电费回收" in page.content.decode()
    client.post(reverse("orgs:import_commit", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and BenchmarkValue.objects.count() == 3


@pytest.mark.parametrize("persona", ["member", "secretary_a", "outsider"])
def test_import_pages_are_404_without_the_import_permission(client, personas, persona, ind):
    client.force_login(getattr(personas, persona))
    assert client.get(reverse("orgs:import_start", args=["benchmarks"])).status_code == 404
