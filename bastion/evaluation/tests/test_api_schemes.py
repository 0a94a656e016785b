"""``evaluation/schemes/``: read-only schemes through the scope door, with their indicator tree,
evaluator groups and title rules; and the evaluation paths in the OpenAPI schema."""

import pytest

from bastion.core.testing import Scope, count_queries, login, persona_matrix, seen_by_persona

from .api_helpers import PERSONAS, rows_of, url  # noqa: F401
from .helpers import make_scheme

pytestmark = pytest.mark.django_db

CODES = {"s-company", "s-county-a", "s-county-b", "s-shipped"}
VISIBLE = {
    "company": CODES,
    "county": {"s-company", "s-county-a", "s-shipped"},
    "secretary_a": {"s-company", "s-county-a", "s-shipped"},
    "secretary_b": {"s-company", "s-county-b", "s-shipped"},
    "member": {"s-company", "s-county-a", "s-shipped"},
    "outsider": set(),
}
TREE = [
    {"code": "party", "name": "党建管理", "kind": "group", "weight": 60},
    {
        "code": "meetings",
        "name": "三会一课",
        "kind": "scored",
        "weight": 50,
        "max_score": 10,
        "parent": "party",
        "scored_by": ["higher"],
        "guidance": "按期召开",
    },
    {
        "code": "rate",
        "name": "达标率",
        "kind": "computed",
        "weight": 50,
        "parent": "party",
        "source": "obligation_rate",
        "full_marks_at": 100,
    },
    {"code": "business", "name": "生产经营", "kind": "scored", "weight": 40},
    {"code": "integrity", "name": "廉洁底线", "kind": "veto"},
]
STAR = {
    "code": "star5",
    "name": "五星党支部",
    "kind": "star",
    "basis": "band",
    "min_score": 95,
    "stars": 5,
}
EVALUATION_PATHS = {
    "/api/v1/schemes/",
    "/api/v1/schemes/{id}/",
    "/api/v1/rounds/",
    "/api/v1/rounds/{id}/",
    "/api/v1/rounds/{id}/compute/",
    "/api/v1/rounds/{id}/publish/",
    "/api/v1/rounds/{id}/close/",
    "/api/v1/rounds/{id}/scores/",
    "/api/v1/rounds/{id}/results/",
    "/api/v1/benchmark-values/",
    "/api/v1/benchmark-values/definitions/",
    "/api/v1/titles/",
    "/api/v1/titles/{id}/",
}


@pytest.fixture(name="schemes")
def schemes_fixture(tree):
    return {
        "s-company": make_scheme(
            tree.company,
            code="s-company",
            name="成效评价",
            groups=(("higher", 70), ("business", 30)),
            indicators=TREE,
            titles=[STAR],
        ),
        "s-county-a": make_scheme(tree.county_a, code="s-county-a"),
        "s-county-b": make_scheme(tree.county_b, code="s-county-b"),
        "s-shipped": make_scheme(None, code="s-shipped", target_kind="member"),
    }


# Schemes are seen at and below their owner (shipped ones everywhere); the list also holds the
# schemes the migrations ship, hence ``exact=False``.
SCHEMES = Scope(
    objects="schemes",
    seen_by=seen_by_persona(VISIBLE, sorted(CODES)),
    detail=["evaluation:scheme_detail", "api:scheme-detail"],
    rows=["api:scheme-list"],
    exact=False,
)

test_schemes_are_read_inside_the_scope_only = persona_matrix(SCHEMES)


def test_a_scheme_carries_its_indicator_tree_groups_and_titles(api, personas, schemes):
    body = login(api, personas.member).get(url("scheme-detail", schemes["s-company"].pk)).json()
    assert body["owner"]["name"] == "市公司党委"
    assert body["target_kind"] == "branch" and body["target_kind_display"] == "党支部"
    indicators = {row["code"]: row for row in body["indicators"]}
    assert [row["code"] for row in body["indicators"]] == [
        "party",
        "meetings",
        "rate",
        "business",
        "integrity",
    ]
    assert indicators["meetings"]["parent"] == "party"
    assert indicators["party"]["parent"] is None
    assert indicators["meetings"]["scored_by"] == ["higher"]
    assert indicators["rate"]["source"] == "obligation_rate"
    assert indicators["rate"]["full_marks_at"] == "100.00"
    assert indicators["business"]["weight"] == "40.00"
    assert {(g["kind"], g["name"], g["weight"]) for g in body["groups"]} == {
        ("higher", "上级党组织", "70.00"),
        ("business", "业务部门", "30.00"),
    }
    assert body["title_rules"][0]["name"] == "五星党支部"
    assert body["title_rules"][0]["stars"] == 5


def test_a_shipped_scheme_has_no_owner(api, personas, schemes):
    body = login(api, personas.county).get(url("scheme-detail", schemes["s-shipped"].pk)).json()
    assert body["owner"] is None


def test_schemes_filter_by_target_kind(api, personas, schemes):
    rows = rows_of(login(api, personas.company).get(url("scheme-list"), {"target_kind": "member"}))
    assert {row["code"] for row in rows} & CODES == {"s-shipped"}
    response = api.get(url("scheme-list"), {"target_kind": "nobody"})
    assert response.status_code == 400
    assert "取值“nobody”无效" in response.json()["target_kind"][0]


def test_schemes_are_read_only(api, personas, schemes):
    login(api, personas.company)
    assert api.post(url("scheme-list"), {"code": "x"}, format="json").status_code == 405
    assert api.delete(url("scheme-detail", schemes["s-county-a"].pk)).status_code == 405


def test_scheme_list_queries_do_not_grow_with_the_schemes(api, personas, tree, schemes):
    login(api, personas.company)
    few = count_queries(api, url("scheme-list"))
    for n in range(6):
        make_scheme(tree.county_a, code=f"more-{n}", indicators=TREE, titles=[STAR])
    assert count_queries(api, url("scheme-list")) == few


def test_every_evaluation_path_is_documented(api_schema):
    assert set(api_schema["paths"]) >= EVALUATION_PATHS
    for path in EVALUATION_PATHS:
        for operation in api_schema["paths"][path].values():
            assert operation["summary"], path
            assert "queryset" not in operation.get("description", ""), path


def test_evaluation_choice_sets_have_their_own_names(api_schema):
    components = api_schema["components"]["schemas"]
    assert components["RoundStateEnum"]["enum"] == ["scoring", "computed", "published", "closed"]
    assert "peers" in components["EvaluatorKindEnum"]["enum"]
    assert "red_flag" in components["TitleKindEnum"]["enum"]
    assert components["BenchmarkDirectionEnum"]["enum"] == ["higher", "lower"]
    # The organization kind keeps its name.
    assert "branch" in components["KindEnum"]["enum"]
