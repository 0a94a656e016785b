"""Which titles a round gives: the shipped rules (read from the seeded schemes, as a round copies
them) applied to hand-made result rows, plus small rules for ties and ranking ranges."""

from decimal import Decimal as D

import pytest

from bastion.evaluation.models import Scheme
from bastion.evaluation.selectors_schemes import scheme_snapshot
from bastion.evaluation.titles import Row, assign

pytestmark = pytest.mark.django_db


def shipped_rules(code: str) -> list[dict]:
    return scheme_snapshot(Scheme.objects.get(code=code))["titles"]


def codes(given, key) -> list[str]:
    return sorted(title["code"] for title in given.get(key, []))


# --- five-star bands: every boundary -------------------------------------------------------

BOUNDARIES = [
    ("100", "star5"),
    ("95", "star5"),
    ("94.99", "star4"),
    ("90", "star4"),
    ("89.99", "star3"),
    ("80", "star3"),
    ("79.99", "star2"),
    ("70", "star2"),
    ("69.99", "star1"),
    ("60", "star1"),
    ("59.99", None),
    ("0", None),
]


@pytest.mark.parametrize(("total", "star"), BOUNDARIES)
def test_five_star_band_boundaries(total, star):
    given = assign(shipped_rules("five_star"), [Row(key="t", group="p", total=D(total))])
    # exactly one star title, the highest band reached — or none below 60
    assert codes(given, "t") == ([star] if star else [])


def test_all_boundaries_in_one_round_give_one_star_each():
    rows = [Row(key=total, group="p", total=D(total)) for total, _star in BOUNDARIES]
    given = assign(shipped_rules("five_star"), rows)
    for total, star in BOUNDARIES:
        assert codes(given, total) == ([star] if star else []), total


def test_a_star_title_carries_its_name_and_stars():
    given = assign(shipped_rules("five_star"), [Row(key="t", group="p", total=D(96))])
    assert given["t"] == [
        {
            "code": "star5",
            "name": "五星党支部",
            "name_en": "Five-star branch",
            "kind": "star",
            "stars": 5,
        }
    ]
    given = assign(shipped_rules("star_member"), [Row(key="m", group="p", total=D(81))])
    assert given["m"] == [
        {
            "code": "star3",
            "name": "三星党员",
            "name_en": "Three-star member",
            "kind": "star",
            "stars": 3,
        }
    ]


def test_a_vetoed_branch_gets_no_star():
    given = assign(shipped_rules("five_star"), [Row(key="t", group="p", total=D(100), vetoed=True)])
    assert codes(given, "t") == []


# --- four-factor: red flag, watch list, 双A -------------------------------------------------


def station(key, county, total, *, party=None, business=None, vetoed=False):
    percents = {}
    if party is not None:
        percents["party"] = D(party)
    if business is not None:
        percents["business"] = D(business)
    return Row(key=key, group=county, total=D(total), vetoed=vetoed, percents=percents)


def test_the_red_flag_goes_to_the_best_of_each_county_from_80():
    rows = [
        station("a1", "A", 85),
        station("a2", "A", 82),
        station("b1", "B", 81),
        station("b2", "B", 75),
        station("c1", "C", "79.99"),
        station("c2", "C", 78),  # nobody in C reaches 80
    ]
    given = assign(shipped_rules("four_factor"), rows)
    flags = sorted(k for k, titles in given.items() for t in titles if t["kind"] == "red_flag")
    assert flags == ["a1", "b1"]


def test_a_tie_for_the_red_flag_gives_it_to_everyone_tied():
    rows = [station("a1", "A", 88), station("a2", "A", "88.00"), station("a3", "A", 87)]
    given = assign(shipped_rules("four_factor"), rows)
    flags = sorted(k for k, titles in given.items() for t in titles if t["code"] == "red_flag")
    assert flags == ["a1", "a2"]


def test_the_watch_list_takes_the_two_weakest_below_70_over_the_whole_round():
    rows = [
        station("a1", "A", 90),
        station("a2", "A", 65),
        station("b1", "B", 60),
        station("b2", "B", 50),
        station("c1", "C", 85),
    ]
    given = assign(shipped_rules("four_factor"), rows)
    watched = sorted(k for k, titles in given.items() for t in titles if t["code"] == "watch")
    # the round's two lowest (50, 60), regardless of county; 65 is third
    assert watched == ["b1", "b2"]


def test_the_watch_list_takes_only_totals_below_max_score():
    rows = [
        station("a1", "A", 90),
        station("a2", "A", 85),
        station("b1", "B", 70),
        station("b2", "B", "69.99"),
    ]
    given = assign(shipped_rules("four_factor"), rows)
    watched = sorted(k for k, titles in given.items() for t in titles if t["code"] == "watch")
    # bottom two are 69.99 and 70, but 70 is not below 70
    assert watched == ["b2"]


def test_a_tie_at_the_bottom_edge_watches_everyone_tied():
    rows = [
        station("a1", "A", 50),
        station("a2", "A", 60),
        station("b1", "B", 60),
        station("b2", "B", 80),
    ]
    given = assign(shipped_rules("four_factor"), rows)
    watched = sorted(k for k, titles in given.items() for t in titles if t["code"] == "watch")
    # ranks from the bottom: 50 → 1, 60 and 60 → 2: all three are within the bottom two
    assert watched == ["a1", "a2", "b1"]


def test_a_vetoed_station_gets_no_positive_title_but_can_be_watched():
    rows = [
        station("a1", "A", 0, party=100, business=100, vetoed=True),
        station("a2", "A", 85, party=95, business=92),
        station("b1", "B", 75),
    ]
    given = assign(shipped_rules("four_factor"), rows)
    assert codes(given, "a1") == ["watch"]  # no 党建A, 业绩A, 双A or flag despite 100 %
    assert codes(given, "a2") == ["business_a", "double_a", "party_a", "red_flag"]


def test_a_vetoed_leader_leaves_the_red_flag_to_the_next():
    # (a scheme whose veto cap leaves the total high still keeps the flag from it)
    rows = [station("a1", "A", 95, vetoed=True), station("a2", "A", 85)]
    given = assign(shipped_rules("four_factor"), rows)
    assert codes(given, "a1") == []
    assert codes(given, "a2") == ["red_flag"]


def test_party_a_and_business_a_read_their_indicator_not_the_total():
    # totals of 75: neither a red flag (from 80) nor the watch list (below 70)
    rows = [
        station("both", "A", 75, party=90, business=90),
        station("party", "B", 75, party="99.99", business="89.99"),
        station("business", "C", 75, party="89.99", business=100),
        station("none", "D", 99, party=80, business=80),
        station("unknown", "E", 75),  # no percentages: the groups were not evaluated
    ]
    given = assign(shipped_rules("four_factor"), rows)
    assert codes(given, "both") == ["business_a", "double_a", "party_a"]
    assert codes(given, "party") == ["party_a"]
    assert codes(given, "business") == ["business_a"]
    assert codes(given, "none") == ["red_flag"]  # 99 in total, yet no A
    assert codes(given, "unknown") == []


# --- hand-made rules: top/bottom ranges, all_of ---------------------------------------------

TOP2 = {
    "code": "top",
    "name": "前二",
    "kind": "honour",
    "basis": "top",
    "count": 2,
    "within": "round",
    "min_score": None,
    "max_score": None,
}


def test_top_n_includes_everyone_tied_at_the_edge():
    rows = [
        Row(key=k, group=None, total=D(t)) for k, t in (("a", 90), ("b", 85), ("c", 85), ("d", 80))
    ]
    given = assign([TOP2], rows)
    # ranks 1, 2, 2, 4: the two tied in second place both get it
    assert sorted(given) == ["a", "b", "c"]


def test_top_n_within_parent_ranks_each_parent_separately():
    rule = dict(TOP2, count=1, within="parent")
    rows = [
        Row(key="a1", group="A", total=D(60)),
        Row(key="a2", group="A", total=D(50)),
        Row(key="b1", group="B", total=D(95)),
        Row(key="b2", group="B", total=D(90)),
    ]
    given = assign([rule], rows)
    assert sorted(given) == ["a1", "b1"]  # a1 is first in A though below both of B


def test_top_with_min_score_gives_nothing_when_nobody_reaches_it():
    rule = dict(TOP2, min_score="80.00")
    rows = [Row(key="a", group=None, total=D("79.99")), Row(key="b", group=None, total=D(80))]
    assert sorted(assign([rule], rows)) == ["b"]


def test_all_of_needs_every_required_title():
    rules = [
        {
            "code": "x",
            "name": "X",
            "kind": "honour",
            "basis": "band",
            "min_score": "50",
            "indicator_code": "x",
        },
        {
            "code": "y",
            "name": "Y",
            "kind": "honour",
            "basis": "band",
            "min_score": "50",
            "indicator_code": "y",
        },
        {"code": "xy", "name": "XY", "kind": "honour", "basis": "all_of", "requires": ["x", "y"]},
    ]
    rows = [
        Row(key="both", group=None, total=D(0), percents={"x": D(50), "y": D(60)}),
        Row(key="x_only", group=None, total=D(0), percents={"x": D(70), "y": D(40)}),
    ]
    given = assign(rules, rows)
    assert codes(given, "both") == ["x", "xy", "y"]
    assert codes(given, "x_only") == ["x"]


def test_no_rank_title_on_a_total_that_lacks_data():
    """issue 14: a station whose total lacks data is no candidate for 流动红旗 or 不放心支部,
    but still earns a band title on what it has."""
    rows = [
        Row(key="full", group="A", total=D(85)),
        Row(key="lacking", group="A", total=D(100), incomplete=True),
        Row(key="low", group="B", total=D(30)),
        Row(key="tied_lacking", group="B", total=D(0), incomplete=True),
        Row(key="tied_lacking_2", group="B", total=D(0), incomplete=True),
    ]
    given = assign(shipped_rules("four_factor"), rows)
    assert codes(given, "full") == ["red_flag"]
    assert "red_flag" not in codes(given, "lacking")
    assert codes(given, "low") == ["watch"]
    assert codes(given, "tied_lacking") == codes(given, "tied_lacking_2") == []
