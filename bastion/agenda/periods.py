"""Recurrence arithmetic: the periods a rule covers in a year and each period's due date.

Pure functions on dates, no database: the generator and the tests share them.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date
    label: str


def month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def day_in_month(year: int, month: int, day: int) -> dt.date:
    """Day ``day`` of the month, 0 meaning the last day; clipped to month end (31 → 30 Apr)."""
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, last if day == 0 else min(day, last))


def add_years(day: dt.date, years: int) -> dt.date:
    """Same calendar day ``years`` later; 29 Feb becomes 28 Feb in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def months_before(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    return day_in_month(year, month + 1, day.day)


def periods_in_year(recurrence: str, year: int, *, due_on: dt.date | None = None) -> list[Period]:
    """The calendar periods of ``year`` for a monthly, quarterly, yearly or one-off rule."""
    if recurrence == "monthly":
        return [
            Period(dt.date(year, m, 1), month_end(year, m), f"{year}-{m:02d}") for m in range(1, 13)
        ]
    if recurrence == "quarterly":
        return [
            Period(dt.date(year, 3 * q - 2, 1), month_end(year, 3 * q), f"{year}Q{q}")
            for q in range(1, 5)
        ]
    if recurrence == "yearly":
        return [Period(dt.date(year, 1, 1), dt.date(year, 12, 31), str(year))]
    if recurrence == "once":
        if due_on is None or due_on.year != year:
            return []
        return [Period(dt.date(year, 1, 1), due_on, due_on.isoformat())]
    raise ValueError(f"periods_in_year does not handle {recurrence}")


def due_date(recurrence: str, period: Period, *, due_month: int, due_day: int) -> dt.date:
    """When a period's work falls due.

    Monthly: day ``due_day`` of the month. Quarterly: month ``due_month`` of the quarter (1-3,
    0 = the last). Yearly: month ``due_month`` (1-12, 0 = December). Day 0 is the month's end.
    One-off and per-term periods end on their due date.
    """
    start = period.start
    if recurrence == "monthly":
        return day_in_month(start.year, start.month, due_day)
    if recurrence == "quarterly":
        offset = (due_month or 3) - 1
        return day_in_month(start.year, start.month + min(offset, 2), due_day)
    if recurrence == "yearly":
        return day_in_month(start.year, min(due_month or 12, 12), due_day)
    return period.end


def term_period(started_on: dt.date | None, ends_on: dt.date | None, years: int) -> Period | None:
    """An organization's current term; the start is derived from the length when missing."""
    if ends_on is None:
        if started_on is None:
            return None
        ends_on = add_years(started_on, years) - dt.timedelta(days=1)
    start = started_on or add_years(ends_on, -years) + dt.timedelta(days=1)
    return Period(start, ends_on, f"{start.year}-{ends_on.year}届")


def alert_windows(due_on: dt.date, green_days: int, yellow_days: int) -> tuple[dt.date, dt.date]:
    """Green notice from ``green_days`` before the due date, yellow reminder from ``yellow_days``.

    A yellow window wider than the green one starts both at the yellow date.
    """
    yellow_from = due_on - dt.timedelta(days=yellow_days)
    green_from = min(due_on - dt.timedelta(days=green_days), yellow_from)
    return green_from, yellow_from
