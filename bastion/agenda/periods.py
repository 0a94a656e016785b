"""Recurrence arithmetic: the periods a rule covers in a year and each period's due date.

Pure functions on dates, no database: the generator and the tests share them. The periods are
``bastion.core.periods.Period``; a one-off item's period runs from 1 January to its due date,
a term's from its first to its last day.
"""

from __future__ import annotations

import datetime as dt

from bastion.core.periods import (
    MONTH,
    QUARTER,
    TERM,
    Period,
    add_years,
    day_in_month,
)

from .solar_terms import month_terms

CALENDAR = {"monthly": (MONTH, 12), "quarterly": (QUARTER, 4)}


def periods_in_year(recurrence: str, year: int, *, due_on: dt.date | None = None) -> list[Period]:
    """The calendar periods of ``year`` for a monthly, quarterly, yearly or one-off rule."""
    if recurrence in CALENDAR:
        kind, count = CALENDAR[recurrence]
        return [Period.of(kind, year, number) for number in range(1, count + 1)]
    if recurrence == "yearly":
        return [Period.whole_year(year)]
    if recurrence == "once":
        if due_on is None or due_on.year != year:
            return []
        return [Period(TERM, dt.date(year, 1, 1), due_on)]
    raise ValueError(f"periods_in_year does not handle {recurrence}")


def obligation_label(recurrence: str, period: Period) -> str:
    """What an obligation shows as its period: the period's label (``2026Q3``), the due date
    of a one-off item, the years of a term (``2023-2026届``)."""
    if recurrence == "once":
        return period.end.isoformat()
    if recurrence == "per_term":
        return f"{period.start.year}-{period.end.year}届"
    return period.label


def due_date(
    recurrence: str, period: Period, *, due_month: int, due_day: int, due_term: int = 0
) -> dt.date:
    """When a period's work falls due.

    Monthly: in the period's month. Quarterly: month ``due_month`` of the quarter (1-3,
    0 = the last). Yearly: month ``due_month`` (1-12, 0 = December). In that month, on the
    day of its first or second solar term when ``due_term`` is 1 or 2 (二十四节气表), else on
    day ``due_day`` (0 is the month's end). One-off and per-term periods end on their due date.
    """
    start = period.start
    if recurrence == "monthly":
        month = start.month
    elif recurrence == "quarterly":
        month = start.month + min((due_month or 3) - 1, 2)
    elif recurrence == "yearly":
        month = min(due_month or 12, 12)
    else:
        return period.end
    if due_term in (1, 2):
        return month_terms(start.year, month)[due_term - 1]
    return day_in_month(start.year, month, due_day)


def term_period(started_on: dt.date | None, ends_on: dt.date | None, years: int) -> Period | None:
    """An organization's current term; the start is derived from the length when missing.
    None when there is no term to speak of (no dates, or an end before the start)."""
    if ends_on is None:
        if started_on is None:
            return None
        ends_on = add_years(started_on, years) - dt.timedelta(days=1)
    start = started_on or add_years(ends_on, -years) + dt.timedelta(days=1)
    if ends_on < start:
        return None
    return Period(TERM, start, ends_on)


def alert_windows(due_on: dt.date, green_days: int, yellow_days: int) -> tuple[dt.date, dt.date]:
    """Green notice from ``green_days`` before the due date, yellow reminder from ``yellow_days``.

    A yellow window wider than the green one starts both at the yellow date.
    """
    yellow_from = due_on - dt.timedelta(days=yellow_days)
    green_from = min(due_on - dt.timedelta(days=green_days), yellow_from)
    return green_from, yellow_from
