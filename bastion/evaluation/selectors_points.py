"""党员积分手册 reads: balances (approved points) per person and month, the ledger, the queue.

Balances are sums in the database (one grouped query), never Python loops over entries. Callers
pass querysets already narrowed by ``PointsEntry.objects.restrict``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth

from bastion.core.periods import MONTH, Period, add_months
from bastion.orgs.models import Person

from .models import EntryState, PointsEntry, PointsItem
from .services.points import APPROVE, MEMBER_STATUSES


def month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    period = Period.containing(MONTH, month)
    return period.start, period.end


def months_back(today: dt.date, count: int = 12) -> list[dt.date]:
    """The first days of the ``count`` months ending with ``today``'s, oldest first."""
    return [add_months(today, -back) for back in range(count - 1, -1, -1)]


def approved(queryset):
    return queryset.filter(state=EntryState.APPROVED)


def balances(queryset, start: dt.date, end: dt.date) -> dict[int, Decimal]:
    """person id → approved points with ``start <= occurred_on <= end``."""
    rows = (
        approved(queryset)
        .filter(occurred_on__gte=start, occurred_on__lte=end)
        .values("person_id")
        .annotate(total=Sum("points"))
        .values_list("person_id", "total")
    )
    return dict(rows)


def monthly(queryset, today: dt.date, count: int = 12) -> list[dict]:
    """Per month (oldest first): approved total, entries counted and entries pending."""
    months = months_back(today, count)
    rows = (
        queryset.filter(occurred_on__gte=months[0], occurred_on__lte=month_bounds(today)[1])
        .annotate(month=TruncMonth("occurred_on"))
        .values("month")
        .annotate(
            total=Sum("points", filter=Q(state=EntryState.APPROVED)),
            counted=Count("id", filter=Q(state=EntryState.APPROVED)),
            pending=Count("id", filter=Q(state=EntryState.PENDING)),
        )
    )
    found = {_as_date(r["month"]): r for r in rows}
    return [
        {
            "month": month,
            "total": (found.get(month) or {}).get("total") or Decimal(0),
            "counted": (found.get(month) or {}).get("counted") or 0,
            "pending": (found.get(month) or {}).get("pending") or 0,
        }
        for month in months
    ]


def _as_date(value) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def ranking(queryset, start: dt.date, end: dt.date, limit: int = 50):
    """Members by approved points in the period, highest first (with name and branch)."""
    return list(
        approved(queryset)
        .filter(occurred_on__gte=start, occurred_on__lte=end)
        .values("person_id", "person__name", "person__organization__name")
        .annotate(total=Sum("points"), entries=Count("id"))
        .order_by("-total", "person__name", "person_id")[:limit]
    )


def ledger(queryset):
    return queryset.select_related(
        "person__organization", "item", "recorded_by", "approver__person__organization"
    ).order_by("-occurred_on", "-id")


def pending_for(user):
    """Entries waiting for ``user``'s review: in their approve scope, not their own."""
    return ledger(
        PointsEntry.objects.restrict(user, "approve")
        .filter(state=EntryState.PENDING)
        .exclude(person__user=user)
    ).order_by("occurred_on", "id")


def people_to_record_for(user):
    """Members (full or probationary) whose points ``user`` may record directly."""
    return Person.objects.permitted(user, APPROVE).filter(membership_status__in=MEMBER_STATUSES)


def handbook():
    """Active items by category, in the handbook's order."""
    return PointsItem.objects.filter(is_active=True).order_by("category", "code")
