"""Reads for committee terms (换届): the term rules in force and each organization's colour.

Colours follow S4 and DOMAIN.md: red once the term has expired without an election, yellow
from ``remind_months`` (TermRule data) before the expiry day, green otherwise. The expiry day
itself is still inside the term (yellow); the day after is red. Colours are computed by the
database from per-kind date thresholds, so a page can filter and paginate on them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Case, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models import CharField as CharType

from bastion.core.periods import add_years, months_before
from bastion.orgs.models import Organization

from .models import Election, TermRule

ONE_DAY = dt.timedelta(days=1)
COLOURS = ["red", "yellow", "green", "unknown"]
COLOUR_BADGE = {
    "red": "bg-red text-red-fg",
    "yellow": "bg-yellow text-yellow-fg",
    "green": "bg-green-lt",
    "unknown": "bg-secondary-lt",
}


def term_rules_in_force(on: dt.date) -> dict[str, TermRule]:
    """The TermRule of each organization kind in force on ``on`` (one query)."""
    rules: dict[str, TermRule] = {}
    for rule in TermRule.objects.filter(effective_from__lte=on).order_by("effective_from"):
        rules[rule.org_kind] = rule
    return rules


def derived_end(started_on: dt.date, years: int) -> dt.date:
    return add_years(started_on, years) - ONE_DAY


def term_end(org, rules: dict[str, TermRule]) -> dt.date | None:
    """The stored expiry, or the one derived from the start and the kind's term length."""
    if org.term_ends_on or org.term_started_on is None:
        return org.term_ends_on
    rule = rules.get(org.kind)
    return derived_end(org.term_started_on, rule.years) if rule else None


def remind_from(ends_on: dt.date, remind_months: int) -> dt.date:
    return months_before(ends_on, remind_months)


def term_colour(ends_on: dt.date | None, today: dt.date, remind_months: int) -> str:
    """The colour of a term ending on ``ends_on`` (inclusive), in plain Python."""
    if ends_on is None:
        return "unknown"
    if today > ends_on:
        return "red"
    if today >= remind_from(ends_on, remind_months):
        return "yellow"
    return "green"


def months_left(ends_on: dt.date, today: dt.date) -> int:
    """Whole months from ``today`` to ``ends_on``; negative once expired."""
    months = (ends_on.year - today.year) * 12 + ends_on.month - today.month
    if ends_on >= today and ends_on.day < today.day:
        months -= 1
    if ends_on < today and ends_on.day > today.day:
        months += 1
    return months


def _last_date(guess: dt.date, holds: Callable[[dt.date], bool]) -> dt.date:
    """The latest day for which the monotone (true, then false) ``holds`` is true."""
    day = guess
    while not holds(day):
        day -= ONE_DAY
    while holds(day + ONE_DAY):
        day += ONE_DAY
    return day


@dataclass(frozen=True)
class Thresholds:
    """Latest expiry (or start, when only the start is known) that is red / yellow today."""

    end_red: dt.date
    end_yellow: dt.date
    start_red: dt.date
    start_yellow: dt.date


def thresholds(rule: TermRule, today: dt.date) -> Thresholds:
    end_red = today - ONE_DAY
    end_yellow = _last_date(
        months_before(today, -rule.remind_months),
        lambda end: remind_from(end, rule.remind_months) <= today,
    )
    return Thresholds(
        end_red=end_red,
        end_yellow=end_yellow,
        start_red=_last_date(
            add_years(end_red, -rule.years), lambda s: derived_end(s, rule.years) <= end_red
        ),
        start_yellow=_last_date(
            add_years(end_yellow, -rule.years),
            lambda s: derived_end(s, rule.years) <= end_yellow,
        ),
    )


def _colour_conditions(rules: dict[str, TermRule], today: dt.date) -> list[tuple[Q, str]]:
    known_end = Q(term_ends_on__isnull=False)
    start_only = Q(term_ends_on__isnull=True, term_started_on__isnull=False)
    conditions = [(Q(term_ends_on__isnull=True, term_started_on__isnull=True), "unknown")]
    limits = {kind: thresholds(rule, today) for kind, rule in rules.items()}
    for colour in ("red", "yellow"):
        for kind, limit in limits.items():
            end = limit.end_red if colour == "red" else limit.end_yellow
            start = limit.start_red if colour == "red" else limit.start_yellow
            conditions.append((Q(kind=kind) & known_end & Q(term_ends_on__lte=end), colour))
            conditions.append((Q(kind=kind) & start_only & Q(term_started_on__lte=start), colour))
    return conditions


def with_term_colour(queryset: QuerySet, rules: dict[str, TermRule], today: dt.date):
    """Annotate ``term_colour`` and ``term_rank`` (red first) computed by the database."""
    conditions = _colour_conditions(rules, today)
    colour = Case(
        *[When(q, then=Value(c)) for q, c in conditions],
        default=Value("green"),
        output_field=CharType(),
    )
    rank = Case(
        *[When(q, then=Value(COLOURS.index(c))) for q, c in conditions],
        default=Value(COLOURS.index("green")),
        output_field=IntegerField(),
    )
    return queryset.annotate(term_colour=colour, term_rank=rank)


def with_last_election(queryset: QuerySet):
    last = Election.objects.filter(organization=OuterRef("pk")).order_by("-held_on", "-id")
    return queryset.annotate(
        last_election_id=Subquery(last.values("pk")[:1]),
        last_election_on=Subquery(last.values("held_on")[:1]),
    )


def term_organizations(user, rules: dict[str, TermRule], today: dt.date):
    """Active organizations with a committee term (a kind with a TermRule) in the user's
    ``agenda.view_election`` scope, with colour, rank and last election."""
    queryset = Organization.objects.permitted(user, "agenda.view_election")
    queryset = queryset.filter(is_active=True, kind__in=list(rules))
    return with_last_election(with_term_colour(queryset, rules, today))


def decorate(orgs, rules: dict[str, TermRule], today: dt.date) -> None:
    """Per-row values computed in Python from the row itself (no queries)."""
    for org in orgs:
        rule = rules.get(org.kind)
        org.term_end = term_end(org, rules)
        org.term_start = org.term_started_on or (
            add_years(org.term_end, -rule.years) + ONE_DAY if org.term_end and rule else None
        )
        org.months_left = months_left(org.term_end, today) if org.term_end else None
        org.days_overdue = (
            (today - org.term_end).days if org.term_end and org.term_end < today else 0
        )
        org.remind_from = remind_from(org.term_end, rule.remind_months) if org.term_end else None
        org.badge = COLOUR_BADGE[org.term_colour]
