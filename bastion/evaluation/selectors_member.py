"""A member's own evaluation (home cards): their points this month and year, their titles.

Through the door (``restrict``: a member sees their own rows); one aggregate query for the
points, one for the titles, whatever the number of entries or rounds.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Count, Q, Sum

from .models import EntryState, PointsEntry, TitleAward, TitleKind
from .selectors_titles import BADGE_CLASS, stars_text

TITLES_SHOWN = 6


def own_points(user, person, today: dt.date) -> dict:
    """Approved points this month and this year; entries pending review; entries not
    approved this year (the member may want to know why)."""
    month_start, year_start = today.replace(day=1), today.replace(month=1, day=1)
    approved = Q(state=EntryState.APPROVED)
    totals = (
        PointsEntry.objects.restrict(user, "view")
        .filter(person=person)
        .order_by()
        .aggregate(
            month=Sum("points", filter=approved & Q(occurred_on__gte=month_start)),
            year=Sum("points", filter=approved & Q(occurred_on__gte=year_start)),
            pending=Count("id", filter=Q(state=EntryState.PENDING)),
            rejected=Count("id", filter=Q(state=EntryState.REJECTED, occurred_on__gte=year_start)),
        )
    )
    totals["month"] = totals["month"] or Decimal(0)
    totals["year"] = totals["year"] or Decimal(0)
    return totals


def own_titles(user, person) -> list[TitleAward]:
    """The person's own titles still held (watch-list entries lifted are gone), newest first."""
    awards = list(
        TitleAward.objects.restrict(user, "view")
        .filter(person=person, lifted_on__isnull=True)
        .select_related("round")
        .only("kind", "name", "stars", "awarded_on", "total", "round__name", "round_id")
        .order_by("-awarded_on", "-pk")[:TITLES_SHOWN]
    )
    for award in awards:
        award.css = BADGE_CLASS.get(award.kind, "bg-secondary-lt")
        award.stars_text = stars_text(award.stars) if award.kind == TitleKind.STAR else ""
    return awards
