"""Who sees which results, and the reads behind the results pages.

The visibility rule lives here once (``visible_all`` / ``visible_targets``):

- a holder of ``evaluation.view_target`` sees ``Target.objects.restrict(user, "view")`` in any
  state (computed but not yet published included), plus whatever is published to them;
- everyone else sees nothing of a round until it is published; then their own targets and the
  published results their ``view_published_target`` grants cover.

Members never read Score rows here; they see totals, ranks and titles, and the breakdown of their
own results (``can_see_breakdown``).
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Avg, Count, Exists, F, OuterRef, Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from bastion.core.local_names import local_name
from bastion.core.scope import allows, grant, has_permission_anywhere

from .models import IndicatorKind, Round, RoundState, Target, TitleKind

PUBLISHED = [RoundState.PUBLISHED, RoundState.CLOSED]
CORRECTABLE = (RoundState.COMPUTED, RoundState.PUBLISHED)
VIEW_TARGET = "evaluation.view_target"
VIEW_SCORE = "evaluation.view_score"


def sees_unpublished(user) -> bool:
    return has_permission_anywhere(user, VIEW_TARGET)


def visible_all(user):
    """Every Target row ``user`` may see, across rounds."""
    if user is None or not user.is_authenticated:
        return Target.objects.none()
    published = (
        Target.objects.restrict(user, "view_published").published()
        | Target.objects.filter(person__user=user).published()
    )
    if sees_unpublished(user):
        return Target.objects.restrict(user, "view") | published
    return published


def visible_targets(user, round_: Round):
    """The targets of ``round_`` that ``user`` may see (none of an unpublished round for a
    member)."""
    return visible_all(user).filter(round=round_)


def can_correct(user, round_: Round) -> bool:
    """Whether ``user`` may correct scores of ``round_`` (更正评分) now."""
    return (
        round_.state in CORRECTABLE
        and Round.objects.restrict(user, "change").filter(pk=round_.pk).exists()
    )


def visible_round(user, pk) -> Round:
    """A round the user may open on the results pages, or 404."""
    rounds = Round.objects.restrict(user, "view").select_related("scheme", "organization")
    round_ = get_object_or_404(rounds, pk=pk)
    if not round_.is_published and not sees_unpublished(user):
        raise Http404
    return round_


def visible_target(user, pk) -> Target:
    """One target the user may see, with what its page needs, or 404."""
    queryset = visible_all(user).select_related("round", "round__scheme", "organization", "person")
    return get_object_or_404(queryset, pk=pk)


def can_see_breakdown(user, target: Target) -> bool:
    """Indicator points of a person are for that person and those who run the round."""
    if target.person_id is None:
        return True
    if target.person.user_id == user.pk:
        return True
    return allows(user, VIEW_TARGET, target.organization)


def can_see_scores(user, target: Target) -> bool:
    return allows(user, VIEW_SCORE, target.organization)


# --- titles inside Target.titles (JSON) --------------------------------------------------------


def has_title_kind(kind: str) -> Q:
    """Targets whose ``titles`` JSON holds a title of ``kind``.

    The JSON is stored as ``json.dumps`` text on SQLite and printed the same way by PostgreSQL's
    jsonb, so a text match keeps the count in the database on both (JSON containment is not
    available on SQLite).
    """
    return Q(titles__icontains=f'"kind": "{kind}"')


def scheme_has_title(snapshot: dict, kind: str) -> bool:
    return any(rule.get("kind") == kind for rule in snapshot.get("titles", []))


# --- the ranking ---------------------------------------------------------------------------


def ranked(queryset):
    return queryset.select_related("organization", "person").order_by(
        F("rank").asc(nulls_last=True), "organization__path", "person__name", "id"
    )


def sees_whole_round(user, round_: Round) -> bool:
    """Whether ``user`` sees every target of ``round_`` (their ``view_target`` grant covers the
    round's subtree): then the figures stored for the whole round are theirs."""
    return grant(user, VIEW_TARGET).covers(round_.organization)


def stored_summary(targets) -> dict:
    """What ``summary`` counts, from the computed targets in memory (stored on the round)."""
    totals = [t.total for t in targets if t.total is not None]

    def having(kind: str) -> int:
        return sum(
            any(isinstance(title, dict) and title.get("kind") == kind for title in t.titles or [])
            for t in targets
        )

    return {
        "count": len(targets),
        # the cards show two places; four keep the rounding of the page's own
        "average": str(round(sum(totals) / len(totals), 4)) if totals else None,
        "compliant": having(TitleKind.COMPLIANT),
        "red_flags": having(TitleKind.RED_FLAG),
        "watch": having(TitleKind.WATCH),
    }


def summary(queryset, snapshot: dict, stored: dict | None = None) -> dict:
    """The summary cards: ``stored`` (the round's, for a reader of the whole round) or
    aggregated in one query."""
    if stored:
        counts = dict(stored)
        counts["average"] = Decimal(counts["average"]) if counts["average"] else None
    else:
        counts = queryset.order_by().aggregate(
            count=Count("pk"),
            average=Avg("total"),
            compliant=Count("pk", filter=has_title_kind(TitleKind.COMPLIANT)),
            red_flags=Count("pk", filter=has_title_kind(TitleKind.RED_FLAG)),
            watch=Count("pk", filter=has_title_kind(TitleKind.WATCH)),
        )
    counts["has_compliant"] = scheme_has_title(snapshot, TitleKind.COMPLIANT)
    counts["compliant_rate"] = (
        round(100 * counts["compliant"] / counts["count"], 1)
        if counts["has_compliant"] and counts["count"]
        else None
    )
    return counts


def points_text(value) -> str | None:
    """A contribution's points for display: a deduction of nothing is 0.00, not -0.00."""
    return "0.00" if value == "-0.00" else value


def top_indicators(snapshot: dict) -> list[dict]:
    """The top-level indicators shown as ranking columns (a veto item earns no points)."""
    return [
        item
        for item in snapshot.get("indicators", [])
        if not item.get("parent") and item["kind"] != IndicatorKind.VETO
    ]


def indicator_tree(snapshot: dict, contributions: dict) -> list[dict]:
    """The snapshot's indicators depth first, each with its depth and contribution row."""
    children: dict[str | None, list[dict]] = {}
    for item in snapshot.get("indicators", []):
        children.setdefault(item.get("parent") or None, []).append(item)
    kinds = dict(IndicatorKind.choices)
    nodes: list[dict] = []

    def walk(parent, depth):
        for item in children.get(parent, []):
            row = contributions.get(item["code"]) or {}
            nodes.append(
                {
                    "code": item["code"],
                    "name": local_name(item),
                    "kind": item["kind"],
                    "kind_label": kinds.get(item["kind"], item["kind"]),
                    "depth": depth,
                    "indent": range(depth),
                    "weight": item.get("weight"),
                    "max_score": item.get("max_score"),
                    "raw": row.get("raw"),
                    "ratio": row.get("ratio"),
                    "percent": row.get("percent"),
                    "points": points_text(row.get("points")),
                    "share": row.get("share"),
                    "missing": bool(row.get("missing")),
                    "excluded": bool(row.get("excluded")),
                    "computed": bool(row),
                    "is_group": item["kind"] == IndicatorKind.GROUP,
                }
            )
            walk(item["code"], depth + 1)

    walk(None, 0)
    return nodes


def rounds_newer_than_outer():
    """A published round of the same scheme and organization after the outer one."""
    return Round.objects.filter(
        scheme=OuterRef("scheme"),
        organization=OuterRef("organization"),
        state__in=PUBLISHED,
        period_start__gt=OuterRef("period_start"),
    )


def latest_published_rounds():
    """The latest published round of each scheme over each organization (a subquery)."""
    return Round.objects.filter(state__in=PUBLISHED).filter(~Exists(rounds_newer_than_outer()))
