"""同业对标 service: every refusal names its row and nothing is written; scope; upserts;
rankings follow each indicator's direction; the bands of the map at their boundaries."""

import datetime as dt
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError

from bastion.core.periods import MONTH, Period
from bastion.evaluation import selectors_benchmark_pages as pages
from bastion.evaluation.models import BenchmarkValue
from bastion.evaluation.selectors_benchmarks import band_for, composite
from bastion.evaluation.services.benchmarks import benchmark_values_save
from bastion.orgs.tests.factories import UserFactory, grant

from .helpers_benchmarks import MARCH, make_bands, make_indicators, put

pytestmark = pytest.mark.django_db


@pytest.fixture
def ind(db):
    return make_indicators()


def row(indicator="t_fee", organization="C-A-1", month="2026-03", value="98.5"):
    return {"indicator": indicator, "organization": organization, "month": month, "value": value}


def refusal(actor, rows) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        benchmark_values_save(actor=actor, rows=rows)
    return caught.value.messages


def test_save_creates_then_updates_and_audits_the_source(personas, tree, ind):
    rows = [row(), row(organization="C-A-2", value=97), row("t_loss", "C-B-1", MARCH, 3.25)]
    counts = benchmark_values_save(actor=personas.company, rows=rows)
    assert counts == {"created": 3, "updated": 0, "unchanged": 0}
    value = BenchmarkValue.objects.get(indicator=ind["t_loss"], organization=tree.station_b1)
    assert (value.month, value.value, value.recorded_by) == (
        MARCH,
        Decimal("3.25"),
        personas.company,
    )
    again = [row(value="99.12345"), row("t_index", "C-A-1", "2026-3", "-12")]
    counts = benchmark_values_save(actor=personas.company, rows=again, source="api")
    assert counts == {"created": 1, "updated": 1, "unchanged": 0}
    fee = BenchmarkValue.objects.get(indicator=ind["t_fee"], organization=tree.station_a1)
    assert fee.value == Decimal("99.1235")
    assert BenchmarkValue.objects.count() == 4
    entries = LogEntry.objects.filter(content_type__model="benchmarkvalue")
    assert entries.count() == 5
    assert entries.filter(additional_data__source="api").count() == 2
    assert entries.filter(actor=personas.company).count() == 5


def test_every_bad_row_is_named_and_nothing_is_written(personas, tree, ind):
    put(ind["t_fee"], tree.station_a2, 90)
    rows = [
        row(),  # 1 fine
        row(indicator="nope"),  # 2
        row(organization="X-404"),  # 3
        row(organization="C-A"),  # 4 a county, not a station
        row(month="2026/03"),  # 5
        row(month="2026-13"),  # 6
        row(value="九十"),  # 7
        row(value="NaN"),  # 8
        row(value="Infinity"),  # 9
        row(value="100.5"),  # 10 percentage above 100
        row(value="-0.1"),  # 11
        row(value=""),  # 12
        row(),  # 13 repeats row 1
        row(organization=""),  # 14
        "not a row",  # 15
        row("t_index", value="1e9"),  # 16 beyond the column
        row(organization="C-A-2", value="91"),  # 17 fine (an update)
    ]
    messages = refusal(personas.company, rows)
    by_row = {}
    for message in messages:
        number = int(message.split(" ")[1])
        by_row.setdefault(number, []).append(message)
    assert set(by_row) == set(range(2, 17))
    assert "“nope”不存在" in by_row[2][0]
    assert "不存在或不在您的管理范围内" in by_row[3][0]
    assert "不是基层供电所" in by_row[4][0]
    assert "YYYY-MM" in by_row[5][0] and "YYYY-MM" in by_row[6][0]
    assert "不是数字" in by_row[7][0]
    assert "有限" in by_row[8][0] and "有限" in by_row[9][0]
    assert "0–100" in by_row[10][0] and "0–100" in by_row[11][0]
    assert "请填写指标值" in by_row[12][0]
    assert "与第 1 行重复" in by_row[13][0]
    assert "请填写供电所编码" in by_row[14][0]
    assert "格式不正确" in by_row[15][0]
    assert "超出" in by_row[16][0]
    assert messages[0].startswith("第 2 行：")
    assert BenchmarkValue.objects.count() == 1
    assert BenchmarkValue.objects.get().value == Decimal(90)


def test_a_row_with_several_problems_lists_each(personas, ind):
    messages = refusal(personas.company, [row(indicator="", organization="X", month="x")])
    assert len(messages) == 3 and all(m.startswith("第 1 行：") for m in messages)


def test_empty_upload_is_refused(personas, ind):
    assert refusal(personas.company, []) == ["没有要保存的指标值。"]


def test_county_cannot_write_another_countys_station(personas, tree, ind):
    messages = refusal(personas.county, [row(organization="C-A-1"), row(organization="C-B-1")])
    assert len(messages) == 1
    assert messages[0].startswith("第 2 行：") and "不在您的管理范围内" in messages[0]
    assert not BenchmarkValue.objects.exists()
    assert benchmark_values_save(actor=personas.county, rows=[row()]) == {
        "created": 1,
        "updated": 0,
        "unchanged": 0,
    }


def test_business_role_on_the_company_may_write_any_station(tree, ind):
    business = UserFactory(username="business")
    grant(business, "business", tree.company)
    rows = [row(organization=code) for code in ("C-A-1", "C-A-2", "C-B-1")]
    assert benchmark_values_save(actor=business, rows=rows)["created"] == 3


def test_roles_without_the_permission_are_refused(personas, ind):
    for user in (personas.member, personas.secretary_a, personas.outsider):
        with pytest.raises(PermissionDenied):
            benchmark_values_save(actor=user, rows=[row()])
    assert not BenchmarkValue.objects.exists()


def test_a_viewer_without_write_grant_on_the_station_is_refused(tree, ind):
    viewer = UserFactory(username="mixed")
    grant(viewer, "business", tree.county_b)
    grant(viewer, "branch_secretary", tree.station_a1)  # sees a1's values, may not write them
    messages = refusal(viewer, [row(organization="C-A-1")])
    assert "无权录入" in messages[0]


def test_lower_is_better_ranks_ascending(personas, tree, ind):
    for station, loss, fee in (
        (tree.station_a1, 5, 90),
        (tree.station_a2, 2, 95),
        (tree.station_b1, 8, 99),
    ):
        put(ind["t_loss"], station, loss)
        put(ind["t_fee"], station, fee)
    result = pages.table(personas.company, None, Period.containing(MONTH, MARCH))
    ranks = {r.code: (r.cells["t_loss"].rank, r.cells["t_fee"].rank) for r in result.rows}
    assert ranks == {"C-A-2": (1, 2), "C-A-1": (2, 3), "C-B-1": (3, 1)}
    by_loss = [r.code for r in pages.sort_rows(result.rows, "t_loss")]
    assert by_loss == ["C-A-2", "C-A-1", "C-B-1"]
    expected = composite([tree.station_a1.pk, tree.station_a2.pk, tree.station_b1.pk], MARCH, MARCH)
    assert {r.pk: r.composite for r in result.rows} == expected


def test_equal_values_share_a_rank(personas, tree, ind):
    for station, value in ((tree.station_a1, 90), (tree.station_a2, 90), (tree.station_b1, 80)):
        put(ind["t_fee"], station, value)
    result = pages.table(personas.company, None, Period.containing(MONTH, MARCH))
    assert sorted(r.cells["t_fee"].rank for r in result.rows) == [1, 1, 3]


def test_band_boundaries(personas, tree, ind):
    bands = make_bands()
    assert band_for(Decimal("80.00"), bands).name == "优"
    assert band_for(Decimal("79.99"), bands).name == "良"
    assert band_for(Decimal("60"), bands).name == "良"
    assert band_for(Decimal("0"), bands).name == "劣"
    assert band_for(None, bands) is None
    # three stations: composites 100, 50, 0; put a boundary exactly on 50
    bands[1].min_score = Decimal("50.00")
    bands[1].save()
    for station, value in ((tree.station_a1, 99), (tree.station_a2, 95), (tree.station_b1, 90)):
        put(ind["t_fee"], station, value)
    result = pages.table(personas.company, None, Period.containing(MONTH, MARCH))
    found = {r.code: (r.composite, r.band.name) for r in result.rows}
    assert found == {
        "C-A-1": (Decimal("100.00"), "优"),
        "C-A-2": (Decimal("50.00"), "良"),
        "C-B-1": (Decimal("0.00"), "劣"),
    }


def test_quarter_average_feeds_the_composite(personas, tree, ind):
    put(ind["t_fee"], tree.station_a1, 90, MARCH)
    put(ind["t_fee"], tree.station_a1, 100, dt.date(2026, 2, 1))
    put(ind["t_fee"], tree.station_a2, 96, MARCH)
    quarter = Period.parse("2026Q1")
    result = pages.table(personas.company, None, quarter)
    cells = {r.code: r.cells.get("t_fee") for r in result.rows}
    assert cells["C-A-1"].value == Decimal(95) and cells["C-A-2"].rank == 1
    assert cells["C-B-1"] is None
