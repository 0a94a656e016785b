"""The title board (称号榜): who holds the red flag now, who is on the watch list and since when,
the five-star branches, the arena champions, compliance; and the titles shown as badges.

Every award comes through ``TitleAward.objects.restrict(user, "view")`` (its owner field lets a
member see their own). "Current" means: given by the latest published round of its scheme over
its organization; a watch title is current until a later round lifts it. Each section is one
query, whatever the number of awards.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from bastion.core.scope import subtree_q

from .models import RoundState, Target, TitleAward, TitleKind
from .selectors_results import has_title_kind, latest_published_rounds, visible_all

# A round whose results exist: the latest score comes from the latest of these.
RESULT_STATES = [RoundState.COMPUTED, RoundState.PUBLISHED, RoundState.CLOSED]

LIFTED_DAYS = 90
BADGE_CLASS = {
    TitleKind.COMPLIANT: "bg-green-lt",
    TitleKind.STAR: "bg-yellow-lt",
    TitleKind.RED_FLAG: "bg-red text-red-fg",
    TitleKind.WATCH: "bg-orange text-orange-fg",
    TitleKind.CHAMPION: "bg-purple text-purple-fg",
    TitleKind.HONOUR: "bg-azure-lt",
}


def stars_text(stars) -> str:
    return "★" * int(stars or 0)


def badges(titles: list[dict]) -> list[dict]:
    """``Target.titles`` (or awards) as badges; stars are shown as ★."""
    shown = []
    for title in titles or []:
        kind = title.get("kind", "")
        stars = title.get("stars")
        shown.append(
            {
                "kind": kind,
                "name": title.get("name", ""),
                "name_en": title.get("name_en", ""),
                "stars": stars_text(stars) if kind == TitleKind.STAR and stars else "",
                "css": BADGE_CLASS.get(kind, "bg-secondary-lt"),
            }
        )
    return shown


def months_on_list(since: dt.date, today: dt.date) -> int:
    """Calendar months touched from ``since`` to ``today``, both included (listed in
    September and still listed in November: 3)."""
    return max(1, (today.year - since.year) * 12 + today.month - since.month + 1)


def with_current_score(user, awards):
    """Each award with its holder's score in the latest round of its scheme that ``user`` may
    see (``current_total``, ``current_label``, ``current_published``, ``current_target``):
    the listing score is ``total``, the score when the title was given. One subquery per
    column, whatever the number of awards."""
    latest = (
        visible_all(user)
        .filter(
            round__scheme=OuterRef("scheme"),
            organization=OuterRef("organization"),
            round__state__in=RESULT_STATES,
            total__isnull=False,
        )
        .annotate(person_key=Coalesce("person_id", Value(0)))
        .filter(person_key=Coalesce(OuterRef("person_id"), Value(0)))
        .order_by("-round__period_start", "-round__computed_at", "-pk")
    )

    def first(column, **output):
        return Subquery(latest.values(column)[:1], **output)

    return awards.annotate(
        current_total=first("total", output_field=Target._meta.get_field("total")),
        current_label=first("round__period_label"),
        current_state=first("round__state"),
        current_target=first("pk"),
    )


def _with_published_flag(rows):
    for row in rows:
        row.current_published = row.current_state in (RoundState.PUBLISHED, RoundState.CLOSED)
    return rows


def _current(awards, kind: str):
    return (
        awards.filter(kind=kind, round__in=latest_published_rounds())
        .select_related("organization", "person", "scheme", "round")
        .order_by("scheme__name", "-total", "organization__path", "person__name")
    )


@dataclass
class WatchEntry:
    organization: object
    person: object
    scheme: object
    since: dt.date
    periods: int = 0
    latest_total: object = None
    latest_on: dt.date | None = None
    lifted_on: dt.date | None = None
    lifted_by: object = None
    current_total: object = None
    current_label: str = ""
    current_published: bool = False
    current_target: int | None = None
    months: int = 0
    awards: list = field(default_factory=list)


def _group_watch(awards, today: dt.date, *, lifted: bool) -> list[WatchEntry]:
    """One entry per organization (or person) and scheme: listed since the earliest award.

    The watch list is the weakest few of each round, so grouping its rows here stays small;
    the rows themselves come in one query."""
    entries: dict[tuple, WatchEntry] = {}
    for award in awards:
        key = (award.organization_id, award.person_id, award.scheme_id)
        if lifted:
            key += (award.lifted_on,)
        entry = entries.get(key)
        if entry is None:
            entry = entries[key] = WatchEntry(
                organization=award.organization,
                person=award.person,
                scheme=award.scheme,
                since=award.awarded_on,
                lifted_on=award.lifted_on,
                lifted_by=award.lifted_by,
            )
        entry.periods += 1
        entry.since = min(entry.since, award.awarded_on)
        if entry.latest_on is None or award.awarded_on >= entry.latest_on:
            entry.latest_on, entry.latest_total = award.awarded_on, award.total
            _copy_current(award, entry)
    for entry in entries.values():
        entry.months = months_on_list(entry.since, entry.lifted_on or today)
    return sorted(entries.values(), key=lambda e: (e.since, e.organization.path))


def _copy_current(award, entry: WatchEntry) -> None:
    if hasattr(award, "current_state"):
        entry.current_total, entry.current_label = award.current_total, award.current_label
        entry.current_target = award.current_target
        entry.current_published = award.current_state in (
            RoundState.PUBLISHED,
            RoundState.CLOSED,
        )


def watch_list(awards, today: dt.date) -> list[WatchEntry]:
    open_ = (
        awards.filter(kind=TitleKind.WATCH, lifted_on__isnull=True)
        .select_related("organization", "person", "scheme")
        .order_by("awarded_on", "id")
    )
    return _group_watch(open_, today, lifted=False)


def recently_lifted(awards, today: dt.date) -> list[WatchEntry]:
    lifted = (
        awards.filter(kind=TitleKind.WATCH, lifted_on__gte=today - dt.timedelta(days=LIFTED_DAYS))
        .select_related("organization", "person", "scheme", "lifted_by")
        .order_by("-lifted_on", "awarded_on", "id")
    )
    entries = _group_watch(lifted, today, lifted=True)
    return sorted(entries, key=lambda e: e.lifted_on, reverse=True)


def star_counts(awards) -> list[dict]:
    """Per scheme, how many branches hold each star level in its latest round."""
    rows = (
        awards.filter(kind=TitleKind.STAR, person__isnull=True, round__in=latest_published_rounds())
        .values("scheme_id", "scheme__name", "scheme__name_en", "stars")
        .annotate(n=Count("id"))
        .order_by("scheme__name", "-stars")
    )
    schemes: dict[int, dict] = {}
    for row in rows:
        entry = schemes.setdefault(
            row["scheme_id"],
            {
                "name": row["scheme__name"],
                "name_en": row["scheme__name_en"],
                "five": 0,
                "levels": [],
            },
        )
        if row["stars"] == 5:
            entry["five"] = row["n"]
        entry["levels"].append({"stars": stars_text(row["stars"]), "n": row["n"]})
    return list(schemes.values())


def five_star_branches(awards):
    return _current(awards, TitleKind.STAR).filter(person__isnull=True, stars=5)


def compliance(user, selected=None) -> list[dict]:
    """Per latest published round with a 达标 rule: targets, compliant targets, the rate."""
    targets = visible_all(user).filter(
        round__in=latest_published_rounds(),
        round__snapshot__icontains=f'"kind": "{TitleKind.COMPLIANT}"',
    )
    if selected is not None:
        targets = targets.filter(subtree_q("organization__path", selected.path))
    rows = (
        targets.order_by()
        .values("round_id", "round__name", "round__scheme__name")
        .annotate(n=Count("pk"), ok=Count("pk", filter=has_title_kind(TitleKind.COMPLIANT)))
        .order_by("round__scheme__name", "round__name")
    )
    return [
        {**row, "rate": round(100 * row["ok"] / row["n"], 1) if row["n"] else None} for row in rows
    ]


def board(user, awards, selected, today: dt.date) -> dict:
    """The board's sections from ``awards`` (the visible awards, as ``TitleAwardFilter``
    narrowed them) and the compliance of the targets under ``selected``."""
    scored = with_current_score(user, awards)
    return {
        "red_flags": _with_published_flag(list(_current(scored, TitleKind.RED_FLAG))),
        "watch": watch_list(scored, today),
        "lifted": recently_lifted(awards, today),
        "star_counts": star_counts(awards),
        "five_stars": list(five_star_branches(awards)),
        "champions": _with_published_flag(list(_current(scored, TitleKind.CHAMPION))),
        "compliance": compliance(user, selected),
    }


def org_current(user, org) -> list[TitleAward]:
    """The titles ``org`` holds now (its own, and its members' arena championships)."""
    return list(
        TitleAward.objects.restrict(user, "view")
        .filter(organization=org)
        .filter(Q(person__isnull=True) | Q(kind=TitleKind.CHAMPION))
        .filter(
            Q(kind=TitleKind.WATCH, lifted_on__isnull=True)
            | (~Q(kind=TitleKind.WATCH) & Q(round__in=latest_published_rounds()))
        )
        .select_related("person", "scheme", "round")
        .order_by("kind", "-stars", "person__name")
    )
