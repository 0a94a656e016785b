"""The scoring formula, as pure functions on plain data: no database, so every case is a test.

A scheme's weighted items (scored, computed, groups) share the full score among siblings by
weight, down the indicator tree; a leaf earns its share times its ratio (0–1):

- a scored item's raw value is the weighted mean of its evaluator groups' means, and its ratio
  is raw ÷ the item's maximum;
- a computed item's ratio comes from data (a completion rate against the value that earns full
  marks, a benchmark rank, a points balance, another scheme's result).

Bonus items add their points (each up to its maximum, all together up to the scheme's bonus cap),
deduction items subtract theirs the same way, and a veto item that any group raises caps the
total at the scheme's veto cap. A scored or computed item with no value is *missing*: under the
"zero" policy it earns nothing, under "exclude" it drops out and its siblings share its weight.

An item the round's managers *excluded for everyone* (``SchemeSpec.excluded``: its data is missing
for some targets and they decided not to wait) drops out for every target whatever the policy,
its siblings sharing its weight; it is not counted as missing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property

ZERO = Decimal(0)
ONE = Decimal(1)
CENT = Decimal("0.01")


def q2(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def dec(value) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


@dataclass(frozen=True)
class IndicatorSpec:
    code: str
    name: str
    kind: str
    name_en: str = ""
    weight: Decimal = ZERO
    max_score: Decimal = Decimal(100)
    parent: str | None = None
    source: str = ""
    source_param: str = ""
    full_marks_at: Decimal | None = None
    scored_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class SchemeSpec:
    indicators: tuple[IndicatorSpec, ...]
    groups: Mapping[str, Decimal]
    full_score: Decimal = Decimal(100)
    bonus_cap: Decimal = ZERO
    deduction_cap: Decimal = ZERO
    veto_cap: Decimal = ZERO
    missing_policy: str = "zero"
    excluded: frozenset[str] = frozenset()

    @classmethod
    def from_snapshot(cls, snapshot: Mapping, excluded: Iterable[str] = ()) -> SchemeSpec:
        indicators = tuple(
            IndicatorSpec(
                code=item["code"],
                name=item["name"],
                kind=item["kind"],
                name_en=item.get("name_en", ""),
                weight=dec(item.get("weight", 0)),
                max_score=dec(item.get("max_score", 100)),
                parent=item.get("parent") or None,
                source=item.get("source", ""),
                source_param=item.get("source_param", ""),
                full_marks_at=(
                    dec(item["full_marks_at"])
                    if item.get("full_marks_at") not in (None, "")
                    else None
                ),
                scored_by=tuple(item.get("scored_by") or ()),
            )
            for item in snapshot["indicators"]
        )
        return cls(
            indicators=indicators,
            groups={group["kind"]: dec(group["weight"]) for group in snapshot["groups"]},
            full_score=dec(snapshot.get("full_score", 100)),
            bonus_cap=dec(snapshot.get("bonus_cap", 0)),
            deduction_cap=dec(snapshot.get("deduction_cap", 0)),
            veto_cap=dec(snapshot.get("veto_cap", 0)),
            missing_policy=snapshot.get("missing_policy", "zero"),
            excluded=frozenset(excluded),
        )

    def children(self, parent: str | None) -> list[IndicatorSpec]:
        return self._children.get(parent, [])

    def weighted_children(self, parent: str | None) -> list[IndicatorSpec]:
        return self._weighted.get(parent, [])

    @cached_property
    def leaves(self) -> list[IndicatorSpec]:
        """The scored and computed items: the leaves that earn a share of the full score."""
        return [item for item in self.indicators if item.kind in ("scored", "computed")]

    @cached_property
    def _weighted(self) -> dict[str | None, list[IndicatorSpec]]:
        return {
            parent: [c for c in children if c.kind in ("scored", "computed", "group")]
            for parent, children in self._children.items()
        }

    @cached_property
    def _children(self) -> dict[str | None, list[IndicatorSpec]]:
        """parent code → children, built once: a round evaluates thousands of targets."""
        index: dict[str | None, list[IndicatorSpec]] = {}
        for item in self.indicators:
            index.setdefault(item.parent, []).append(item)
        return index

    def groups_for(self, item: IndicatorSpec) -> list[str]:
        return [g for g in (item.scored_by or self.groups) if g in self.groups]


@dataclass
class Outcome:
    total: Decimal
    vetoed: bool
    missing: int
    contributions: dict[str, dict] = field(default_factory=dict)


# group kind → that group's mean score for one indicator of one target
GroupMeans = Mapping[str, Decimal]
# a computed item's (raw value, ratio 0–1), or None when the data has nothing for the target
DataValue = tuple[Decimal, Decimal] | None


def evaluate(
    spec: SchemeSpec,
    manual: Mapping[str, GroupMeans],
    data: Mapping[str, DataValue],
) -> Outcome:
    """One target's total, veto, missing count and each indicator's contribution."""
    outcome = Outcome(total=ZERO, vetoed=False, missing=0)
    values = {item.code: _leaf_value(spec, item, manual, data) for item in spec.leaves}
    weighted = _weighted_points(spec, None, spec.full_score, values, outcome)
    bonus = _capped(spec, "bonus", manual, outcome, spec.bonus_cap)
    deduction = _capped(spec, "deduction", manual, outcome, spec.deduction_cap)
    outcome.vetoed = _vetoed(spec, manual, outcome)
    total = max(ZERO, weighted + bonus - deduction)
    if outcome.vetoed:
        total = min(total, spec.veto_cap)
    outcome.total = q2(total)
    return outcome


def _weighted_points(spec, parent, share, values, outcome) -> Decimal:
    """Share ``share`` among ``parent``'s weighted children; ``values`` holds each leaf's
    (raw, ratio) or None."""
    items = spec.weighted_children(parent)
    for item in [item for item in items if _decided_out(spec, item)]:
        _record_excluded(spec, item, outcome)
        items = [other for other in items if other is not item]
    if spec.missing_policy == "exclude":
        dropped = [item for item in items if _fully_missing(spec, item, values)]
        for item in dropped:
            _record_dropped(spec, item, outcome)
        items = [item for item in items if item not in dropped]
    total_weight = sum((item.weight for item in items), ZERO)
    points = ZERO
    for item in items:
        item_share = share * item.weight / total_weight if total_weight else ZERO
        if item.kind == "group":
            earned = _weighted_points(spec, item.code, item_share, values, outcome)
            outcome.contributions[item.code] = _row(None, None, earned, item_share, False)
        else:
            raw, ratio = values[item.code] or (None, None)
            missing = ratio is None
            outcome.missing += missing
            earned = item_share * (ratio or ZERO)
            outcome.contributions[item.code] = _row(raw, ratio, earned, item_share, missing)
        points += earned
    return points


def _record_dropped(spec, item, outcome) -> None:
    """An item dropped under "exclude" earns and weighs nothing but is still missing."""
    outcome.contributions[item.code] = _row(None, None, ZERO, ZERO, item.kind != "group")
    if item.kind != "group":
        outcome.missing += 1
        return
    for child in spec.weighted_children(item.code):
        _record_dropped(spec, child, outcome)


def _decided_out(spec, item) -> bool:
    """Excluded for everyone by decision, or a group all of whose weighted items are."""
    if item.code in spec.excluded:
        return True
    children = spec.weighted_children(item.code) if item.kind == "group" else []
    return bool(children) and all(_decided_out(spec, child) for child in children)


def _record_excluded(spec, item, outcome) -> None:
    """An item excluded for everyone earns and weighs nothing and is not missing."""
    outcome.contributions[item.code] = {**_row(None, None, ZERO, ZERO, False), "excluded": True}
    for child in spec.weighted_children(item.code) if item.kind == "group" else []:
        _record_excluded(spec, child, outcome)


def _row(raw, ratio, points, share, missing) -> dict:
    return {
        "raw": None if raw is None else str(q2(dec(raw))),
        "ratio": None if ratio is None else str(ratio.quantize(Decimal("0.0001"))),
        "points": str(q2(points)),
        "share": str(q2(share)),
        "percent": str(q2(100 * points / share)) if share else "0.00",
        "missing": missing,
    }


def _leaf_value(spec, item, manual, data) -> DataValue:
    if item.kind == "computed":
        return data.get(item.code)
    raw = _group_mean(spec, item, manual)
    if raw is None:
        return None
    return raw, min(ONE, max(ZERO, raw / item.max_score))


def _group_mean(spec, item, manual) -> Decimal | None:
    """The weighted mean of the groups that scored ``item``; None when none did."""
    means = manual.get(item.code) or {}
    present = [(spec.groups[g], dec(means[g])) for g in spec.groups_for(item) if g in means]
    weight = sum((w for w, _mean in present), ZERO)
    if not weight:
        return None
    return sum((w * mean for w, mean in present), ZERO) / weight


def _fully_missing(spec, item, values) -> bool:
    """A leaf without a value, or a group all of whose weighted items are fully missing."""
    if item.kind != "group":
        return values[item.code] is None
    return all(_fully_missing(spec, child, values) for child in spec.weighted_children(item.code))


def _capped(spec, kind, manual, outcome, cap) -> Decimal:
    total = ZERO
    for item in (i for i in spec.indicators if i.kind == kind):
        raw = _group_mean(spec, item, manual)
        points = min(item.max_score, max(ZERO, raw)) if raw is not None else ZERO
        sign = -1 if kind == "deduction" else 1
        outcome.contributions[item.code] = _row(raw, None, sign * points, ZERO, False)
        total += points
    return min(total, cap) if cap > 0 else total


def _vetoed(spec, manual, outcome) -> bool:
    vetoed = False
    for item in (i for i in spec.indicators if i.kind == "veto"):
        means = manual.get(item.code) or {}
        raised = any(dec(means[g]) > 0 for g in spec.groups_for(item) if g in means)
        outcome.contributions[item.code] = _row(ONE if raised else ZERO, None, ZERO, ZERO, False)
        vetoed = vetoed or raised
    return vetoed


def competition_ranks(totals: Iterable[tuple[object, Decimal]]) -> dict[object, int]:
    """1, 2, 2, 4: equal totals share a rank and the next rank skips the tied places."""
    ordered = sorted(totals, key=lambda pair: pair[1], reverse=True)
    ranks: dict[object, int] = {}
    previous = None
    for place, (key, total) in enumerate(ordered, start=1):
        if total != previous:
            rank, previous = place, total
        ranks[key] = rank
    return ranks


def rate_ratio(done: int, due: int, full_marks_at: Decimal | None) -> DataValue:
    """A completion rate in percent against the rate that earns full marks (100 by default)."""
    if not due:
        return None
    rate = Decimal(100) * done / due
    return rate, min(ONE, rate / (full_marks_at or Decimal(100)))


def rank_ratio(position: int, count: int) -> Decimal:
    """Best of ``count`` → 1, worst → 0, evenly between; a field of one scores 1."""
    if count <= 1:
        return ONE
    return Decimal(count - position) / Decimal(count - 1)
