"""``evaluation/rounds/{id}/scores/``: an evaluator's submission through the scoring service
(nobody rates themself, nobody scores outside their scope) and each one's own scores."""

import datetime as dt

import pytest

from bastion.core.testing import count_queries, login
from bastion.evaluation.models import Score, Target

from .api_helpers import (  # noqa: F401
    arena_fixture,
    live_window,
    peer_fixture,
    rows_of,
    today,
    url,
)
from .helpers import open_round, simple_scheme

pytestmark = pytest.mark.django_db

RATING = {"political": 8, "skill": "9", "public": 7.5, "results": ""}


@pytest.fixture(name="monthly")
def monthly_fixture(tree, personas):
    """The simple scheme over the company, scored by the committee above, open today."""
    return open_round(
        personas.company, simple_scheme(tree.company), tree.company, window=live_window()
    )


def target_of(round_, org):
    return Target.objects.get(round=round_, organization=org)


def submit(api, round_, target, group="higher", comment="", **values):
    body = {"target": target.pk, "group": group, "values": values, "comment": comment}
    return api.post(url("round-scores", round_.pk), body, format="json")


# --- organizations scored by the committee above ------------------------------------------------


def test_a_county_scores_its_station_as_the_committee_above(api, personas, tree, monthly):
    target = target_of(monthly, tree.station_a1)
    response = submit(
        login(api, personas.county), monthly, target, comment="扎实", party=90, business="80.5"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["target"], body["group"]) == (target.pk, "higher")
    saved = {row["indicator"]: row for row in body["scores"]}
    assert set(saved) == {"party", "business"}
    assert saved["business"]["value"] == "80.50"
    assert saved["party"]["indicator_name"] == "党建管理"
    assert saved["party"]["target_label"] == "A1供电所党支部"
    assert saved["party"]["comment"] == "扎实"
    assert saved["party"]["evaluator"] == "p_county"


def test_submitting_again_replaces_ones_own_scores(api, personas, tree, monthly):
    target = target_of(monthly, tree.station_a1)
    login(api, personas.county)
    submit(api, monthly, target, party=90, business=80)
    response = submit(api, monthly, target, party=70)
    assert response.status_code == 201
    rows = Score.objects.filter(target=target, evaluator=personas.county)
    assert {(s.indicator, s.value) for s in rows} == {("party", 70)}


@pytest.mark.parametrize(
    "persona, org, expected",
    [
        ("company", "station_b1", 201),
        ("county", "station_a2", 201),
        ("county", "station_b1", 404),  # outside the county: not even visible
        ("secretary_a", "station_a1", 403),  # their own branch: not the committee above it
        ("secretary_b", "station_a1", 404),
        ("member", "station_a1", 403),  # sees the branch, may not score it as the committee
    ],
)
def test_evaluators_outside_the_targets_scope_are_refused(
    api, personas, tree, monthly, persona, org, expected
):
    target = target_of(monthly, getattr(tree, org))
    response = submit(login(api, getattr(personas, persona)), monthly, target, party=90)
    assert response.status_code == expected, response.content
    assert Score.objects.exists() == (expected == 201)


def test_an_outsider_cannot_reach_the_round(api, personas, tree, monthly):
    response = submit(
        login(api, personas.outsider), monthly, target_of(monthly, tree.station_a1), party=90
    )
    assert response.status_code == 404


def test_a_target_of_another_round_is_404(api, personas, tree, monthly):
    other = open_round(
        personas.company,
        simple_scheme(tree.company, code="other"),
        tree.company,
        window=live_window(),
    )
    response = submit(
        login(api, personas.company), monthly, target_of(other, tree.station_a1), party=90
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    "values, field, message",
    [
        ({"party": 120}, "party", "“党建管理”的分值应在 0 到 100"),
        ({"party": "优秀"}, "party", "“党建管理”的分值“优秀”不是数字。"),
        ({"culture": 5}, "culture", "指标“culture”不是该评价主体的评分项。"),
        ({"party": ""}, "non_field_errors", "请至少填写一项评分。"),
    ],
)
def test_bad_values_are_400_naming_the_item(api, personas, tree, monthly, values, field, message):
    response = submit(
        login(api, personas.county), monthly, target_of(monthly, tree.station_a1), **values
    )
    assert response.status_code == 400
    assert len(response.json()[field]) == 1
    assert message in response.json()[field][0]
    assert not Score.objects.exists()


def test_a_group_the_scheme_does_not_have_is_400(api, personas, tree, monthly):
    response = submit(
        login(api, personas.county),
        monthly,
        target_of(monthly, tree.station_a1),
        group="peers",
        party=90,
    )
    assert response.status_code == 400
    assert response.json()["group"] == [
        "本方案没有“互评”这一评价主体；本方案的评价主体为“上级党组织”。"
    ]


def test_an_unknown_group_or_missing_values_is_400(api, personas, tree, monthly):
    login(api, personas.county)
    target = target_of(monthly, tree.station_a1)
    body = {"target": target.pk, "group": "boss", "values": {}}
    response = api.post(url("round-scores", monthly.pk), body, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"group", "values"}


def test_scores_outside_the_window_are_400(api, personas, tree):
    past = (today() - dt.timedelta(days=20), today() - dt.timedelta(days=10))
    round_ = open_round(personas.company, simple_scheme(tree.company), tree.company, window=past)
    response = submit(
        login(api, personas.county), round_, target_of(round_, tree.station_a1), party=90
    )
    assert response.status_code == 400
    assert response.json()["non_field_errors"] == [f"评分已于 {past[1]} 截止。"]


def test_a_computed_round_takes_no_more_scores(api, personas, tree, monthly):
    login(api, personas.company).post(url("round-compute", monthly.pk))
    response = submit(api, monthly, target_of(monthly, tree.station_a1), party=90)
    assert response.status_code == 400
    assert response.json()["non_field_errors"] == ["本轮考评已结束评分，不能再提交。"]


# --- the arena: members rate each other's key events --------------------------------------------


def test_a_member_rates_a_peers_key_event(api, personas, arena):
    response = submit(
        login(api, personas.member), arena.round, arena.li_si, group="peers", **RATING
    )
    assert response.status_code == 201, response.content
    saved = {row["indicator"]: row["value"] for row in response.json()["scores"]}
    assert saved == {"political": "8.00", "skill": "9.00", "public": "7.50"}
    assert response.json()["scores"][0]["target_label"] == "李四"


def test_rating_ones_own_key_event_is_400(api, personas, arena):
    response = submit(
        login(api, personas.member), arena.round, arena.zhang_san, group="peers", **RATING
    )
    assert response.status_code == 400
    assert response.json()["target"] == [
        "不能给自己评分：本方案的评价主体为“互评”，不含自评，本人不参加对自己的评价。"
    ]
    assert not Score.objects.exists()


def test_a_member_cannot_rate_a_key_event_of_another_branch(api, personas, arena):
    response = submit(
        login(api, personas.member), arena.round, arena.zhao_liu, group="peers", **RATING
    )
    assert response.status_code == 404


def test_a_county_secretary_is_no_peer_of_the_members(api, personas, arena):
    response = submit(
        login(api, personas.county), arena.round, arena.li_si, group="peers", **RATING
    )
    assert response.status_code == 403
    assert response.json()["detail"] == "您不能以“互评”的身份评价该对象。"


# --- reading scores -----------------------------------------------------------------------------


@pytest.fixture(name="rated")
def rated_fixture(api, personas, peer, arena):
    """张三 and 李四 rate each other; 赵六's event is rated by nobody."""
    submit(login(api, personas.member), arena.round, arena.li_si, group="peers", political=8)
    submit(login(api, peer), arena.round, arena.zhang_san, group="peers", political=9, skill=9)
    assert Score.objects.count() == 3
    return arena


def scores_seen(api, round_, **params):
    rows = rows_of(api.get(url("round-scores", round_.pk), params))
    return {(row["target_label"], row["indicator"], row["evaluator"]) for row in rows}


def test_a_member_sees_only_the_scores_they_gave(api, personas, rated):
    login(api, personas.member)
    mine = {("李四", "political", "p_member")}
    assert scores_seen(api, rated.round) == mine
    assert scores_seen(api, rated.round, all=1) == mine  # no view_score: still only their own


def test_a_round_runner_sees_every_score_of_its_scope_with_all(api, personas, rated):
    everything = {
        ("李四", "political", "p_member"),
        ("张三", "political", "p_peer"),
        ("张三", "skill", "p_peer"),
    }
    assert scores_seen(login(api, personas.company), rated.round, all=1) == everything
    assert scores_seen(api, rated.round) == set()  # the company gave none itself
    assert scores_seen(login(api, personas.county), rated.round, all="true") == everything
    assert scores_seen(api, rated.round, all=1, target=rated.li_si.pk) == {
        ("李四", "political", "p_member")
    }


def test_a_secretary_of_another_county_sees_none_of_them(api, personas, rated):
    assert scores_seen(login(api, personas.secretary_b), rated.round, all=1) == set()


def test_scores_of_an_invisible_round_are_404(api, personas, rated):
    response = login(api, personas.outsider).get(url("round-scores", rated.round.pk))
    assert response.status_code == 404


def test_a_bad_switch_is_400(api, personas, rated):
    response = login(api, personas.company).get(
        url("round-scores", rated.round.pk), {"all": "maybe"}
    )
    assert response.status_code == 400
    assert response.json()["all"] == ["取值“maybe”无效，只能为 1 或 0。"]


def test_score_list_queries_do_not_grow_with_the_scores(api, personas, tree, monthly):
    submit(login(api, personas.county), monthly, target_of(monthly, tree.station_a1), party=90)
    login(api, personas.company)
    few = count_queries(api, url("round-scores", monthly.pk), {"all": 1})
    for org in (tree.station_a2, tree.station_b1):
        submit(api, monthly, target_of(monthly, org), party=70, business=60, safety=2)
    assert Score.objects.count() == 7
    assert count_queries(api, url("round-scores", monthly.pk), {"all": 1}) == few
