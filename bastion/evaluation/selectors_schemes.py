"""Reads of schemes (考评方案): the snapshot a round copies when it opens, who may change a
scheme or own one for the whole company, an indicator's subtree."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation

from bastion.core.scope import grant
from bastion.orgs.models import Organization

from .models import Indicator, Scheme


def may_change(actor, scheme: Scheme) -> bool:
    return Scheme.objects.restrict(actor, "change").filter(pk=scheme.pk).exists()


def may_own_shipped(actor, permission: str) -> bool:
    """A scheme for the whole company (no owner) needs the permission on a root organization."""
    held = grant(actor, permission)
    return held.everywhere or any(len(path) == Organization.steplen for path in held.paths)


def descendant_ids(indicator: Indicator) -> set[int]:
    """The ids of every indicator below ``indicator`` (one query for the scheme's tree)."""
    parents = dict(
        Indicator.objects.filter(scheme_id=indicator.scheme_id).values_list("pk", "parent_id")
    )
    found, frontier = set(), {indicator.pk}
    while frontier:
        frontier = {pk for pk, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _num(value) -> str | None:
    return None if value is None else str(value)


def _kind_names(group) -> dict:
    """An evaluator group's label in both languages, whoever opens the round (the label is a
    choice, translated when read: read in the reader's language it would freeze theirs)."""
    with translation.override(settings.LANGUAGE_CODE):
        name = str(group.get_kind_display())
    with translation.override("en"):
        name_en = str(group.get_kind_display())
    return {"name": name, "name_en": name_en if name_en != name else ""}


def scheme_snapshot(scheme: Scheme) -> dict:
    """The scheme as a round copies it when it opens (``Round.snapshot``)."""
    indicators = list(scheme.indicators.select_related("parent").order_by("order", "id"))
    return {
        "code": scheme.code,
        "name": scheme.name,
        "name_en": scheme.name_en,
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
                "name_en": item.name_en,
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
        ],
        "groups": [
            {"kind": group.kind, **_kind_names(group), "weight": str(group.weight)}
            for group in scheme.groups.all()
        ],
        "titles": [
            {
                "code": rule.code,
                "name": rule.name,
                "name_en": rule.name_en,
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
        ],
    }
