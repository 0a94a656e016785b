"""``evaluation/rounds/{id}/results/``: the ranking. Round runners and secretaries see their
scope in any state; members only after publication, their branch's rows, and the indicator
details of their own row only."""

import pytest

from bastion.core.testing import count_queries, login
from bastion.evaluation.services import rounds, scores
from bastion.orgs.tests.factories import make_org

from .api_helpers import (  # noqa: F401
    PERSONAS,
    rows_of,
    score_org,
    scored_round,
    url,
)
from .helpers import OPEN_DAY, open_round, simple_scheme

pytestmark = pytest.mark.django_db

FLAG = {"code": "flag", "name": "流动红旗", "kind": "red_flag", "basis": "top", "count": 1}
ALL = {"A1供电所党支部", "A2供电所党支部", "B1供电所党支部"}
BEFORE = {
    "company": ALL,
    "county": {"A1供电所党支部", "A2供电所党支部"},
    "secretary_a": {"A1供电所党支部"},
    "secretary_b": {"B1供电所党支部"},
    "member": None,  # 404 until published
    "outsider": None,
}
AFTER = {**BEFORE, "member": {"A1供电所党支部"}}
DETAILED = {"company", "county", "secretary_a", "secretary_b"}


def results(api, round_, **params):
    return api.get(url("round-results", round_.pk), params)


def by_name(response) -> dict[str, dict]:
    return {row["organization"]["name"]: row for row in rows_of(response)}


@pytest.fixture(name="computed")
def computed_fixture(tree, personas):
    return scored_round(tree, personas, scheme=simple_scheme(tree.company, titles=[FLAG]))


@pytest.fixture(name="published")
def published_fixture(tree, personas, computed):
    rounds.round_publish(actor=personas.company, round_=computed, today=OPEN_DAY)
    computed.refresh_from_db()
    return computed


@pytest.mark.parametrize("persona", PERSONAS)
def test_before_publication_only_those_who_view_targets_see_results(
    api, personas, computed, persona
):
    response = results(login(api, getattr(personas, persona)), computed)
    if BEFORE[persona] is None:
        assert response.status_code == 404
        return
    rows = by_name(response)
    assert set(rows) == BEFORE[persona]
    assert all(row["contributions"] is not None for row in rows.values())


@pytest.mark.parametrize("persona", PERSONAS)
def test_after_publication_members_see_their_branchs_ranking(api, personas, published, persona):
    response = results(login(api, getattr(personas, persona)), published)
    if AFTER[persona] is None:
        assert response.status_code == 404
        return
    rows = by_name(response)
    assert set(rows) == AFTER[persona]
    shown = {name for name, row in rows.items() if row["contributions"] is not None}
    assert shown == (AFTER[persona] if persona in DETAILED else set())


def test_a_row_carries_rank_total_titles_and_contributions(api, personas, published):
    response = results(login(api, personas.company), published)
    assert response.json()["count"] == 3
    rows = rows_of(response)
    assert [row["organization"]["name"] for row in rows] == [
        "A1供电所党支部",
        "B1供电所党支部",
        "A2供电所党支部",
    ]
    first = rows[0]
    # 60 × 0.9 + 40 × 0.8 = 86
    assert (first["rank"], first["rank_within_parent"], first["total"]) == (1, 1, "86.00")
    assert (first["vetoed"], first["missing"], first["person"]) == (False, 0, None)
    assert first["titles"] == [
        {"code": "flag", "name": "流动红旗", "name_en": "", "kind": "red_flag", "stars": None}
    ]
    assert first["contributions"]["party"]["points"] == "54.00"
    assert rows[2]["rank_within_parent"] == 2  # A2 after A1 in county A


def test_a_member_sees_the_details_of_their_own_row_only(api, personas, tree, people):
    people.li_si.membership_status = "full"
    people.li_si.save()
    scheme = simple_scheme(tree.company, code="members", target_kind="member")
    round_ = open_round(personas.company, scheme, tree.company)
    for person, value in ((people.zhang_san, 90), (people.li_si, 70)):
        target = round_.targets.get(person=person)
        scores.score_submit(
            actor=personas.county,
            round_=round_,
            target=target,
            group="higher",
            values={"party": value, "business": value},
            today=OPEN_DAY,
        )
    rounds.round_compute(actor=personas.company, round_=round_)
    rounds.round_publish(actor=personas.company, round_=round_, today=OPEN_DAY)
    rows = {
        row["person"]["name"]: row for row in rows_of(results(login(api, personas.member), round_))
    }
    assert set(rows) == {"张三", "李四"}  # their branch; not 王五 of A2
    assert rows["张三"]["contributions"]["party"]["raw"] == "90.00"
    assert rows["李四"]["contributions"] is None
    assert rows["张三"]["organization"]["name"] == "A1供电所党支部"


def test_results_narrow_to_a_subtree_and_outside_is_404(api, personas, tree, published):
    login(api, personas.company)
    assert set(by_name(results(api, published, within=tree.county_a.pk))) == {
        "A1供电所党支部",
        "A2供电所党支部",
    }
    assert set(by_name(results(api, published, q="A2"))) == {"A2供电所党支部"}
    response = results(login(api, personas.county), published, within=tree.county_b.pk)
    assert response.status_code == 404
    assert results(api, published, within="abc").status_code == 404


def test_an_invisible_round_is_404_even_when_published(api, personas, tree, published):
    county_b_round = open_round(personas.company, published.scheme, tree.county_b)
    response = results(login(api, personas.county), county_b_round)
    assert response.status_code == 404


@pytest.mark.parametrize("persona", ["company", "member"])
def test_results_cost_the_same_queries_for_3_and_15_stations(
    api, personas, tree, published, persona
):
    login(api, getattr(personas, persona))
    few = count_queries(api, url("round-results", published.pk))
    for n in range(12):
        make_org(tree.county_a, name=f"新增{n}供电所党支部", code=f"C-A-N{n}")
    bigger = open_round(personas.company, published.scheme, tree.company, label="2026-11")
    score_org(personas.county, bigger, tree.station_a1, party=70, business=70)
    rounds.round_compute(actor=personas.company, round_=bigger)
    rounds.round_publish(actor=personas.company, round_=bigger, today=OPEN_DAY)
    assert bigger.targets.count() == 15
    login(api, getattr(personas, persona))
    assert count_queries(api, url("round-results", bigger.pk)) == few
