"""``evaluation/indicators/``: benchmark values through the scope door, the bulk upload (all or
nothing, every bad row named) and the indicator definitions."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from bastion.core.testing import count_queries, login
from bastion.evaluation.models import BenchmarkIndicator, BenchmarkValue
from bastion.evaluation.seed_data import BENCHMARK_CODES

from .api_helpers import PERSONAS, rows_of, url  # noqa: F401

pytestmark = pytest.mark.django_db

OCTOBER = dt.date(2026, 10, 1)
SEPTEMBER = dt.date(2026, 9, 1)
VISIBLE = {
    "company": {"C-A-1", "C-A-2", "C-B-1"},
    "county": {"C-A-1", "C-A-2"},
    "secretary_a": {"C-A-1"},
    "secretary_b": {"C-B-1"},
    "member": set(),
    "outsider": set(),
}


def indicator(code):
    return BenchmarkIndicator.objects.get(code=code)


def put(code, org, value, month=OCTOBER):
    return BenchmarkValue.objects.create(
        indicator=indicator(code), organization=org, month=month, value=Decimal(value)
    )


@pytest.fixture(name="values")
def values_fixture(tree):
    for org, value in (
        (tree.station_a1, "99.5"),
        (tree.station_a2, "97.25"),
        (tree.station_b1, "98"),
    ):
        put("fee_recovery", org, value)
    put("reliability", tree.station_a1, "88")
    put("fee_recovery", tree.station_a1, "96", month=SEPTEMBER)


def upload(api, *rows):
    return api.post(url("benchmark-value-list"), {"rows": list(rows)}, format="json")


def row(org_code, value, code="fee_recovery", month="2026-10"):
    return {"indicator": code, "organization": org_code, "month": month, "value": value}


# --- reading ------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_reads_the_values_of_its_scope(api, personas, values, persona):
    rows = rows_of(login(api, getattr(personas, persona)).get(url("benchmark-value-list")))
    assert {row["organization"]["code"] for row in rows} == VISIBLE[persona]


def test_a_value_carries_its_indicator_station_and_month(api, personas, tree, values):
    rows = rows_of(
        login(api, personas.secretary_a).get(
            url("benchmark-value-list"), {"indicator": "reliability"}
        )
    )
    assert rows == [
        {
            "id": rows[0]["id"],
            "indicator": {
                "code": "reliability",
                "name": "供电可靠性管理指数",
                "unit": "分",
                "direction": "higher",
            },
            "organization": {"id": tree.station_a1.pk, "code": "C-A-1", "name": "A1供电所党支部"},
            "month": "2026-10",
            "value": "88.0000",
            "recorded_at": rows[0]["recorded_at"],
        }
    ]


def test_values_filter_by_month_indicator_station_and_subtree(api, personas, tree, values):
    login(api, personas.company)

    def seen(**params):
        return {
            (r["organization"]["code"], r["indicator"]["code"], r["month"])
            for r in rows_of(api.get(url("benchmark-value-list"), params))
        }

    assert seen(month="2026-09") == {("C-A-1", "fee_recovery", "2026-09")}
    assert seen(month="2026-10", indicator="fee_recovery") == {
        ("C-A-1", "fee_recovery", "2026-10"),
        ("C-A-2", "fee_recovery", "2026-10"),
        ("C-B-1", "fee_recovery", "2026-10"),
    }
    assert len(seen(organization=tree.station_a1.pk)) == 3
    assert {code for code, _i, _m in seen(within=tree.county_b.pk)} == {"C-B-1"}


def test_bad_filters_are_400(api, personas, tree, values):
    login(api, personas.county)
    response = api.get(url("benchmark-value-list"), {"month": "2026-13"})
    assert response.status_code == 400
    (message,) = response.json()["month"]
    assert "2026-13" in message and "月份" in message
    response = api.get(url("benchmark-value-list"), {"organization": tree.station_b1.pk})
    assert response.status_code == 404  # a station outside the county


def test_value_list_queries_do_not_grow_with_the_values(api, personas, tree, values):
    login(api, personas.company)
    few = count_queries(api, url("benchmark-value-list"))
    for month in range(1, 9):
        for code in ("reliability", "line_loss"):
            put(code, tree.station_b1, "90", month=dt.date(2026, month, 1))
    assert count_queries(api, url("benchmark-value-list")) == few


@pytest.mark.parametrize("persona", PERSONAS)
def test_everyone_reads_the_six_indicator_definitions(api, personas, persona):
    response = login(api, getattr(personas, persona)).get(url("benchmark-value-definitions"))
    assert response.status_code == 200
    body = response.json()
    assert [item["code"] for item in body][:6] == BENCHMARK_CODES
    assert body[0] == {
        "code": "fee_recovery",
        "name": "电费回收率",
        "name_en": "Electricity bill recovery rate",
        "unit": "%",
        "direction": "higher",
        "direction_display": "越高越好",
        "source": body[0]["source"],
        "order": 1,
    }


# --- uploading ----------------------------------------------------------------------------------


def test_company_uploads_values_and_a_second_upload_updates_them(api, personas, tree):
    login(api, personas.company)
    response = upload(api, row("C-A-1", "99.2"), row("C-B-1", 97.5, code="reliability"))
    assert response.status_code == 201, response.content
    assert response.json() == {"created": 2, "updated": 0, "unchanged": 0}
    saved = BenchmarkValue.objects.get(organization=tree.station_a1)
    assert (saved.month, saved.value, saved.recorded_by) == (
        OCTOBER,
        Decimal("99.2"),
        personas.company,
    )
    again = upload(api, row("C-A-1", "99.8"))
    assert again.status_code == 200
    assert again.json() == {"created": 0, "updated": 1, "unchanged": 0}
    assert BenchmarkValue.objects.get(organization=tree.station_a1).value == Decimal("99.8")
    same = upload(api, row("C-A-1", "99.80"), row("C-B-1", "97.5", code="reliability"))
    assert same.status_code == 200
    assert same.json() == {"created": 0, "updated": 0, "unchanged": 2}


def test_one_bad_row_saves_nothing_and_every_bad_row_is_named(api, personas, tree):
    response = upload(
        login(api, personas.company),
        row("C-A-1", "99.2"),
        row("C-A-2", "98", code="nope"),
        row("C-B-1", "一百"),
        row("C-A-2", "97", month="2026/10"),
    )
    assert response.status_code == 400
    assert response.json()["rows"] == [
        "第 2 行：对标指标“nope”不存在。",
        "第 3 行：“一百”不是数字。",
        "第 4 行：月份“2026/10”应按 YYYY-MM 填写，如 2026-03。",
    ]
    assert not BenchmarkValue.objects.exists()


def test_a_row_missing_its_value_is_named(api, personas):
    incomplete = {"indicator": "fee_recovery", "organization": "C-A-1", "month": "2026-10"}
    response = upload(login(api, personas.company), incomplete)
    assert response.status_code == 400
    assert response.json()["rows"] == ["第 1 行：请填写指标值。"]


def test_a_county_cannot_upload_for_another_countys_station(api, personas, tree):
    response = upload(login(api, personas.county), row("C-A-1", "99"), row("C-B-1", "98"))
    assert response.status_code == 400
    assert response.json()["rows"] == ["第 2 行：供电所编码“C-B-1”不存在或不在您的管理范围内。"]
    assert not BenchmarkValue.objects.exists()


@pytest.mark.parametrize("persona", ["secretary_a", "secretary_b", "member", "outsider"])
def test_only_importers_upload(api, personas, persona):
    response = upload(login(api, getattr(personas, persona)), row("C-A-1", "99"))
    assert response.status_code == 403
    assert not BenchmarkValue.objects.exists()


@pytest.mark.parametrize("body", [{"rows": []}, {"rows": "C-A-1"}, {}, {"rows": [5]}])
def test_a_malformed_upload_is_400(api, personas, body):
    response = login(api, personas.company).post(url("benchmark-value-list"), body, format="json")
    assert response.status_code == 400
    assert "rows" in response.json()


def test_a_subtree_outside_the_scope_is_404_as_on_the_pages(api, client, personas, tree, values):
    login(api, personas.county)
    assert api.get(url("benchmark-value-list"), {"within": tree.county_b.pk}).status_code == 404
    client.force_login(personas.county)
    page = reverse("evaluation:benchmark_list")
    assert client.get(page, {"within": tree.county_b.pk}).status_code == 404
    assert client.get(page, {"within": tree.county_a.pk}).status_code == 200
