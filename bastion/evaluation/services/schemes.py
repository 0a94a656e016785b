"""Scheme snapshots: what a round copies from its scheme when it opens."""

from __future__ import annotations

from ..models import Scheme


def _num(value) -> str | None:
    return None if value is None else str(value)


def scheme_snapshot(scheme: Scheme) -> dict:
    indicators = list(scheme.indicators.select_related("parent").order_by("order", "id"))
    return {
        "code": scheme.code,
        "name": scheme.name,
        "style": scheme.style,
        "target_kind": scheme.target_kind,
        "full_score": str(scheme.full_score),
        "bonus_cap": str(scheme.bonus_cap),
        "deduction_cap": str(scheme.deduction_cap),
        "veto_cap": str(scheme.veto_cap),
        "missing_policy": scheme.missing_policy,
        "indicators": [
            {
                "code": item.code,
                "name": item.name,
                "kind": item.kind,
                "weight": str(item.weight),
                "max_score": str(item.max_score),
                "parent": item.parent.code if item.parent_id else None,
                "source": item.source,
                "source_param": item.source_param,
                "full_marks_at": _num(item.full_marks_at),
                "scored_by": list(item.scored_by),
                "guidance": item.guidance,
            }
            for item in indicators
        ],  # fmt: skip
        "groups": [
            {"kind": group.kind, "name": group.get_kind_display(), "weight": str(group.weight)}
            for group in scheme.groups.all()
        ],
        "titles": [
            {
                "code": rule.code,
                "name": rule.name,
                "kind": rule.kind,
                "basis": rule.basis,
                "min_score": _num(rule.min_score),
                "max_score": _num(rule.max_score),
                "count": rule.count,
                "within": rule.within,
                "indicator_code": rule.indicator_code,
                "requires": list(rule.requires),
                "stars": rule.stars,
                "lift_score": _num(rule.lift_score),
            }
            for rule in scheme.title_rules.all()
        ],  # fmt: skip
    }
