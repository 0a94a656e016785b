"""Alert colours as SQL conditions, for counting by colour in the database.

The same date conditions as ``ObligationQuerySet.with_alert`` and ``alerts.alert_level``:
``alert_q(level, today)`` filters or counts, ``alert_counts(today)`` gives one conditional
``Count`` per colour, ``alert_case(today)`` names the colour of each row.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, CharField, Count, F, Q, Value, When

from bastion.core.alerts import LEVELS, OPEN_LEVELS

DONE_LEVELS = ("done", "late")


def alert_q(level: str, today: dt.date, prefix: str = "") -> Q:
    """Rows of colour ``level`` on ``today``; ``prefix`` reaches the obligation through a
    relation (``"obligations__"``)."""

    def q(**lookups) -> Q:
        return Q(**{f"{prefix}{name}": value for name, value in lookups.items()})

    open_ = q(fulfilled_on__isnull=True)
    if level == "upcoming":
        return open_ & q(green_from__gt=today)
    if level == "green":
        return open_ & q(green_from__lte=today, yellow_from__gt=today)
    if level == "yellow":
        return open_ & q(yellow_from__lte=today, due_on__gte=today)
    if level == "red":
        return open_ & q(due_on__lt=today)
    if level == "done":
        return q(fulfilled_on__isnull=False, fulfilled_on__lte=F(f"{prefix}due_on"))
    if level == "late":
        return q(fulfilled_on__isnull=False, fulfilled_on__gt=F(f"{prefix}due_on"))
    raise ValueError(f"unknown alert level {level!r}")


def fulfilled_q(prefix: str = "") -> Q:
    return Q(**{f"{prefix}fulfilled_on__isnull": False})


def alert_counts(today: dt.date, prefix: str = "") -> dict[str, Count]:
    """``{"expected", "actual", <level>...}`` as aggregates, for ``.annotate`` or ``.aggregate``."""
    counts = {
        "expected": Count(f"{prefix}id"),
        "actual": Count(f"{prefix}id", filter=fulfilled_q(prefix)),
    }
    for level in LEVELS:
        counts[level] = Count(f"{prefix}id", filter=alert_q(level, today, prefix))
    return counts


def alert_case(today: dt.date) -> Case:
    """The colour of each row as a string column."""
    return Case(
        *(When(alert_q(level, today), then=Value(level)) for level in LEVELS),
        output_field=CharField(),
    )


__all__ = ["DONE_LEVELS", "OPEN_LEVELS", "alert_case", "alert_counts", "alert_q", "fulfilled_q"]


def completion_by_org(org_ids, start: dt.date, end: dt.date, today: dt.date) -> dict:
    """organization id → (fulfilled, owed): obligations due between ``start`` and ``end`` (and
    already due by ``today``) and how many of them are fulfilled. The evaluation reads this."""
    from .models import Obligation

    rows = (
        Obligation.objects.filter(
            organization_id__in=org_ids, due_on__gte=start, due_on__lte=min(end, today)
        )
        .values("organization_id")
        .annotate(owed=Count("id"), fulfilled=Count("id", filter=Q(fulfilled_on__isnull=False)))
        .values_list("organization_id", "fulfilled", "owed")
    )
    return {org_id: (fulfilled, owed) for org_id, fulfilled, owed in rows}


# --- the rows behind completion_by_org (an evaluation result lists them) -----------------------


def obligations_counted(org_ids, start: dt.date, end: dt.date, today: dt.date):
    """The obligations ``completion_by_org`` counts, as rows: due between ``start`` and ``end``
    and already due by ``today``. ``obligation_fulfilled_q`` marks the fulfilled ones."""
    from .models import Obligation

    return Obligation.objects.filter(
        organization_id__in=org_ids, due_on__gte=start, due_on__lte=min(end, today)
    )


def obligation_fulfilled_q() -> Q:
    return Q(fulfilled_on__isnull=False)
