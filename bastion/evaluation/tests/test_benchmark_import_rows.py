"""The 同业对标 import template lists the importer's stations; a re-import of identical values
reports them as unchanged and leaves who recorded them alone."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from bastion.core.excel import get_importer
from bastion.evaluation.models import BenchmarkValue
from bastion.evaluation.services.benchmarks import benchmark_values_save
from bastion.orgs.tests.factories import make_org

from .helpers_benchmarks import make_indicators, xlsx

pytestmark = pytest.mark.django_db
HEADERS = ["供电所编码", "供电所名称", "月份", "测试电费回收", "测试线损", "测试运检指数"]
TEMPLATE = reverse("orgs:import_template", args=["benchmarks"])


@pytest.fixture
def ind(db):
    return make_indicators()


def _template_rows(client, user) -> list[tuple]:
    client.force_login(user)
    response = client.get(TEMPLATE)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    header = next(i for i, row in enumerate(rows) if row and row[0] == "供电所编码*")
    return [row[:2] for row in rows[header + 1 :] if row and row[0]]


def test_template_lists_the_stations_of_the_importers_scope(client, personas, tree, ind):
    small = make_org(tree.county_a, name="A3供电所党小组", code="C-A-3", kind="group")
    assert small.pk
    county = _template_rows(client, personas.county)
    assert county == [
        ("C-A-1", "A1供电所党支部"),
        ("C-A-2", "A2供电所党支部"),
        ("C-A-3", "A3供电所党小组"),
    ]  # the group inside A1's branch (C-A-1-G1) is part of A1, not a station
    company = [code for code, _name in _template_rows(client, personas.company)]
    assert company == ["C-A-1", "C-A-2", "C-A-3", "C-B-1"]


def _filled_template(client, user, fill) -> io.BytesIO:
    """The downloaded template with ``fill(sheet, first_data_row)`` applied."""
    client.force_login(user)
    book = load_workbook(io.BytesIO(client.get(TEMPLATE).content))
    sheet = book.worksheets[0]
    header_row = next(r for r in range(1, 10) if sheet.cell(r, 1).value == "供电所编码*")
    fill(sheet, header_row + 1)
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    data.name = "filled.xlsx"
    return data


def test_a_filled_template_imports_and_skips_the_stations_left_blank(client, personas, ind):
    def fill(sheet, first):
        sheet.cell(first, 3).value = "2026-03"
        sheet.cell(first, 4).value = 98

    data = _filled_template(client, personas.county, fill)
    result = get_importer("benchmarks").run(actor=personas.county, file=data, dry_run=True)
    assert result.ok, result.errors
    assert result.created == 1 and [p["供电所编码"] for p in result.preview] == ["C-A-1"]


def test_a_template_left_blank_says_nothing_was_filled(client, personas, ind):
    data = _filled_template(client, personas.county, lambda sheet, first: None)
    result = get_importer("benchmarks").run(actor=personas.county, file=data)
    assert not result.ok and "没有填写任何月份和指标值" in result.errors[0]["message"]
    assert not BenchmarkValue.objects.exists()


def run(user, rows, dry_run=False):
    return get_importer("benchmarks").run(actor=user, file=xlsx(HEADERS, rows), dry_run=dry_run)


def test_a_reimport_of_identical_values_is_unchanged(personas, tree, ind):
    rows = [["C-A-1", "", "2026-03", 98.5, "3.2", None], ["C-A-2", "", "2026-03", 97, 2, 88]]
    first = run(personas.company, rows)
    assert (first.created, first.updated, first.unchanged) == (5, 0, 0)
    before = {v.pk: (v.recorded_by_id, v.recorded_at) for v in BenchmarkValue.objects.all()}

    changed = [["C-A-1", "", "2026-03", "98.50", 3.2, None], ["C-A-2", "", "2026-03", 97, 2.5, 88]]
    preview = run(personas.county, changed, dry_run=True)
    assert (preview.created, preview.updated, preview.unchanged) == (0, 1, 4)
    assert [p["_action"] for p in preview.preview] == ["unchanged", "update"]
    result = run(personas.county, changed)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 4)
    after = {v.pk: (v.recorded_by_id, v.recorded_at) for v in BenchmarkValue.objects.all()}
    moved = {pk for pk in after if after[pk] != before[pk]}
    loss_a2 = BenchmarkValue.objects.get(organization=tree.station_a2, indicator=ind["t_loss"])
    assert moved == {loss_a2.pk} and loss_a2.recorded_by == personas.county


def test_saving_identical_values_counts_them_unchanged_and_audits_nothing(personas, tree, ind):
    from auditlog.models import LogEntry

    row = {"indicator": "t_fee", "organization": "C-A-1", "month": "2026-03", "value": "99"}
    benchmark_values_save(actor=personas.company, rows=[row])
    recorded = BenchmarkValue.objects.get()
    audits = LogEntry.objects.count()
    later = timezone.now() + dt.timedelta(hours=1)
    counts = benchmark_values_save(actor=personas.county, rows=[{**row, "value": "99.0000"}])
    assert counts == {"created": 0, "updated": 0, "unchanged": 1}
    again = BenchmarkValue.objects.get()
    assert (again.recorded_by, again.recorded_at) == (personas.company, recorded.recorded_at)
    assert again.recorded_at < later and again.value == Decimal(99)
    assert LogEntry.objects.count() == audits
