"""Scheme pages: who sees which scheme, who may edit, what the detail page explains, and the
list's query count at two sizes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bastion.core.testing import PERSONAS

from .helpers import make_scheme, open_round

pytestmark = pytest.mark.django_db

TREE = [
    {"code": "party", "name": "党建管理", "kind": "group", "weight": 60},
    {
        "code": "meetings",
        "name": "三会一课",
        "kind": "scored",
        "weight": 1,
        "parent": "party",
        "scored_by": ["higher"],
        "guidance": "按次数打分",
    },
    {
        "code": "obligations",
        "name": "应办事项完成率",
        "kind": "computed",
        "weight": 3,
        "parent": "party",
        "source": "obligation_rate",
        "full_marks_at": 100,
    },
    {"code": "business", "name": "生产经营业绩", "kind": "scored", "weight": 40},
    {"code": "bonus", "name": "创新加分", "kind": "bonus", "max_score": 5},
    {"code": "integrity", "name": "廉洁底线", "kind": "veto"},
]
TITLES = [
    {
        "code": "five",
        "name": "五星党支部",
        "kind": "star",
        "basis": "band",
        "min_score": 95,
        "stars": 5,
    },
    {
        "code": "flag",
        "name": "流动红旗",
        "kind": "red_flag",
        "basis": "top",
        "count": 1,
        "within": "parent",
    },
    {
        "code": "watch",
        "name": "不放心支部",
        "kind": "watch",
        "basis": "bottom",
        "count": 2,
        "max_score": 70,
        "lift_score": 75,
    },
    {
        "code": "party-a",
        "name": "党建A",
        "kind": "honour",
        "basis": "band",
        "min_score": 90,
        "indicator_code": "party",
    },
]


@pytest.fixture
def schemes(tree):
    shipped = make_scheme(
        None,
        code="shipped",
        name="全公司内置方案",
        indicators=TREE,
        titles=TITLES,
        groups=(("higher", 2), ("peers", 1)),
    )
    county_b = make_scheme(tree.county_b, code="county-b", name="B县自定方案")
    return {"shipped": shipped, "county_b": county_b}


def detail(scheme):
    return reverse("evaluation:scheme_detail", args=[scheme.pk])


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_role_holder_reads_the_schemes_and_the_outsider_gets_404(
    client, personas, schemes, persona
):
    client.force_login(getattr(personas, persona))
    response = client.get(reverse("evaluation:scheme_list"))
    if persona == "outsider":
        assert response.status_code == 404
        assert client.get(detail(schemes["shipped"])).status_code == 404
        return
    assert response.status_code == 200
    text = response.content.decode()
    assert "全公司内置方案" in text and "全公司通用" in text
    assert (reverse("evaluation:scheme_create") in text) == (persona == "company")
    assert client.get(detail(schemes["shipped"])).status_code == 200


@pytest.mark.parametrize(
    ("persona", "sees"),
    [("company", True), ("county", False), ("secretary_a", False), ("secretary_b", True)],
)
def test_a_county_scheme_is_seen_within_and_below_its_owner_only(
    client, personas, schemes, persona, sees
):
    client.force_login(getattr(personas, persona))
    assert client.get(detail(schemes["county_b"])).status_code == (200 if sees else 404)
    listed = "B县自定方案" in client.get(reverse("evaluation:scheme_list")).content.decode()
    assert listed == sees


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_company_edits_a_shipped_scheme(client, personas, schemes, persona):
    client.force_login(getattr(personas, persona))
    scheme = schemes["shipped"]
    expected = 200 if persona == "company" else 404
    pages = [
        reverse("evaluation:scheme_edit", args=[scheme.pk]),
        reverse("evaluation:indicator_add", args=[scheme.pk]),
        reverse("evaluation:group_edit", args=[scheme.pk]),
        reverse("evaluation:title_add", args=[scheme.pk]),
        reverse("evaluation:indicator_edit", args=[scheme.pk, scheme.indicators.first().pk]),
        reverse("evaluation:title_edit", args=[scheme.pk, scheme.title_rules.first().pk]),
    ]
    for url in pages:
        assert client.get(url).status_code == expected, url
    text = client.get(detail(scheme)).content.decode() if persona != "outsider" else ""
    assert ('data-testid="edit-scheme"' in text) == (persona == "company")
    create = client.get(reverse("evaluation:scheme_create")).status_code
    assert create == (200 if persona == "company" else 404)


def test_the_detail_page_shows_each_nodes_share_of_the_full_score(client, personas, schemes):
    client.force_login(personas.member)
    text = client.get(detail(schemes["shipped"])).content.decode()
    # 党建管理 60 of 100, shared 1 : 3 between its two items; 生产经营 40.
    for code, share in (
        ("party", "60.00"),
        ("meetings", "15.00"),
        ("obligations", "45.00"),
        ("business", "40.00"),
    ):
        assert f'data-testid="share-{code}">{share}<' in text
    assert 'data-testid="share-bonus">+5<' in text
    assert "按次数打分" in text and "组织生活应办事项完成率" in text
    assert "达到 100 得满分" in text
    assert "上级党组织" in text and "66.67%" in text  # higher 2 of 3


def test_title_rules_are_explained_in_words(client, personas, schemes):
    client.force_login(personas.county)
    text = client.get(detail(schemes["shipped"])).content.decode()
    assert "总分≥95" in text
    assert "“党建管理”得分率≥90%" in text
    assert "同一上级组织内第1名" in text
    assert "后2名且低于70分，达到75分摘牌" in text
    assert "★★★★★" in text


def test_the_detail_lists_the_rounds_of_the_scheme(client, tree, personas, schemes):
    round_ = open_round(personas.company, schemes["shipped"], tree.company)
    client.force_login(personas.company)
    text = client.get(detail(schemes["shipped"])).content.decode()
    assert reverse("evaluation:round_detail", args=[round_.pk]) in text
    assert round_.name in text


def test_the_edit_pages_say_that_open_rounds_keep_their_version(client, personas, schemes):
    client.force_login(personas.company)
    for name in ("scheme_edit", "indicator_add", "group_edit", "title_add"):
        text = client.get(reverse(f"evaluation:{name}", args=[schemes["shipped"].pk]))
        assert "已开启的考评轮次保留开启时的方案版本" in text.content.decode()


def test_the_list_costs_the_same_queries_for_few_and_many_schemes(client, tree, personas):
    client.force_login(personas.county)
    url = reverse("evaluation:scheme_list")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    make_scheme(None, code="s0", indicators=TREE[:1])
    make_scheme(tree.company, code="s1")
    few = count()
    for n in range(2, 14):
        make_scheme(tree.county_a if n % 2 else None, code=f"s{n}", indicators=TREE[:1])
    assert count() == few


def test_the_detail_costs_the_same_queries_for_a_small_and_a_large_tree(client, personas):
    client.force_login(personas.company)
    small = make_scheme(None, code="small", indicators=TREE, titles=TITLES)
    items = [{"code": f"g{n}", "name": f"分组{n}", "kind": "group", "weight": 1} for n in range(8)]
    items += [
        {"code": f"i{n}", "name": f"指标{n}", "kind": "scored", "weight": 1, "parent": f"g{n % 8}"}
        for n in range(40)
    ]
    large = make_scheme(None, code="large", indicators=items + TREE, titles=TITLES)

    def count(scheme) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(detail(scheme)).status_code == 200
        return len(queries)

    assert count(small) == count(large)


def test_every_seeded_scheme_renders_for_a_member(client, personas):
    from bastion.evaluation.models import Scheme

    client.force_login(personas.member)
    seeded = list(Scheme.objects.filter(owner__isnull=True))
    assert seeded  # shipped by the migrations
    for scheme in seeded:
        response = client.get(detail(scheme))
        assert response.status_code == 200, scheme.code
        assert "尚未设置指标" not in response.content.decode(), scheme.code
