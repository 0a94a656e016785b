"""The shipped schemes, benchmark indicators, map bands and points handbook the migration seeds."""

import importlib
from decimal import Decimal

import pytest
from django.apps import apps as global_apps

from bastion.evaluation import engine, seed_data
from bastion.evaluation.models import (
    BenchmarkIndicator,
    DataSource,
    EvaluatorKind,
    Indicator,
    IndicatorKind,
    MapBand,
    PointsCategory,
    PointsItem,
    Scheme,
    TitleKind,
)
from bastion.evaluation.selectors_schemes import scheme_snapshot

pytestmark = pytest.mark.django_db

SHIPPED = [
    "compliance",
    "four_factor",
    "five_star",
    "star_member",
    "three_bright",
    "model_post",
    "arena",
    "bastion_index",
    "vanguard_index",
    "first_secretary",
]
WEIGHTED = {IndicatorKind.SCORED, IndicatorKind.COMPUTED, IndicatorKind.GROUP}


def test_every_shipped_scheme_is_seeded_for_the_whole_company():
    schemes = Scheme.objects.filter(code__in=SHIPPED)
    assert sorted(s.code for s in schemes) == sorted(SHIPPED)
    for scheme in schemes:
        assert scheme.owner_id is None and scheme.is_active
        assert scheme.description and scheme.source
        assert scheme.groups.exists(), scheme.code
        assert scheme.indicators.exists(), scheme.code
        assert scheme.title_rules.exists(), scheme.code


def test_the_seed_codes_are_the_shipped_codes():
    assert seed_data.SCHEME_CODES == SHIPPED


def test_every_row_names_its_seed_document():
    for model in (BenchmarkIndicator, MapBand, PointsItem):
        assert not model.objects.filter(source="").exists(), model
    for scheme in Scheme.objects.filter(code__in=SHIPPED).prefetch_related("title_rules"):
        assert all(rule.source for rule in scheme.title_rules.all()), scheme.code


def test_six_benchmark_indicators_of_s1_per_station():
    rows = list(BenchmarkIndicator.objects.values_list("code", "name", "unit", "direction"))
    assert rows == [
        ("fee_recovery", "电费回收率", "%", "higher"),
        ("data_collection", "全量数据采集质量", "%", "higher"),
        ("line_loss", "同期线损达标率", "%", "higher"),
        ("customer_demand", "客户诉求管控水平", "分", "higher"),
        ("distribution_om", "配网运检管理指数", "分", "higher"),
        ("reliability", "供电可靠性管理指数", "分", "higher"),
    ]


def test_five_map_bands_from_green_to_red():
    rows = list(MapBand.objects.values_list("colour", "min_score"))
    assert rows == [
        ("#2fb344", Decimal(85)),
        ("#206bc4", Decimal(70)),
        ("#f59f00", Decimal(55)),
        ("#f76707", Decimal(40)),
        ("#d63939", Decimal(0)),
    ]


def test_points_handbook_covers_plan_to_result_safety_and_deductions():
    items = PointsItem.objects.all()
    assert items.count() == 14
    assert {item.category for item in items} == {
        "plan",
        "execution",
        "result",
        "safety",
        "deduction",
    }
    assert PointsItem.objects.get(code="area_breakthrough").points == Decimal(10)
    assert PointsItem.objects.get(code="violation").points == Decimal(-10)
    assert all(item.points < 0 for item in items.filter(category="deduction"))
    assert items.filter(evidence_required=True).exists()


@pytest.mark.parametrize("code", SHIPPED)
def test_every_row_is_valid_with_positive_weights_and_known_codes(code):
    scheme = Scheme.objects.get(code=code)
    indicators = list(scheme.indicators.all())
    for item in indicators:
        item.full_clean()  # the model's own rules (sources, weights, parents)
        if item.kind in WEIGHTED:
            assert item.weight > 0, item.code
        if item.kind == IndicatorKind.GROUP:
            assert any(child.parent_id == item.pk for child in indicators), item.code
    for group in scheme.groups.all():
        group.full_clean()
        assert group.weight > 0
    scheme.full_clean()
    codes = {item.code for item in indicators}
    rules = list(scheme.title_rules.all())
    for rule in rules:
        rule.full_clean()
        assert not rule.indicator_code or rule.indicator_code in codes, rule.code
        assert set(rule.requires) <= {other.code for other in rules if other != rule}


@pytest.mark.parametrize("code", SHIPPED)
def test_scored_items_name_groups_of_their_scheme(code):
    scheme = Scheme.objects.get(code=code)
    kinds = set(scheme.groups.values_list("kind", flat=True))
    assert kinds <= set(EvaluatorKind.values)
    for item in scheme.indicators.all():
        assert set(item.scored_by) <= kinds, item.code


def test_computed_indicators_read_valid_sources():
    benchmarks = set(BenchmarkIndicator.objects.values_list("code", flat=True))
    schemes = set(Scheme.objects.values_list("code", flat=True))
    computed = Indicator.objects.filter(kind=IndicatorKind.COMPUTED, scheme__code__in=SHIPPED)
    assert computed.exists()
    for item in computed:
        assert item.source in DataSource.values, item.code
        if item.source == DataSource.BENCHMARK:
            assert item.source_param in benchmarks, item.code
        if item.source == DataSource.SCHEME_RESULT:
            assert item.source_param in schemes and item.source_param != item.scheme.code
        if item.source == DataSource.POINTS and item.source_param:
            assert item.source_param in PointsCategory.values, item.code


def test_four_factor_reads_all_six_benchmarks_under_business():
    scheme = Scheme.objects.get(code="four_factor")
    business = scheme.indicators.get(code="business")
    params = set(business.children.values_list("source_param", flat=True))
    assert params == set(seed_data.BENCHMARK_CODES)
    assert {g.kind: g.weight for g in scheme.groups.all()} == {
        "higher": Decimal("0.6"),
        "business": Decimal("0.4"),
    }
    party = scheme.indicators.get(code="party")
    assert {c.code: c.weight for c in party.children.all()} == {
        "obligation_rate": 25,
        "task_rate": 10,
        "rectification_rate": 15,
    }
    assert scheme.indicators.get(code="integrity").kind == IndicatorKind.VETO
    assert scheme.indicators.get(code="safety").max_score == 20


def test_four_factor_titles_red_flag_watch_and_double_a():
    rules = {r.code: r for r in Scheme.objects.get(code="four_factor").title_rules.all()}
    assert set(rules) == {"red_flag", "watch", "party_a", "business_a", "double_a"}
    flag, watch = rules["red_flag"], rules["watch"]
    assert (flag.kind, flag.basis, flag.count, flag.within, flag.min_score) == (
        TitleKind.RED_FLAG,
        "top",
        1,
        "parent",
        Decimal(80),
    )
    assert (watch.kind, watch.basis, watch.count, watch.max_score, watch.lift_score) == (
        TitleKind.WATCH,
        "bottom",
        2,
        Decimal(70),
        Decimal(75),
    )
    assert (rules["party_a"].indicator_code, rules["business_a"].indicator_code) == (
        "party",
        "business",
    )
    assert rules["double_a"].requires == ["party_a", "business_a"]


def test_star_bands_of_five_star_and_star_member():
    for code, noun in (("five_star", "党支部"), ("star_member", "党员")):
        rules = Scheme.objects.get(code=code).title_rules.order_by("-min_score")
        assert [(r.code, r.stars, r.min_score) for r in rules] == [
            ("star5", 5, 95),
            ("star4", 4, 90),
            ("star3", 3, 80),
            ("star2", 2, 70),
            ("star1", 1, 60),
        ]
        assert rules[0].name == "五星" + noun


def test_arena_is_a_peer_contest_on_four_dimensions_with_a_champion():
    scheme = Scheme.objects.get(code="arena")
    assert (scheme.style, scheme.target_kind, scheme.period_kind) == ("arena", "member", "quarter")
    assert list(scheme.groups.values_list("kind", flat=True)) == ["peers"]
    rows = list(scheme.indicators.values_list("code", "max_score", "weight"))
    assert rows == [(code, 10, 25) for code in ("political", "skill", "public", "performance")]
    champion = scheme.title_rules.get()
    assert (champion.kind, champion.basis, champion.count, champion.within) == (
        "champion",
        "top",
        1,
        "parent",
    )


@pytest.mark.parametrize("code", SHIPPED)
def test_snapshot_converts_and_evaluates_on_empty_input(code):
    snapshot = scheme_snapshot(Scheme.objects.get(code=code))
    spec = engine.SchemeSpec.from_snapshot(snapshot)
    outcome = engine.evaluate(spec, {}, {})
    assert outcome.total == Decimal("0.00")
    assert not outcome.vetoed


def test_four_factor_full_marks_evaluate_to_the_full_score():
    spec = engine.SchemeSpec.from_snapshot(scheme_snapshot(Scheme.objects.get(code="four_factor")))
    data = {
        item.code: (Decimal(100), Decimal(1)) for item in spec.indicators if item.kind == "computed"
    }
    outcome = engine.evaluate(spec, {}, data)
    assert outcome.total == Decimal("100.00")
    assert outcome.contributions["party"]["percent"] == "100.00"
    # 安全底线 scored 5 by the committee: 100 − 5
    outcome = engine.evaluate(spec, {"safety": {"higher": Decimal(5)}}, data)
    assert outcome.total == Decimal("95.00")


def test_the_migration_reverses_and_reapplies():
    migration = importlib.import_module("bastion.evaluation.migrations.0003_seed_schemes")
    migration.unseed(global_apps, None)
    assert not Scheme.objects.filter(code__in=SHIPPED).exists()
    assert not BenchmarkIndicator.objects.exists()
    assert not MapBand.objects.exists()
    assert not PointsItem.objects.exists()
    migration.seed(global_apps, None)
    assert Scheme.objects.filter(code__in=SHIPPED).count() == len(SHIPPED)
    assert BenchmarkIndicator.objects.count() == 6
