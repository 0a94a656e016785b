"""``evaluation/rounds/``: rounds through the scope door (visible below their organization),
opening one through the service, and computing, publishing and closing it."""

import datetime as dt

import pytest

from bastion.core.testing import Scope, count_queries, login, persona_matrix, seen_by_persona
from bastion.evaluation.models import Round, RoundState, Target

from .api_helpers import (  # noqa: F401
    PERSONAS,
    rows_of,
    scored_round,
    url,
)
from .helpers import open_round, simple_scheme

pytestmark = pytest.mark.django_db

VISIBLE = {
    "company": {"company", "county_a", "county_b"},
    "county": {"company", "county_a"},
    "secretary_a": {"company", "county_a"},
    "secretary_b": {"company", "county_b"},
    "member": {"company", "county_a"},
    "outsider": set(),
}


@pytest.fixture(name="scheme")
def scheme_fixture(tree):
    return simple_scheme(tree.company)


@pytest.fixture(name="rounds")
def rounds_fixture(tree, personas, scheme):
    return {
        name: open_round(personas.company, scheme, getattr(tree, name))
        for name in ("company", "county_a", "county_b")
    }


def names_of(rounds, rows) -> set[str]:
    by_pk = {round_.pk: name for name, round_ in rounds.items()}
    return {by_pk[row["id"]] for row in rows}


def payload(scheme_, org, **changes):
    data = {
        "scheme": scheme_.code,
        "organization": org.pk,
        "period_label": "2026-11",
        "period_start": "2026-11-01",
        "period_end": "2026-11-30",
        "opens_on": "2026-12-01",
        "closes_on": "2026-12-10",
    }
    return {**data, **changes}


# --- reading ------------------------------------------------------------------------------------


# Rounds are seen at and below their organization: on their page, through the API and its list.
ROUNDS = Scope(
    objects="rounds",
    seen_by=seen_by_persona(VISIBLE, ["company", "county_a", "county_b"]),
    detail=["evaluation:round_detail", "api:round-detail"],
    rows=["api:round-list"],
)

test_rounds_are_read_inside_the_scope_only = persona_matrix(ROUNDS)


def test_a_round_shows_its_snapshot_indicators_and_groups(api, personas, rounds):
    body = login(api, personas.member).get(url("round-detail", rounds["company"].pk)).json()
    assert body["scheme"]["code"] == "test"
    assert body["organization"]["name"] == "市公司党委"
    assert (body["state"], body["state_display"]) == ("scoring", "评分中")
    assert body["scoring_open"] is False  # the helpers' window is in 2026-11
    assert [item["code"] for item in body["indicators"]] == [
        "party",
        "business",
        "bonus",
        "safety",
        "integrity",
    ]
    assert body["indicators"][0]["max_score"] == "100.00"
    assert body["groups"] == [
        {
            "kind": "higher",
            "name": "上级党组织",
            "name_en": "Higher Party organization",
            "weight": "1.00",
        }
    ]


def test_rounds_filter_by_scheme_state_and_period(api, personas, tree, scheme, rounds):
    other = simple_scheme(tree.company, code="other")
    later = open_round(
        personas.company,
        other,
        tree.company,
        label="2026-12",
        period=(dt.date(2026, 12, 1), dt.date(2026, 12, 31)),
    )
    login(api, personas.company)
    assert [r["id"] for r in rows_of(api.get(url("round-list"), {"scheme": "other"}))] == [later.pk]
    in_october = rows_of(api.get(url("round-list"), {"period": "2026-10"}))
    assert names_of(rounds, in_october) == {"company", "county_a", "county_b"}
    assert rows_of(api.get(url("round-list"), {"period": "2026Q4"}))[0]["id"] == later.pk
    assert rows_of(api.get(url("round-list"), {"state": "published"})) == []
    within = rows_of(api.get(url("round-list"), {"within": tree.county_a.pk}))
    assert names_of(rounds, within) == {"county_a"}
    outside = login(api, personas.secretary_b).get(url("round-list"), {"within": tree.county_a.pk})
    assert outside.status_code == 404
    login(api, personas.company)
    bad = api.get(url("round-list"), {"period": "十月"})
    assert bad.status_code == 400
    assert "周期“十月”无效" in bad.json()["period"][0]


def test_round_list_queries_do_not_grow_with_the_rounds(api, personas, tree, scheme, rounds):
    login(api, personas.company)
    few = count_queries(api, url("round-list"))
    for month in range(1, 7):
        open_round(
            personas.company,
            scheme,
            tree.company,
            label=f"2026-0{month}",
            period=(dt.date(2026, month, 1), dt.date(2026, month, 28)),
        )
    assert count_queries(api, url("round-list")) == few


# --- opening ------------------------------------------------------------------------------------


def test_company_opens_a_round_by_scheme_code(api, personas, tree, scheme):
    response = login(api, personas.company).post(
        url("round-list"), payload(scheme, tree.company, name="十一月考评"), format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["name"], body["state"], body["appeal_days"]) == ("十一月考评", "scoring", 5)
    round_ = Round.objects.get(pk=body["id"])
    assert round_.created_by == personas.company
    assert Target.objects.filter(round=round_).count() == 3


def test_a_county_opens_a_round_over_its_county_by_scheme_id(api, personas, tree, scheme):
    response = login(api, personas.county).post(
        url("round-list"), payload(scheme, tree.county_a, scheme=scheme.pk), format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["name"] == "测试方案（2026-11）"
    assert Target.objects.filter(round_id=response.json()["id"]).count() == 2


def test_a_county_cannot_open_a_round_over_another_county(api, personas, tree, scheme):
    response = login(api, personas.county).post(
        url("round-list"), payload(scheme, tree.county_b), format="json"
    )
    assert response.status_code == 400
    assert "不在您的管理范围内" in response.json()["organization"][0]
    assert not Round.objects.exists()


@pytest.mark.parametrize("persona", ["secretary_a", "secretary_b", "member", "outsider"])
def test_only_round_runners_open_rounds(api, personas, tree, scheme, persona):
    response = login(api, getattr(personas, persona)).post(
        url("round-list"), payload(scheme, tree.station_a1), format="json"
    )
    assert response.status_code == 403
    assert not Round.objects.exists()


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"period_end": "2026-10-01"}, "period_end", "考评期间的结束日期不能早于开始日期。"),
        ({"closes_on": "2026-11-30"}, "closes_on", "评分截止日期不能早于评分开始日期。"),
        ({"scheme": "nope"}, "scheme", "考评方案“nope”不存在或不在您的管理范围内。"),
        ({"opens_on": "明天"}, "opens_on", "日期格式错误"),
        ({"period_label": ""}, "period_label", "不能为空"),
    ],
)
def test_opening_with_bad_input_is_400_in_chinese(
    api, personas, tree, scheme, changes, field, message
):
    response = login(api, personas.company).post(
        url("round-list"), payload(scheme, tree.company, **changes), format="json"
    )
    assert response.status_code == 400
    assert message in response.json()[field][0]
    assert not Round.objects.exists()


def test_opening_the_same_period_twice_is_400(api, personas, tree, scheme):
    login(api, personas.company)
    first = api.post(url("round-list"), payload(scheme, tree.company), format="json")
    assert first.status_code == 201
    again = api.post(url("round-list"), payload(scheme, tree.company), format="json")
    assert again.status_code == 400
    assert again.json()["non_field_errors"] == [
        "包含 考评方案，考评范围 和 考评期间 的 考评轮次 已经存在。"
    ]


def test_an_inactive_scheme_cannot_open_a_round(api, personas, tree, scheme):
    scheme.is_active = False
    scheme.save()
    response = login(api, personas.company).post(
        url("round-list"), payload(scheme, tree.company), format="json"
    )
    assert response.status_code == 400
    assert response.json()["scheme"] == ["该考评方案已停用。"]


# --- compute, publish, close --------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona, round_name, expected",
    [
        ("company", "company", 200),
        ("county", "county_a", 200),
        ("county", "company", 403),  # visible from below, not theirs to run
        ("county", "county_b", 404),
        ("secretary_a", "county_a", 403),
        ("member", "company", 403),
        ("secretary_b", "county_a", 404),
        ("outsider", "company", 404),
    ],
)
def test_compute_permissions(api, personas, rounds, persona, round_name, expected):
    round_ = rounds[round_name]
    response = login(api, getattr(personas, persona)).post(url("round-compute", round_.pk))
    assert response.status_code == expected, response.content
    round_.refresh_from_db()
    assert round_.state == (RoundState.COMPUTED if expected == 200 else RoundState.SCORING)
    if expected == 200:
        assert response.json()["state"] == "computed"
    if expected == 403:
        assert response.json()["detail"] == "您无权管理该考评轮次。"


def test_publish_needs_a_computed_round(api, personas, rounds):
    round_ = rounds["company"]
    response = login(api, personas.company).post(url("round-publish", round_.pk))
    assert response.status_code == 400
    assert response.json()["non_field_errors"] == ["只有已计算、尚未发布的轮次才能发布。"]


def test_company_computes_publishes_and_closes_a_round(api, personas, tree):
    round_ = scored_round(tree, personas)
    login(api, personas.company)
    published = api.post(url("round-publish", round_.pk))
    assert published.status_code == 200, published.content
    body = published.json()
    assert body["state"] == "published" and body["is_published"] is True
    assert body["appeal_until"] is not None
    closed = api.post(url("round-close", round_.pk))
    assert closed.status_code == 200 and closed.json()["state"] == "closed"
    again = api.post(url("round-compute", round_.pk))
    assert again.status_code == 400
    assert again.json()["non_field_errors"] == ["该轮次已归档，不能重新计算。"]


@pytest.mark.parametrize(
    "persona, expected", [("county", 403), ("secretary_a", 403), ("member", 403), ("outsider", 404)]
)
def test_only_a_publisher_covering_the_round_publishes(api, personas, tree, persona, expected):
    round_ = scored_round(tree, personas)
    response = login(api, getattr(personas, persona)).post(url("round-publish", round_.pk))
    assert response.status_code == expected
    round_.refresh_from_db()
    assert round_.state == RoundState.COMPUTED


def test_closing_a_round_still_scoring_is_400(api, personas, rounds):
    response = login(api, personas.company).post(url("round-close", rounds["company"].pk))
    assert response.status_code == 400
    assert response.json()["non_field_errors"] == ["只有已发布的轮次才能归档。"]
