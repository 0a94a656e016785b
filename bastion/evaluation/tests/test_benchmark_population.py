"""One station, one colour: ranks, composites and bands are the population's, whoever looks.

The population is every active station of the company tree with values in the period, a
station organised as a 党小组 too (under its county, or under a neighbouring station's branch);
a station branch's own 党小组 without values is part of that station, not a station of its own.
A viewer sees the stations of their scope, each with the population's rank (第 k / N),
composite and colour, and a round scores the same figures.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bastion.core.periods import MONTH, Period
from bastion.evaluation import selectors_benchmark_pages as pages
from bastion.evaluation.selectors_benchmarks import composite, composite_of, indicator_ratios
from bastion.orgs.tests.factories import make_org

from .helpers_benchmarks import MARCH, make_bands, make_indicators, put

pytestmark = pytest.mark.django_db
MAP = reverse("evaluation:benchmark_map")
LIST = reverse("evaluation:benchmark_list")
VIEWERS = ("company", "county", "secretary_a", "secretary_b")


@pytest.fixture
def small_station(tree):
    """A station too small for a branch: its members form a 党小组 under the county."""
    return make_org(tree.county_a, name="A3供电所党小组", code="C-A-3", kind="group")


@pytest.fixture
def data(tree, personas, small_station):
    ind = make_indicators()
    make_bands()
    for station, fee, loss in (
        (tree.station_a1, 99, 3),
        (tree.station_a2, 95, 2),
        (tree.station_b1, 90, 5),
        (small_station, 97, 4),
    ):
        put(ind["t_fee"], station, fee)
        put(ind["t_loss"], station, loss)
    return ind


def _seen(response) -> dict[str, tuple]:
    """station code → (composite, band, {indicator: (rank, of N)}) as the page shows it."""
    result = response.context["result"]
    return {
        row.code: (
            row.composite,
            row.band.name if row.band else None,
            {code: (cell.rank, result.counts[code]) for code, cell in row.cells.items()},
        )
        for row in result.rows
    }


def test_map_population_and_colours_are_equal_for_every_viewer(client, personas, data):
    seen = {}
    for name in VIEWERS:
        client.force_login(getattr(personas, name))
        response = client.get(MAP)
        assert response.status_code == 200
        seen[name] = _seen(response)
    everyone = seen["company"]
    assert set(everyone) == {"C-A-1", "C-A-2", "C-A-3", "C-B-1"}  # the 党小组 station too
    assert set(seen["county"]) == {"C-A-1", "C-A-2", "C-A-3"}
    assert set(seen["secretary_a"]) == {"C-A-1"} and set(seen["secretary_b"]) == {"C-B-1"}
    for name in VIEWERS:
        for code, figures in seen[name].items():
            assert figures == everyone[code], (name, code)
    assert everyone["C-B-1"][2]["t_fee"] == (4, 4)  # 第 4 / 4 for its own secretary too


def test_a_branchs_own_group_is_not_a_station_a_small_station_attached_to_it_is(
    client, personas, tree, data
):
    assert tree.group_a1.unit_kind == "station"  # it carries its station's unit kind
    attached = make_org(tree.station_b1, name="B9供电所党小组", code="C-B-9", kind="group")
    put(data["t_fee"], attached, 50, MARCH.replace(month=1))  # a value, not this month
    client.force_login(personas.company)
    response = client.get(MAP)
    codes = [row.code for row in response.context["result"].rows]
    assert "C-A-1-G1" not in codes and "C-B-9" in codes and len(codes) == 5
    assert [row.code for row in response.context["missing"]] == ["C-B-9"]


def test_ranks_on_the_list_show_of_the_population(client, personas, data):
    client.force_login(personas.secretary_b)
    body = client.get(LIST).content.decode()
    assert "#4/4" in body.replace(" ", "")


def test_a_round_reads_the_maps_figures(personas, tree, data, small_station):
    """``sources`` asks for the round's targets only; ranks stay the population's."""
    ratios = indicator_ratios({tree.station_b1.pk}, MARCH, MARCH)
    assert set(ratios["t_fee"]) == {tree.station_b1.pk}
    page = pages.table(personas.company, None, Period.containing(MONTH, MARCH))
    row = next(r for r in page.rows if r.code == "C-B-1")
    assert ratios["t_fee"][tree.station_b1.pk] == (Decimal(90), row.cells["t_fee"].ratio)
    assert composite_of(ratios)[tree.station_b1.pk] == row.composite
    county_only = composite([tree.station_a1.pk, tree.station_a2.pk], MARCH, MARCH)
    assert county_only == {r.pk: r.composite for r in page.rows if r.code in {"C-A-1", "C-A-2"}}
    assert indicator_ratios({small_station.pk}, MARCH, MARCH)["t_loss"][small_station.pk][1] < 1


def test_population_is_one_company_tree(personas, tree, data):
    """A second company's stations never rank among the first company's."""
    other = make_org(name="另一市公司党委", code="X", kind="committee", unit_kind="company")
    other_station = make_org(other, name="X1供电所党支部", code="X-1")
    put(data["t_fee"], other_station, 10)
    ratios = indicator_ratios({tree.station_b1.pk, other_station.pk}, MARCH, MARCH)
    assert ratios["t_fee"][other_station.pk] == (Decimal(10), Decimal(1))  # alone: best
    assert ratios["t_fee"][tree.station_b1.pk][1] == Decimal(0)  # last of four


def test_ratios_cost_the_same_queries_at_two_sizes(tree, data):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            indicator_ratios({tree.station_a1.pk}, MARCH, dt.date(2026, 3, 31))
        return len(ctx.captured_queries)

    small = count()
    for n in range(30):
        put(data["t_fee"], make_org(tree.county_b, name=f"B{n}", code=f"C-B-X{n}"), 80 + n)
    assert count() == small


def test_map_tiles_carry_short_labels_grouped_by_county(client, personas, tree, data):
    """A tile names the station in a few characters; a small station attached to a
    neighbouring branch, or under the county's 机关党总支, sits in its county's group."""
    office = make_org(
        tree.county_b, name="B县机关党总支", code="C-B-O", kind="general_branch", unit_kind="county"
    )
    under_office = make_org(office, name="B5供电所党小组", code="C-B-5", kind="group")
    attached = make_org(tree.station_b1, name="B9供电所党小组", code="C-B-9", kind="group")
    for station in (under_office, attached):
        put(data["t_fee"], station, 60)
    client.force_login(personas.company)
    tree_data = client.get(MAP).context["tree"]
    assert [(c["name"], c["label"]) for c in tree_data] == [
        ("A县公司党委", "A县公司"),
        ("B县公司党委", "B县公司"),
    ]
    labels = {tile["name"]: tile["label"] for county in tree_data for tile in county["children"]}
    assert labels == {
        "A1供电所党支部": "A1",
        "A2供电所党支部": "A2",
        "A3供电所党小组": "A3",
        "B1供电所党支部": "B1",
        "B5供电所党小组": "B5",
        "B9供电所党小组": "B9",
    }


@pytest.mark.parametrize(
    "name,label",
    [
        ("青溪县供电局竹岭供电所党支部", "青溪县供电局竹岭"),
        ("河桥供电所党小组", "河桥"),
        ("供电所党支部", "供电所党支部"),
        ("新区临时党支部", "新区"),
        ("城东所", "城东所"),
    ],
)
def test_tile_label(name, label):
    from bastion.evaluation.views.benchmarks import tile_label

    assert tile_label(name) == label
