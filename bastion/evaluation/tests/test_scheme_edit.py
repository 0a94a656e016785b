"""Editing schemes: the services validate each row and the rules across rows with Chinese
messages and change nothing on refusal; the pages show those messages; rounds keep their copy."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from bastion.evaluation.models import (
    BenchmarkIndicator,
    EvaluatorGroup,
    Indicator,
    Scheme,
    TitleRule,
)
from bastion.evaluation.services import scheme_edit as services
from bastion.orgs.tests.factories import UserFactory, grant

from .helpers import make_scheme, open_round, simple_scheme

pytestmark = pytest.mark.django_db


@pytest.fixture
def shipped(tree):
    return make_scheme(
        None,
        code="shipped",
        name="内置方案",
        groups=(("higher", 1), ("peers", 1)),
        indicators=[
            {"code": "party", "name": "党建管理", "kind": "group", "weight": 60},
            {
                "code": "meetings",
                "name": "三会一课",
                "kind": "scored",
                "weight": 1,
                "parent": "party",
                "scored_by": ["peers"],
            },
            {"code": "study", "name": "学习教育", "kind": "scored", "weight": 1, "parent": "party"},
            {"code": "business", "name": "生产经营", "kind": "scored", "weight": 40},
        ],
        titles=[
            {
                "code": "five",
                "name": "五星",
                "kind": "star",
                "basis": "band",
                "min_score": 95,
                "stars": 5,
            }
        ],
    )


def indicator_form(**overrides):
    data = {
        "code": "safety",
        "name": "安全生产",
        "kind": "scored",
        "parent": "",
        "weight": "10",
        "max_score": "100",
        "source": "",
        "source_param": "",
        "full_marks_at": "",
        "guidance": "",
        "order": "5",
    }
    data.update(overrides)
    return data


def scheme_form(scheme, **overrides):
    data = {
        "name": scheme.name,
        "description": "",
        "source": "",
        "owner": scheme.owner_id or "",
        "target_kind": scheme.target_kind,
        "period_kind": scheme.period_kind,
        "style": scheme.style,
        "full_score": "100",
        "bonus_cap": "0",
        "deduction_cap": "0",
        "veto_cap": "0",
        "missing_policy": "zero",
        "is_active": "on",
    }
    data.update(overrides)
    return data


def errors_of(response) -> str:
    assert response.status_code == 200  # re-rendered, not saved
    return response.content.decode()


# --- the scheme ---------------------------------------------------------------------------


def test_the_company_edits_a_shipped_scheme_through_the_page(client, personas, shipped):
    client.force_login(personas.company)
    url = reverse("evaluation:scheme_edit", args=[shipped.pk])
    response = client.post(url, scheme_form(shipped, name="新名称", full_score="120"))
    assert response.status_code == 302
    shipped.refresh_from_db()
    assert (shipped.name, shipped.full_score, shipped.owner) == ("新名称", Decimal(120), None)


def test_a_county_cannot_post_to_a_shipped_scheme(client, personas, shipped):
    client.force_login(personas.county)
    url = reverse("evaluation:scheme_edit", args=[shipped.pk])
    assert client.post(url, scheme_form(shipped, name="改名")).status_code == 404
    shipped.refresh_from_db()
    assert shipped.name == "内置方案"
    with pytest.raises(PermissionDenied):
        services.scheme_update(actor=personas.county, scheme=shipped, name="改名")


def test_a_department_below_the_root_owns_schemes_of_its_county_only(client, tree, shipped):
    clerk = UserFactory(username="county_department")
    grant(clerk, "party_department", tree.county_a)
    client.force_login(clerk)
    assert client.get(reverse("evaluation:scheme_edit", args=[shipped.pk])).status_code == 404
    data = scheme_form(shipped, owner="")
    data["code"] = "county-a"
    text = errors_of(client.post(reverse("evaluation:scheme_create"), data))
    assert "这个字段是必填项" in text or "必填" in text
    assert not Scheme.objects.filter(code="county-a").exists()
    with pytest.raises(ValidationError) as caught:
        services.scheme_create(actor=clerk, **{**_fields(shipped), "code": "x", "owner": None})
    assert "只有公司党建工作部可以制定全公司通用的方案" in str(caught.value)
    data["owner"] = tree.county_a.pk
    assert client.post(reverse("evaluation:scheme_create"), data).status_code == 302
    created = Scheme.objects.get(code="county-a")
    assert created.owner == tree.county_a
    assert client.get(reverse("evaluation:scheme_edit", args=[created.pk])).status_code == 200


def _fields(scheme) -> dict:
    return {name: getattr(scheme, name) for name in services.SCHEME_FIELDS if name != "code"}


def test_a_scheme_code_is_unique_and_fixed(personas, shipped):
    with pytest.raises(ValidationError) as caught:
        services.scheme_create(actor=personas.company, **{**_fields(shipped), "code": "shipped"})
    assert "方案代码“shipped”已被使用" in str(caught.value)
    with pytest.raises(ValidationError):
        services.scheme_update(actor=personas.company, scheme=shipped, code="other")


def test_a_negative_cap_or_zero_full_score_is_refused(client, personas, shipped):
    client.force_login(personas.company)
    url = reverse("evaluation:scheme_edit", args=[shipped.pk])
    text = errors_of(client.post(url, scheme_form(shipped, full_score="0", bonus_cap="-1")))
    assert "满分必须大于 0。" in text and "“加分上限”不能小于 0。" in text
    shipped.refresh_from_db()
    assert shipped.full_score == Decimal(100)


def test_a_round_already_open_keeps_the_version_it_opened_with(tree, personas):
    scheme = simple_scheme(tree.company)
    round_ = open_round(personas.company, scheme, tree.company)
    party = scheme.indicators.get(code="party")
    services.indicator_save(actor=personas.company, scheme=scheme, indicator=party, weight=90)
    services.scheme_update(actor=personas.company, scheme=scheme, full_score=Decimal(200))
    round_.refresh_from_db()
    assert Decimal(round_.snapshot["full_score"]) == 100
    party_then = next(i for i in round_.snapshot["indicators"] if i["code"] == "party")
    assert Decimal(party_then["weight"]) == 60


# --- indicators ---------------------------------------------------------------------------


def add_indicator(client, scheme, **overrides):
    return client.post(
        reverse("evaluation:indicator_add", args=[scheme.pk]), indicator_form(**overrides)
    )


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"weight": "0"}, "评分项、数据项和指标分组的权重必须大于 0。"),
        ({"weight": "-5", "kind": "group"}, "评分项、数据项和指标分组的权重必须大于 0。"),
        ({"kind": "computed"}, "数据项必须选择数据来源。"),
        (
            {"kind": "computed", "source": "benchmark", "source_param": "no-such"},
            "对标指标代码“no-such”不存在。",
        ),
        (
            {"kind": "computed", "source": "scheme_result", "source_param": "shipped"},
            "不能引用本方案自己的考评结果。",
        ),
        (
            {"kind": "computed", "source": "scheme_result", "source_param": "nothing"},
            "方案代码“nothing”不存在。",
        ),
        ({"kind": "computed", "source": "points", "source_param": "gold"}, "积分类别“gold”不存在"),
        (
            {"kind": "computed", "source": "task_rate", "source_param": "x"},
            "该数据来源不需要数据参数",
        ),
        ({"source_param": "x"}, "请先选择数据来源，或清空数据参数。"),
        ({"kind": "bonus", "source": "task_rate"}, "只有数据项才有数据来源。"),
        ({"code": "meetings"}, "指标代码“meetings”已在本方案中使用。"),
        ({"max_score": "0"}, "最高分必须大于 0。"),
    ],
)
def test_a_bad_indicator_is_refused_with_a_chinese_message(
    client, personas, shipped, overrides, message
):
    client.force_login(personas.company)
    before = Indicator.objects.count()
    text = errors_of(add_indicator(client, shipped, **overrides))
    assert message in text
    assert Indicator.objects.count() == before


def test_a_parent_that_is_not_a_group_of_this_scheme_is_refused(client, tree, personas, shipped):
    client.force_login(personas.company)
    scored = shipped.indicators.get(code="business")
    text = errors_of(add_indicator(client, shipped, parent=str(scored.pk)))
    assert "上级指标必须是本方案的指标分组，请重新选择。" in text
    other = make_scheme(
        tree.company,
        code="other",
        indicators=[{"code": "g", "name": "分组", "kind": "group", "weight": 1}],
    )
    foreign = other.indicators.get()
    with pytest.raises(ValidationError) as caught:
        services.indicator_save(actor=personas.company, scheme=shipped, **_item(parent=foreign))
    assert "上级指标必须是本方案的指标分组。" in str(caught.value)
    with pytest.raises(ValidationError) as caught:
        services.indicator_save(actor=personas.company, scheme=shipped, **_item(parent=scored))
    assert "上级指标必须是指标分组。" in str(caught.value)
    assert not shipped.indicators.filter(code="safety").exists()


def test_a_group_cannot_move_below_itself(personas, shipped):
    outer = shipped.indicators.get(code="party")
    inner = services.indicator_save(
        actor=personas.company, scheme=shipped, **_item(code="inner", kind="group", parent=outer)
    )
    with pytest.raises(ValidationError) as caught:
        services.indicator_save(
            actor=personas.company, scheme=shipped, indicator=outer, parent=inner
        )
    assert "上级指标不能是该指标本身或其下级。" in str(caught.value)
    outer.refresh_from_db()
    assert outer.parent_id is None


def _item(**overrides) -> dict:
    data = {
        "code": "safety",
        "name": "安全生产",
        "kind": "scored",
        "parent": None,
        "weight": Decimal(10),
        "max_score": Decimal(100),
        "source": "",
        "source_param": "",
        "full_marks_at": None,
        "scored_by": [],
        "guidance": "",
        "order": 0,
    }
    data.update(overrides)
    return data


def test_a_good_indicator_is_saved_with_a_known_benchmark_and_its_groups(client, personas, shipped):
    BenchmarkIndicator.objects.create(code="test-rate", name="测试对标指标", direction="higher")
    client.force_login(personas.company)
    party = shipped.indicators.get(code="party")
    response = add_indicator(
        client,
        shipped,
        kind="computed",
        source="benchmark",
        source_param="test-rate",
        parent=str(party.pk),
    )
    assert response.status_code == 302
    saved = shipped.indicators.get(code="safety")
    assert (saved.parent, saved.source_param, saved.scored_by) == (party, "test-rate", [])
    response = add_indicator(client, shipped, code="rate", scored_by=["peers"])
    assert shipped.indicators.get(code="rate").scored_by == ["peers"]
    text = client.get(reverse("evaluation:scheme_detail", args=[shipped.pk])).content.decode()
    assert "同业对标指标排名：测试对标指标" in text


def test_scored_by_must_name_a_group_of_the_scheme(personas, shipped):
    with pytest.raises(ValidationError) as caught:
        services.indicator_save(
            actor=personas.company, scheme=shipped, **_item(scored_by=["business"])
        )
    assert "本方案没有评价主体：业务部门。" in str(caught.value)


def test_deleting_a_group_asks_first_and_takes_its_children(client, personas, shipped):
    client.force_login(personas.company)
    party = shipped.indicators.get(code="party")
    url = reverse("evaluation:indicator_delete", args=[shipped.pk, party.pk])
    text = client.get(url).content.decode()
    assert "其下的 2 项指标将一并删除" in text and "三会一课" in text
    assert Indicator.objects.filter(scheme=shipped).count() == 4
    response = client.post(url, follow=True)
    assert "共 3 项" in response.content.decode()
    assert list(shipped.indicators.values_list("code", flat=True)) == ["business"]


def test_an_indicator_a_title_depends_on_is_not_deleted(personas, shipped):
    business = shipped.indicators.get(code="business")
    TitleRule.objects.create(
        scheme=shipped,
        code="biz",
        name="业绩之星",
        kind="honour",
        basis="band",
        min_score=90,
        indicator_code="business",
    )
    with pytest.raises(ValidationError) as caught:
        services.indicator_delete(actor=personas.company, indicator=business)
    assert "称号规则“业绩之星”按该指标授予" in str(caught.value)
    assert Indicator.objects.filter(pk=business.pk).exists()
    services.indicator_save(
        actor=personas.company, scheme=shipped, indicator=business, code="results"
    )
    assert TitleRule.objects.get(code="biz").indicator_code == "results"


def test_a_county_cannot_touch_a_shipped_schemes_indicators(personas, shipped):
    party = shipped.indicators.get(code="party")
    with pytest.raises(PermissionDenied):
        services.indicator_save(actor=personas.county, scheme=shipped, **_item())
    with pytest.raises(PermissionDenied):
        services.indicator_delete(actor=personas.county, indicator=party)
    assert Indicator.objects.filter(scheme=shipped).count() == 4


# --- evaluator groups ---------------------------------------------------------------------


def group_form(**rows):
    data = {}
    for kind, weight in rows.items():
        data[f"use_{kind}"] = "on"
        data[f"weight_{kind}"] = weight
    return data


def test_groups_are_edited_on_one_form(client, personas, shipped):
    client.force_login(personas.company)
    url = reverse("evaluation:group_edit", args=[shipped.pk])
    response = client.post(url, group_form(higher="3", peers="1", business="2"))
    assert response.status_code == 302
    weights = dict(EvaluatorGroup.objects.filter(scheme=shipped).values_list("kind", "weight"))
    assert weights == {"higher": Decimal(3), "peers": Decimal(1), "business": Decimal(2)}


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ({"higher": "0", "peers": "1"}, "“上级党组织”的权重必须大于 0。"),
        ({"higher": "", "peers": "1"}, "请填写“上级党组织”的权重。"),
        ({"higher": "1"}, "指标“三会一课”指定由“互评”评价"),
        ({}, "本方案有评分项，至少需要一个评价主体。"),
    ],
)
def test_bad_groups_are_refused_and_nothing_changes(client, personas, shipped, rows, message):
    client.force_login(personas.company)
    url = reverse("evaluation:group_edit", args=[shipped.pk])
    text = errors_of(client.post(url, group_form(**rows)))
    assert message in text
    assert set(shipped.groups.values_list("kind", flat=True)) == {"higher", "peers"}


# --- title rules --------------------------------------------------------------------------


def title_form(**overrides):
    data = {
        "code": "flag",
        "name": "流动红旗",
        "kind": "red_flag",
        "basis": "top",
        "count": "1",
        "within": "round",
        "indicator_code": "",
        "min_score": "",
        "max_score": "",
        "stars": "",
        "lift_score": "",
        "source": "",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"basis": "band"}, "按分数段授予的称号必须填写最低分。"),
        ({"count": ""}, "按名次授予的称号必须填写名额。"),
        ({"kind": "star", "basis": "band", "min_score": "90"}, "星级称号必须填写星级"),
        ({"basis": "all_of"}, "请填写需同时获得的称号代码。"),
        ({"code": "five"}, "称号代码“five”已在本方案中使用。"),
    ],
)
def test_a_bad_title_rule_is_refused(client, personas, shipped, overrides, message):
    client.force_login(personas.company)
    url = reverse("evaluation:title_add", args=[shipped.pk])
    text = errors_of(client.post(url, title_form(**overrides)))
    assert message in text
    assert shipped.title_rules.count() == 1


def test_title_rules_are_added_and_a_required_one_is_not_deleted(client, personas, shipped):
    client.force_login(personas.company)
    url = reverse("evaluation:title_add", args=[shipped.pk])
    assert client.post(url, title_form()).status_code == 302
    both = title_form(
        code="both", name="双优", kind="honour", basis="all_of", count="", requires=["five", "flag"]
    )
    assert client.post(url, both).status_code == 302
    assert TitleRule.objects.get(code="both").requires == ["five", "flag"]
    flag = TitleRule.objects.get(code="flag")
    delete = reverse("evaluation:title_delete", args=[shipped.pk, flag.pk])
    text = client.post(delete).content.decode()
    assert "称号“双优”要求同时获得该称号" in text
    assert TitleRule.objects.filter(pk=flag.pk).exists()
    both_rule = TitleRule.objects.get(code="both")
    response = client.post(reverse("evaluation:title_delete", args=[shipped.pk, both_rule.pk]))
    assert response.status_code == 302
    assert client.post(delete).status_code == 302
    assert list(shipped.title_rules.values_list("code", flat=True)) == ["five"]


def test_a_title_on_an_unknown_indicator_is_refused(personas, shipped):
    with pytest.raises(ValidationError) as caught:
        services.title_rule_save(
            actor=personas.company,
            scheme=shipped,
            code="x",
            name="x",
            kind="honour",
            basis="band",
            min_score=Decimal(90),
            indicator_code="nothing",
        )
    assert "本方案没有代码为“nothing”的指标。" in str(caught.value)
