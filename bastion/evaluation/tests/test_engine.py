"""The scoring formula on plain specs (no database): every expected number is worked out by hand
in the comment above its assertion."""

from decimal import Decimal as D

from bastion.evaluation.engine import (
    IndicatorSpec,
    SchemeSpec,
    competition_ranks,
    evaluate,
    rank_ratio,
    rate_ratio,
)


def item(code, weight=1, *, kind="scored", max_score=100, parent=None, **fields):
    return IndicatorSpec(
        code=code,
        name=code,
        kind=kind,
        weight=D(str(weight)),
        max_score=D(str(max_score)),
        parent=parent,
        **fields,
    )


def scheme(*indicators, groups=None, missing_policy="zero", **caps):
    return SchemeSpec(
        indicators=indicators,
        groups={kind: D(str(w)) for kind, w in (groups or {"higher": 1}).items()},
        missing_policy=missing_policy,
        **{name: D(str(value)) for name, value in caps.items()},
    )


def by_higher(**values):
    """Manual means of the one group ``higher``: {code: {"higher": value}}."""
    return {code: {"higher": D(str(value))} for code, value in values.items()}


# --- weights ---------------------------------------------------------------------------------


def test_weights_are_shared_down_the_tree():
    spec = scheme(
        item("A", 60, kind="group"),
        item("a1", 1, parent="A"),
        item("a2", 3, parent="A"),
        item("B", 40),
    )
    outcome = evaluate(spec, by_higher(a1=80, a2=60, B=50), {})
    # A's share 60 splits 1:3 → a1 15, a2 45. a1 15×0.8 = 12, a2 45×0.6 = 27, B 40×0.5 = 20.
    assert outcome.total == D("59.00")
    assert outcome.contributions["A"] == {
        "raw": None,
        "ratio": None,
        "points": "39.00",
        "share": "60.00",
        "percent": "65.00",
        "missing": False,
    }
    assert outcome.contributions["a2"]["share"] == "45.00"
    assert outcome.contributions["a2"]["points"] == "27.00"
    assert outcome.missing == 0


def test_nested_groups_share_their_share_again():
    spec = scheme(
        item("P", 3, kind="group"),
        item("P1", 1, kind="group", parent="P"),
        item("x", 1, parent="P1"),
        item("y", 1, parent="P1"),
        item("p", 2, parent="P"),
        item("Q", 1),
    )
    outcome = evaluate(spec, by_higher(x=100, y=0, p=90, Q=40), {})
    # P 75, Q 25; P1 25, p 50; x 12.5, y 12.5.
    # x 12.5 + y 0 + p 50×0.9 = 45 + Q 25×0.4 = 10 → 67.5.
    assert outcome.total == D("67.50")
    assert outcome.contributions["P1"]["percent"] == "50.00"  # 12.5 of 25
    assert outcome.contributions["P"]["percent"] == "76.67"  # 57.5 of 75 = 76.666…
    assert outcome.contributions["x"]["share"] == "12.50"


def test_a_full_score_other_than_100_is_shared_the_same_way():
    spec = SchemeSpec(
        indicators=(item("a", 1), item("b", 1)), groups={"higher": D(1)}, full_score=D(10)
    )
    # a 5×0.8 = 4, b 5×0.5 = 2.5
    assert evaluate(spec, by_higher(a=80, b=50), {}).total == D("6.50")


# --- evaluator groups ----------------------------------------------------------------------


def test_group_weights_combine_the_evaluator_means():
    spec = scheme(item("x", 1), item("y", 1), groups={"higher": "0.6", "peers": "0.4"})
    manual = {"x": {"higher": D(90), "peers": D(80)}, "y": {"higher": D(70)}}
    outcome = evaluate(spec, manual, {})
    # x: 0.6×90 + 0.4×80 = 86. y: peers did not score, so higher's 70 counts alone (0.6 / 0.6).
    # 50×0.86 + 50×0.70 = 43 + 35 = 78.
    assert outcome.contributions["x"]["raw"] == "86.00"
    assert outcome.contributions["y"]["raw"] == "70.00"
    assert outcome.total == D("78.00")
    assert outcome.missing == 0


def test_scored_by_limits_the_groups_that_count():
    spec = scheme(item("z", 1, scored_by=("higher",)), groups={"higher": 1, "peers": 1})
    outcome = evaluate(spec, {"z": {"higher": D(60), "peers": D(100)}}, {})
    # peers' 100 is not counted: z = 60 → 100×0.6
    assert outcome.total == D("60.00")


def test_a_group_the_scheme_does_not_have_is_ignored():
    spec = scheme(item("z", 1))
    # only "higher" exists; "public" is not a group of this scheme → z has no value → missing
    outcome = evaluate(spec, {"z": {"public": D(100)}}, {})
    assert (outcome.total, outcome.missing) == (D("0.00"), 1)


def test_the_ratio_is_clamped_between_zero_and_the_maximum():
    spec = scheme(item("a", 1, max_score=10), item("b", 1, max_score=10))
    outcome = evaluate(spec, by_higher(a=12, b=-3), {})
    # a 12 of 10 → ratio 1 → 50; b −3 → ratio 0 → 0
    assert outcome.total == D("50.00")
    assert outcome.contributions["a"]["ratio"] == "1.0000"
    assert outcome.contributions["b"]["ratio"] == "0.0000"
    assert outcome.contributions["a"]["raw"] == "12.00"


# --- computed items -------------------------------------------------------------------------


def test_computed_items_earn_their_share_times_the_data_ratio():
    spec = scheme(item("c", 40, kind="computed", source="obligation_rate"), item("s", 60))
    outcome = evaluate(spec, by_higher(s=100), {"c": (D(95), D("0.95"))})
    # c 40×0.95 = 38, s 60×1 = 60
    assert outcome.total == D("98.00")
    assert outcome.contributions["c"]["raw"] == "95.00"
    assert outcome.contributions["c"]["ratio"] == "0.9500"


def test_a_computed_item_without_data_is_missing():
    spec = scheme(item("c", 40, kind="computed", source="benchmark"), item("s", 60))
    outcome = evaluate(spec, by_higher(s=100), {"c": None})
    # zero policy: c earns nothing → 60
    assert (outcome.total, outcome.missing) == (D("60.00"), 1)
    assert outcome.contributions["c"]["missing"] is True


# --- bonus, deduction, veto ---------------------------------------------------------------


def bonus_scheme(bonus_cap):
    return scheme(
        item("base", 1),
        item("b1", kind="bonus", max_score=5),
        item("b2", kind="bonus", max_score=3),
        bonus_cap=bonus_cap,
    )


def test_bonus_is_capped_per_item_and_by_the_scheme_cap():
    manual = by_higher(base=50, b1=8, b2=2)
    # b1 8 → its own cap 5; b2 2; together 7 → the scheme cap 6. 50 + 6.
    outcome = evaluate(bonus_scheme(6), manual, {})
    assert outcome.total == D("56.00")
    assert outcome.contributions["b1"]["points"] == "5.00"
    # cap 0 means only the items' own caps: 50 + 5 + 2
    assert evaluate(bonus_scheme(0), manual, {}).total == D("57.00")


def deduction_scheme(deduction_cap):
    return scheme(
        item("base", 1),
        item("d1", kind="deduction", max_score=10),
        item("d2", kind="deduction", max_score=5),
        deduction_cap=deduction_cap,
    )


def test_deductions_are_capped_per_item_and_by_the_scheme_cap():
    manual = by_higher(base=90, d1=12, d2=4)
    # d1 12 → 10; d2 4; together 14 → the scheme cap 12. 90 − 12.
    outcome = evaluate(deduction_scheme(12), manual, {})
    assert outcome.total == D("78.00")
    assert outcome.contributions["d1"]["points"] == "-10.00"
    # no scheme cap: 90 − 14
    assert evaluate(deduction_scheme(0), manual, {}).total == D("76.00")


def test_the_total_is_never_negative():
    spec = scheme(item("base", 1), item("d", kind="deduction", max_score=30))
    # 10 − 30 → 0, not −20
    assert evaluate(spec, by_higher(base=10, d=30), {}).total == D("0.00")


def veto_scheme(veto_cap, groups=None, scored_by=()):
    return scheme(
        item("base", 1),
        item("b", kind="bonus", max_score=5),
        item("v", kind="veto", scored_by=scored_by),
        groups=groups,
        veto_cap=veto_cap,
    )


def test_a_veto_caps_the_total_at_the_veto_cap():
    manual = by_higher(base=90, b=5, v=1)
    # 90 + 5 = 95, vetoed → at most 60
    outcome = evaluate(veto_scheme(60), manual, {})
    assert (outcome.total, outcome.vetoed) == (D("60.00"), True)
    assert outcome.contributions["v"]["raw"] == "1.00"
    # a cap of 0 takes everything
    assert evaluate(veto_scheme(0), manual, {}).total == D("0.00")
    # a cap, not a floor: 50 stays 50
    assert evaluate(veto_scheme(60), by_higher(base=50, v=1), {}).total == D("50.00")


def test_no_veto_when_nobody_raises_it():
    outcome = evaluate(veto_scheme(0), by_higher(base=90, v=0), {})
    assert (outcome.total, outcome.vetoed) == (D("90.00"), False)
    assert outcome.contributions["v"]["raw"] == "0.00"


def test_any_group_raising_the_veto_vetoes():
    spec = veto_scheme(0, groups={"higher": 1, "peers": 1})
    # higher says no; a quarter of the peers say yes (mean 0.25 > 0) → vetoed
    manual = {"base": {"higher": D(90)}, "v": {"higher": D(0), "peers": D("0.25")}}
    outcome = evaluate(spec, manual, {})
    assert (outcome.total, outcome.vetoed) == (D("0.00"), True)


def test_a_veto_scored_by_the_committee_ignores_other_groups():
    spec = veto_scheme(0, groups={"higher": 1, "peers": 1}, scored_by=("higher",))
    manual = {"base": {"higher": D(90)}, "v": {"peers": D(1)}}
    outcome = evaluate(spec, manual, {})
    assert (outcome.total, outcome.vetoed) == (D("90.00"), False)


# --- missing scores -------------------------------------------------------------------------


def three_items(policy):
    return scheme(item("a", 50), item("b", 30), item("c", 20), missing_policy=policy)


def test_missing_scores_earn_nothing_under_zero():
    outcome = evaluate(three_items("zero"), by_higher(a=80, c=60), {})
    # 50×0.8 + 0 + 20×0.6 = 40 + 12
    assert (outcome.total, outcome.missing) == (D("52.00"), 1)
    assert outcome.contributions["b"] == {
        "raw": None,
        "ratio": None,
        "points": "0.00",
        "share": "30.00",
        "percent": "0.00",
        "missing": True,
    }


def test_missing_scores_drop_out_under_exclude():
    outcome = evaluate(three_items("exclude"), by_higher(a=80, c=60), {})
    # b drops out; a and c share 100 by 50:20 → a 71.43, c 28.57.
    # (50×0.8 + 20×0.6) / 70 × 100 = 5200 / 70 = 74.2857… → 74.29
    assert outcome.total == D("74.29")
    assert outcome.contributions["a"]["share"] == "71.43"
    assert outcome.contributions["c"]["points"] == "17.14"


def test_excluded_missing_items_are_still_counted_as_missing():
    outcome = evaluate(three_items("exclude"), by_higher(a=80, c=60), {})
    assert outcome.missing == 1
    assert outcome.contributions["b"]["missing"] is True
    assert outcome.contributions["b"]["share"] == "0.00"
    # A target nobody scored: nothing earned, and all three items are missing.
    assert evaluate(three_items("exclude"), {}, {}).missing == 3


def group_and_leaf(policy):
    return scheme(
        item("G", 50, kind="group"),
        item("g1", 1, parent="G"),
        item("g2", 1, parent="G"),
        item("h", 50),
        missing_policy=policy,
    )


def test_a_fully_missing_group_drops_out_under_exclude():
    outcome = evaluate(group_and_leaf("exclude"), by_higher(h=70), {})
    # G has no score at all: h takes the whole 100 → 70
    assert outcome.total == D("70.00")


def test_a_fully_missing_group_earns_nothing_under_zero():
    outcome = evaluate(group_and_leaf("zero"), by_higher(h=70), {})
    # G 50 earns 0 (g1 and g2 missing), h 50×0.7 = 35
    assert (outcome.total, outcome.missing) == (D("35.00"), 2)
    assert outcome.contributions["G"]["points"] == "0.00"


def test_a_partly_missing_group_keeps_its_share_under_exclude():
    outcome = evaluate(group_and_leaf("exclude"), by_higher(g1=80, h=70), {})
    # G keeps 50, all of it to g1: 50×0.8 = 40; h 50×0.7 = 35
    assert outcome.total == D("75.00")
    assert outcome.contributions["g1"]["share"] == "50.00"


def test_nothing_scored_gives_zero_under_either_policy():
    for policy in ("zero", "exclude"):
        assert evaluate(three_items(policy), {}, {}).total == D("0.00")


# --- rounding -------------------------------------------------------------------------------


def test_totals_round_to_cents_half_up():
    spec = scheme(item("a", 1, max_score=1000))
    # 123.45 / 1000 × 100 = 12.345 → 12.35 (half-even would give 12.34)
    assert evaluate(spec, by_higher(a="123.45"), {}).total == D("12.35")
    # 0.05 / 1000 × 100 = 0.005 → 0.01
    assert evaluate(spec, by_higher(a="0.05"), {}).total == D("0.01")
    # 0.04 / 1000 × 100 = 0.004 → 0.00
    assert evaluate(spec, by_higher(a="0.04"), {}).total == D("0.00")


# --- ranks and ratios -----------------------------------------------------------------------


def test_competition_ranks_share_a_place_and_skip_the_next():
    ranks = competition_ranks(
        [("a", D(90)), ("b", D("90.00")), ("c", D(80)), ("d", D(70)), ("e", D(70))]
    )
    # a and b tie for 1st, c is 3rd, d and e tie for 4th
    assert ranks == {"a": 1, "b": 1, "c": 3, "d": 4, "e": 4}


def test_competition_ranks_of_nobody_is_empty():
    assert competition_ranks([]) == {}


def test_rate_ratio_against_full_marks():
    assert rate_ratio(0, 0, None) is None  # nothing due: no value, not 0
    # 9 of 10 = 90 %, full marks at 100 → 0.9
    assert rate_ratio(9, 10, None) == (D(90), D("0.9"))
    # 36 of 50 = 72 %, full marks at 80 → 0.9
    assert rate_ratio(36, 50, D(80)) == (D(72), D("0.9"))
    # 45 of 50 = 90 % ≥ 80: clamped to 1, the rate itself kept
    assert rate_ratio(45, 50, D(80)) == (D(90), D(1))
    # more done than due (late items of earlier periods): 120 % → 1
    assert rate_ratio(12, 10, None) == (D(120), D(1))
    assert rate_ratio(0, 4, None) == (D(0), D(0))


def test_rank_ratio_from_best_to_worst():
    assert rank_ratio(1, 1) == D(1)  # a field of one
    assert rank_ratio(1, 5) == D(1)
    assert rank_ratio(2, 5) == D("0.75")
    assert rank_ratio(3, 5) == D("0.5")
    assert rank_ratio(5, 5) == D(0)


# --- snapshots ------------------------------------------------------------------------------


def test_a_snapshot_converts_strings_to_decimals():
    snapshot = {
        "full_score": "100.00",
        "bonus_cap": "5.00",
        "deduction_cap": "0.00",
        "veto_cap": "0.00",
        "missing_policy": "exclude",
        "groups": [{"kind": "higher", "name": "上级党组织", "weight": "0.60"}],
        "indicators": [
            {
                "code": "g",
                "name": "组",
                "kind": "group",
                "weight": "50.00",
                "max_score": "100.00",
                "parent": None,
                "full_marks_at": None,
                "scored_by": [],
            },
            {
                "code": "c",
                "name": "率",
                "kind": "computed",
                "weight": "1.00",
                "max_score": "100.00",
                "parent": "g",
                "source": "obligation_rate",
                "source_param": "",
                "full_marks_at": "",
                "scored_by": [],
            },
            {
                "code": "s",
                "name": "评",
                "kind": "scored",
                "weight": "30.00",
                "max_score": "10.00",
                "parent": "",
                "full_marks_at": "90.00",
                "scored_by": ["higher"],
            },
        ],
    }
    spec = SchemeSpec.from_snapshot(snapshot)
    assert spec.groups == {"higher": D("0.6")}
    assert (spec.bonus_cap, spec.missing_policy) == (D(5), "exclude")
    c, s = spec.indicators[1], spec.indicators[2]
    assert (c.parent, c.full_marks_at, c.source) == ("g", None, "obligation_rate")
    assert (s.parent, s.full_marks_at, s.scored_by) == (None, D(90), ("higher",))
    # g 62.5 × 0.5 + s 37.5 × 0.8 = 31.25 + 30
    outcome = evaluate(spec, by_higher(s=8), {"c": (D(50), D("0.5"))})
    assert outcome.total == D("61.25")


# --- excluded for everyone (a decision about missing data, issue 14) ---------------------------


def excluded(policy, *codes):
    spec = group_and_leaf(policy)
    return SchemeSpec(
        indicators=spec.indicators,
        groups=spec.groups,
        missing_policy=policy,
        excluded=frozenset(codes),
    )


def test_an_item_excluded_for_everyone_drops_out_even_with_a_value():
    outcome = evaluate(excluded("zero", "g2"), by_higher(g1=80, g2=100, h=70), {})
    # g2 is out for everyone: G's 50 all to g1 (50×0.8 = 40), h 50×0.7 = 35
    assert (outcome.total, outcome.missing) == (D("75.00"), 0)
    assert outcome.contributions["g2"]["excluded"] is True
    assert outcome.contributions["g2"]["share"] == "0.00"


def test_a_group_whose_items_are_all_excluded_drops_out_and_is_not_missing():
    outcome = evaluate(excluded("zero", "g1", "g2"), by_higher(h=70), {})
    # G is gone for everyone, h takes the whole 100 → 70; nothing counts as missing
    assert (outcome.total, outcome.missing) == (D("70.00"), 0)
    assert outcome.contributions["G"]["excluded"] is True


def test_excluding_by_code_reads_from_the_snapshot():
    snapshot = {
        "indicators": [{"code": "a", "name": "a", "kind": "computed", "weight": "1"}],
        "groups": [{"kind": "higher", "weight": "1"}],
    }
    assert SchemeSpec.from_snapshot(snapshot, excluded=["a"]).excluded == {"a"}
    assert SchemeSpec.from_snapshot(snapshot).excluded == frozenset()
