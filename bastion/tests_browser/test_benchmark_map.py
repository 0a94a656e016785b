"""Issue 14, item 3: the 五色地图 is readable on a desktop and on a 390 px phone: every station's
tile is large enough for its name, which is the short one (the tooltip keeps the full name)."""

import pytest

from bastion.evaluation.tests.helpers_benchmarks import make_bands, make_indicators, put
from bastion.orgs.tests.factories import make_org

from .conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

STATIONS_PER_COUNTY = 20
# A tile shows at least one line of two 13 px characters with its padding.
MIN_TILE_PX = 30

# The laid-out leaves of the treemap: label shown, full name, and the tile's box.
TILES_JS = """
() => {
  const box = document.getElementById("band-map");
  const chart = echarts.getInstanceByDom(box);
  const data = chart.getModel().getSeriesByIndex(0).getData();
  const tiles = [];
  for (let i = 0; i < data.count(); i++) {
    const node = data.tree.getNodeByDataIndex(i);
    if (node.children.length) { continue; }
    const layout = data.getItemLayout(i);
    const item = data.getRawDataItem(i);
    tiles.push({label: item.label, name: item.name, width: layout.width, height: layout.height});
  }
  return {tiles: tiles, boxWidth: box.clientWidth, scroll: document.documentElement.scrollWidth};
}
"""


@pytest.fixture
def many_stations(tree, personas):
    indicator = make_indicators()["t_fee"]
    make_bands()
    for county in (tree.county_a, tree.county_b):
        for n in range(STATIONS_PER_COUNTY):
            station = make_org(
                county, name=f"{county.code}第{n}号供电所党支部", code=f"{county.code}-M{n}"
            )
            put(indicator, station, 60 + n)
    return 2 * STATIONS_PER_COUNTY + 3


def _tiles(page, login, user):
    login(page, user)
    page.goto("/evaluation/benchmarks/map/")
    page.wait_for_function(
        "() => window.echarts && echarts.getInstanceByDom(document.getElementById('band-map'))"
    )
    return page.evaluate(TILES_JS)


def _assert_readable(found, stations, width):
    assert found["scroll"] <= width + 1, "the map page scrolls sideways"
    tiles = found["tiles"]
    assert len(tiles) == stations
    small = [t for t in tiles if min(t["width"], t["height"]) < MIN_TILE_PX]
    assert not small, small[:3]
    assert all(t["label"] and len(t["label"]) < len(t["name"]) for t in tiles)


def test_map_tiles_fit_their_names_on_a_desktop(page, login, personas, many_stations):
    found = _tiles(page, login, personas.company)
    _assert_readable(found, many_stations, page.viewport_size["width"])


def test_map_tiles_fit_their_names_on_a_phone(phone, login, personas, many_stations):
    page = phone()
    found = _tiles(page, login, personas.company)
    _assert_readable(found, many_stations, PHONE["width"])
