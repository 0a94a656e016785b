"""``evaluation/titles/``: titles through the scope door, and ``current=1``, the title board:
the red flag of the latest round, the watch list until a later round lifts it.

Two published rounds of one scheme over the company:

* October: A1 90 (流动红旗, 达标), B1 80 (达标), A2 50 (不放心支部);
* November: A2 75 (流动红旗, 达标; lifts its watch title), B1 65 (达标), A1 55 (不放心支部).
"""

import datetime as dt

import pytest

from bastion.core.testing import Scope, count_queries, login, persona_matrix, seen_by_persona
from bastion.evaluation.models import TitleAward
from bastion.evaluation.services import rounds

from .api_helpers import (  # noqa: F401
    PERSONAS,
    rows_of,
    score_org,
    url,
)
from .helpers import OPEN_DAY, open_round, simple_scheme

pytestmark = pytest.mark.django_db

WATCH = {
    "code": "watch",
    "name": "不放心支部",
    "kind": "watch",
    "basis": "bottom",
    "count": 1,
    "max_score": 60,
    "lift_score": 70,
}
FLAG = {"code": "flag", "name": "流动红旗", "kind": "red_flag", "basis": "top", "count": 1}
COMPLIANT = {"code": "ok", "name": "达标", "kind": "compliant", "basis": "band", "min_score": 60}
OCTOBER = {
    ("A1", "red_flag", "2026-10"),
    ("A1", "compliant", "2026-10"),
    ("B1", "compliant", "2026-10"),
    ("A2", "watch", "2026-10"),
}
NOVEMBER = {
    ("A2", "red_flag", "2026-11"),
    ("A2", "compliant", "2026-11"),
    ("B1", "compliant", "2026-11"),
    ("A1", "watch", "2026-11"),
}
EVERY = OCTOBER | NOVEMBER
VISIBLE = {
    "company": EVERY,
    "county": {title for title in EVERY if title[0] != "B1"},
    "secretary_a": {title for title in EVERY if title[0] == "A1"},
    "secretary_b": {title for title in EVERY if title[0] == "B1"},
    "member": {title for title in EVERY if title[0] == "A1"},
    "outsider": set(),
}


def run_round(personas, tree, scheme, label, month, scores):
    round_ = open_round(
        personas.company,
        scheme,
        tree.company,
        label=label,
        period=(dt.date(2026, month, 1), dt.date(2026, month, 28)),
    )
    for org, value in scores:
        score_org(personas.company, round_, getattr(tree, org), party=value, business=value)
    rounds.round_compute(actor=personas.company, round_=round_)
    rounds.round_publish(actor=personas.company, round_=round_, today=OPEN_DAY)
    return round_


def add_rounds(personas, tree, scheme):
    october = run_round(
        personas,
        tree,
        scheme,
        "2026-10",
        10,
        [("station_a1", 90), ("station_a2", 50), ("station_b1", 80)],
    )
    november = run_round(
        personas,
        tree,
        scheme,
        "2026-11",
        11,
        [("station_a1", 55), ("station_a2", 75), ("station_b1", 65)],
    )
    return october, november


@pytest.fixture(name="board")
def board_fixture(tree, personas):
    scheme = simple_scheme(tree.company, code="board", titles=[WATCH, FLAG, COMPLIANT])
    return add_rounds(personas, tree, scheme)


def titles(api, **params) -> set[tuple]:
    rows = rows_of(api.get(url("title-list"), params))
    return {
        (row["organization"]["name"][:2], row["kind"], row["round"]["period_label"]) for row in rows
    }


def awards(_fixtures) -> dict[tuple, TitleAward]:
    """The board's titles by (station, kind, period), as ``VISIBLE`` names them."""
    return {
        (award.organization.name[:2], award.kind, award.round.period_label): award
        for award in TitleAward.objects.select_related("organization", "round")
    }


TITLES = Scope(
    objects=awards,
    seen_by=seen_by_persona(VISIBLE, sorted(EVERY)),
    detail=["api:title-detail"],
    rows=["api:title-list"],
    fixtures=["board"],
)

test_titles_are_read_inside_the_scope_only = persona_matrix(TITLES)


def test_the_board_shows_the_latest_red_flag_and_the_open_watch_list(api, personas, board):
    login(api, personas.company)
    assert titles(api, current=1) == NOVEMBER
    assert titles(api, current=0) == OCTOBER
    assert titles(api, current=1, kind="red_flag") == {("A2", "red_flag", "2026-11")}
    assert titles(api, current=1, kind="watch") == {("A1", "watch", "2026-11")}


def test_a_lifted_watch_title_says_when_and_by_which_round(api, personas, board):
    october, november = board
    rows = rows_of(
        login(api, personas.county).get(url("title-list"), {"kind": "watch", "current": 0})
    )
    assert len(rows) == 1
    lifted = rows[0]
    assert lifted["organization"]["name"] == "A2供电所党支部"
    assert lifted["lifted_on"] == OPEN_DAY.isoformat()
    assert lifted["lifted_by"] == {
        "id": november.pk,
        "name": november.name,
        "period_label": "2026-11",
    }
    assert (lifted["kind_display"], lifted["name"]) == ("不放心支部", "不放心支部")
    assert lifted["scheme"]["code"] == "board"
    assert lifted["total"] == "50.00" and lifted["person"] is None


def test_a_watch_title_stays_current_until_a_round_lifts_it(api, personas, tree, board):
    """A later round that does not reach the lift score keeps A1 on the list; its red flag
    moves on."""
    scheme = board[0].scheme
    run_round(
        personas,
        tree,
        scheme,
        "2026-12",
        12,
        [("station_a1", 65), ("station_a2", 40), ("station_b1", 95)],
    )
    current = titles(login(api, personas.company), current=1, kind="watch")
    # A1 (65 < 70) is not lifted; A2 is the new weakest.
    assert current == {("A1", "watch", "2026-11"), ("A2", "watch", "2026-12")}
    assert titles(api, current=1, kind="red_flag") == {("B1", "red_flag", "2026-12")}


def test_titles_filter_by_scheme_and_subtree(api, personas, tree, board):
    login(api, personas.company)
    assert titles(api, scheme="board") == EVERY
    assert titles(api, scheme="other") == set()
    assert titles(api, within=tree.county_b.pk) == VISIBLE["secretary_b"]
    response = login(api, personas.secretary_a).get(url("title-list"), {"within": tree.county_b.pk})
    assert response.status_code == 404  # outside the scope, as any object there
    bad = api.get(url("title-list"), {"current": "yes please"})
    assert bad.status_code == 400


def test_title_list_queries_do_not_grow_with_the_titles(api, personas, tree, board):
    login(api, personas.company)
    few = count_queries(api, url("title-list"))
    scheme = simple_scheme(tree.company, code="board-2", titles=[WATCH, FLAG, COMPLIANT])
    add_rounds(personas, tree, scheme)
    assert TitleAward.objects.count() == 16
    assert count_queries(api, url("title-list")) == few


def test_each_title_carries_the_holders_latest_score(api, personas, board):
    """A1's October red flag was won at 90; A1 scored 55 in November."""
    rows = rows_of(login(api, personas.company).get(url("title-list"), {"kind": "red_flag"}))
    by_period = {row["round"]["period_label"]: row for row in rows}
    october = by_period["2026-10"]
    assert (october["total"], october["current_total"]) == ("90.00", "55.00")
    assert october["current_period_label"] == "2026-11" and october["current_published"]
    november = by_period["2026-11"]
    assert november["total"] == november["current_total"] == "75.00"
