"""同业对标 pages: persona matrix, scope of what each sees, sorting, the map, manual entry and
constant queries at two sizes."""

import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bastion.core.testing import Opens, Url, persona_matrix
from bastion.evaluation.models import BenchmarkValue
from bastion.orgs.tests.factories import make_org

from .helpers_benchmarks import MARCH, make_bands, make_indicators, put

pytestmark = pytest.mark.django_db
LIST = reverse("evaluation:benchmark_list")
MAP = reverse("evaluation:benchmark_map")
ENTRY = reverse("evaluation:benchmark_entry")


@pytest.fixture
def data(tree, personas):
    ind = make_indicators()
    make_bands()
    for station, fee, loss in (
        (tree.station_a1, 99, 3),
        (tree.station_a2, 95, 2),
        (tree.station_b1, 90, 5),
    ):
        put(ind["t_fee"], station, fee)
        put(ind["t_loss"], station, loss)
    return ind


def indicator_url(code="t_loss"):
    return reverse("evaluation:benchmark_indicator", args=[code])


def stations_on(response) -> list[str]:
    return [row.code for row, _cells in response.context["rows"]]


VIEWERS = {"company", "county", "secretary_a", "secretary_b"}
BENCHMARK_PAGES = [
    Opens(
        [
            "evaluation:benchmark_list",
            "evaluation:benchmark_map",
            Url("evaluation:benchmark_indicator", args=["t_loss"]),
        ],
        by=VIEWERS,
        fixtures=["data"],
    ),
    Opens(["evaluation:benchmark_entry"], by={"company", "county"}, fixtures=["data"]),
]

test_pages_persona_matrix = persona_matrix(*BENCHMARK_PAGES)


def test_each_sees_only_stations_in_scope(client, personas, data):
    client.force_login(personas.county)
    response = client.get(LIST)
    assert sorted(stations_on(response)) == ["C-A-1", "C-A-2"]
    assert "B1供电所党支部" not in response.content.decode()
    client.force_login(personas.secretary_b)
    assert stations_on(client.get(LIST)) == ["C-B-1"]


def test_within_outside_scope_is_404_and_inside_narrows(client, personas, tree, data):
    client.force_login(personas.county)
    assert client.get(LIST, {"within": tree.county_b.pk}).status_code == 404
    assert client.get(LIST, {"within": "abc"}).status_code == 404
    client.force_login(personas.company)
    response = client.get(LIST, {"within": tree.county_b.pk})
    assert stations_on(response) == ["C-B-1"]


def test_list_defaults_to_latest_month_ranks_and_sorts(client, personas, data):
    client.force_login(personas.company)
    response = client.get(LIST)
    assert response.context["period"].start == MARCH
    assert stations_on(response) == ["C-A-1", "C-A-2", "C-B-1"]  # by composite
    by_loss = client.get(LIST, {"sort": "t_loss"})
    assert stations_on(by_loss) == ["C-A-2", "C-A-1", "C-B-1"]
    body = by_loss.content.decode()
    assert 'data-testid="import"' in body and 'data-testid="entry"' in body
    row = next(r for r, _c in by_loss.context["rows"] if r.code == "C-A-1")
    assert row.band.name == "良" and row.composite == Decimal("75.00")


def test_bad_month_and_sort_fall_back(client, personas, data):
    client.force_login(personas.company)
    response = client.get(LIST, {"month": "2026-99", "sort": "<script>", "page": "x"})
    assert response.status_code == 200 and response.context["period"].start == MARCH
    assert response.context["sort"] is None
    empty = client.get(LIST, {"month": "2025-01"})
    assert empty.status_code == 200 and all(r.composite is None for r, _c in empty.context["rows"])


def test_secretary_sees_no_import_or_entry_buttons(client, personas, data):
    client.force_login(personas.secretary_a)
    body = client.get(LIST).content.decode()
    assert 'data-testid="import"' not in body and 'data-testid="entry"' not in body


def test_indicator_page_ranks_and_trend(client, personas, tree, data):
    put(data["t_loss"], tree.station_a1, 4, MARCH.replace(month=1))
    client.force_login(personas.company)
    response = client.get(indicator_url("t_loss"))
    assert [r.code for r, _cell in response.context["rows"]] == ["C-A-2", "C-A-1", "C-B-1"]
    chart = response.context["chart"]
    assert len(chart["months"]) == 12 and chart["months"][-1] == "2026-03"
    assert chart["best"][-1] == 2.0 and chart["worst"][-1] == 5.0  # lower is better
    assert chart["average"][-1] == pytest.approx(3.33) and chart["average"][-3] == 4.0
    assert chart["average"][0] is None
    assert "vendor/echarts/echarts.min.js" in response.content.decode()
    assert client.get(indicator_url("missing")).status_code == 404


def test_map_colours_stations_by_band_with_legend_and_list(client, personas, tree, data):
    client.force_login(personas.company)
    response = client.get(MAP)
    legend = {band.name: count for band, count in response.context["legend"]}
    assert legend == {"优": 0, "良": 2, "中": 0, "差": 0, "劣": 1}  # 75, 75, 0
    tree_data = response.context["tree"]
    assert [county["name"] for county in tree_data] == ["A县公司党委", "B县公司党委"]
    tile = tree_data[0]["children"][0]
    assert tile["name"] == "A1供电所党支部" and tile["itemStyle"]["color"] == "#74b816"
    assert tile["url"] == reverse("orgs:org_detail", args=[tree.station_a1.pk])
    fee = next(v for v in tile["values"] if v[0] == "测试电费回收")
    assert fee == ["测试电费回收", "99", "%", 1]
    body = response.content.decode()
    assert 'data-testid="band-row" data-station="C-B-1"' in body
    script = body.split('id="band-map-data" type="application/json">')[1].split("</script>")[0]
    assert json.loads(script)[1]["children"][0]["band"] == "劣"


def test_map_quarter_average_and_station_without_data(client, personas, tree, data):
    make_org(tree.county_b, name="B2供电所党支部", code="C-B-2")
    client.force_login(personas.company)
    response = client.get(MAP, {"period": "quarter", "quarter": "2026Q1"})
    assert response.context["period"].label == "2026Q1"
    old_link = client.get(MAP, {"period": "quarter", "quarter": "2026-Q1"})
    assert old_link.context["period"] == response.context["period"]
    assert [r.code for r in response.context["missing"]] == ["C-B-2"]
    tile = response.context["tree"][1]["children"][1]
    assert tile["itemStyle"]["color"] == "#adb5bd" and tile["band"] == "无数据"
    fallback = client.get(MAP, {"period": "quarter", "quarter": "bad"})
    assert fallback.context["period"].label == "2026Q1"


def test_entry_saves_through_the_service(client, personas, tree, data):
    client.force_login(personas.county)
    post = {
        "organization": tree.station_a2.pk,
        "month": "2026-04",
        "v_t_fee": "97.5",
        "v_t_loss": "",
        "v_t_index": "88",
    }
    response = client.post(ENTRY, post)
    assert response.status_code == 302 and "month=2026-04" in response["Location"]
    saved = BenchmarkValue.objects.filter(organization=tree.station_a2, month="2026-04-01")
    assert sorted(v.value for v in saved) == [Decimal("88"), Decimal("97.5")]


def test_entry_prefills_saved_values(client, personas, tree, data):
    client.force_login(personas.county)
    response = client.get(ENTRY, {"organization": tree.station_a1.pk, "month": "2026-03"})
    form = response.context["form"]
    assert form.initial["v_t_fee"] == "99" and form.initial["organization"] == tree.station_a1.pk
    other = client.get(ENTRY, {"organization": tree.station_b1.pk, "month": "2026-03"})
    assert "organization" not in other.context["form"].initial


def test_entry_bad_input_rerenders_with_messages(client, personas, tree, data):
    client.force_login(personas.county)
    cases = [
        ({"organization": tree.station_a1.pk, "month": "2026-03", "v_t_fee": "120"}, "0–100"),
        ({"organization": tree.station_a1.pk, "month": "三月", "v_t_fee": "90"}, "YYYY-MM"),
        ({"organization": tree.station_a1.pk, "month": "2026-03", "v_t_loss": "abc"}, "不是数字"),
        ({"organization": tree.station_a1.pk, "month": "2026-03"}, "请至少填写一个指标值"),
        (
            {"organization": tree.station_b1.pk, "month": "2026-03", "v_t_fee": "90"},
            "不在您的管理范围内",
        ),
        (
            {"organization": tree.county_a.pk, "month": "2026-03", "v_t_fee": "90"},
            "不在您的管理范围内",
        ),
    ]
    for post, text in cases:
        response = client.post(ENTRY, post)
        assert response.status_code == 200, post
        assert text in response.content.decode(), (post, text)
    assert BenchmarkValue.objects.count() == 6


def _grow(tree, ind, count):
    county = make_org(
        tree.company, name="C县公司党委", code="C-C", kind="committee", unit_kind="county"
    )
    for n in range(count):
        station = make_org(county, name=f"C{n}供电所党支部", code=f"C-C-{n}")
        put(ind["t_fee"], station, 80 + n % 20)
        put(ind["t_loss"], station, n % 7)


def _queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params or {}).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "url,params", [(LIST, {}), (LIST, {"sort": "t_loss"}), (MAP, {}), (indicator_url(), {})]
)
def test_pages_cost_the_same_queries_at_two_sizes(client, personas, tree, data, url, params):
    client.force_login(personas.company)
    _queries(client, url, params)  # warm caches (content types, sessions)
    small = _queries(client, url, params)
    _grow(tree, data, 70)
    large = _queries(client, url, params)
    assert small == large
