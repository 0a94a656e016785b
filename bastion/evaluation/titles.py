"""Which titles a round gives, from the scheme's title rules (pure: rules and rows in, titles out).

- ``band``: the total (or one indicator's percentage) reaches ``min_score``. Among band rules of
  one kind a target gets only the highest it reaches (★5 rather than ★5 and ★4).
- ``top`` / ``bottom``: the first or last ``count`` ranks, over the whole round or within each
  parent organization; tied targets share the place, so a tie at the edge takes everyone tied.
  ``min_score`` (top) and ``max_score`` (bottom) narrow them further.
- ``all_of``: the target got every title listed in ``requires`` in this round.

A vetoed target gets no title other than a bottom one (a watch list, say).

A target whose total lacks data (``incomplete``: a data-fed item has no or partial data for it
and the item was not excluded for everyone) is no candidate for a top or bottom title: its place
could be a tie or a gap the missing data made, not its work. Band titles are unaffected.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from .engine import competition_ranks, dec


@dataclass
class Row:
    key: object
    group: object  # the parent organization, for rules ranked within it
    total: Decimal
    vetoed: bool = False
    percents: dict[str, Decimal] = field(default_factory=dict)
    incomplete: bool = False


def assign(rules: list[dict], rows: list[Row]) -> dict[object, list[dict]]:
    """target key → titles, each ``{code, name, kind, stars}``."""
    given: dict[object, list[dict]] = defaultdict(list)
    _bands(rules, rows, given)
    for rule in rules:
        if rule["basis"] in ("top", "bottom"):
            for row in _ranked_rule(rule, rows):
                given[row.key].append(_title(rule))
    for rule in (r for r in rules if r["basis"] == "all_of"):
        for row in rows:
            held = {t["code"] for t in given[row.key]}
            if not row.vetoed and set(rule["requires"]) <= held:
                given[row.key].append(_title(rule))
    return dict(given)


def _title(rule: dict) -> dict:
    return {
        "code": rule["code"],
        "name": rule["name"],
        "name_en": rule.get("name_en", ""),
        "kind": rule["kind"],
        "stars": rule.get("stars"),
    }


def _measure(rule: dict, row: Row) -> Decimal | None:
    code = rule.get("indicator_code") or ""
    return row.percents.get(code) if code else row.total


def _bands(rules, rows, given) -> None:
    by_kind: dict[str, list[dict]] = defaultdict(list)
    for rule in (r for r in rules if r["basis"] == "band"):
        by_kind[(rule["kind"], rule.get("indicator_code") or "")].append(rule)
    for band_rules in by_kind.values():
        band_rules.sort(key=lambda r: dec(r["min_score"]), reverse=True)
        for row in rows:
            if row.vetoed:
                continue
            for rule in band_rules:
                measure = _measure(rule, row)
                if measure is not None and measure >= dec(rule["min_score"]):
                    given[row.key].append(_title(rule))
                    break


def _ranked_rule(rule: dict, rows: list[Row]) -> list[Row]:
    top = rule["basis"] == "top"
    candidates = [row for row in rows if not (top and row.vetoed) and not row.incomplete]
    if top and rule.get("min_score") not in (None, ""):
        candidates = [row for row in candidates if row.total >= dec(rule["min_score"])]
    if not top and rule.get("max_score") not in (None, ""):
        candidates = [row for row in candidates if row.total < dec(rule["max_score"])]
    groups: dict[object, list[Row]] = defaultdict(list)
    for row in candidates:
        groups[row.group if rule.get("within") == "parent" else None].append(row)
    chosen = []
    for members in groups.values():
        # Rank by total; for a bottom rule, rank the negated totals so the lowest is first.
        sign = 1 if top else -1
        ranks = competition_ranks((row.key, sign * row.total) for row in members)
        chosen += [row for row in members if ranks[row.key] <= int(rule["count"])]
    return chosen
