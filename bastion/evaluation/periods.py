"""Evaluation periods: a period label and its first and last day, for each period kind.

Labels are what a round shows and what makes a round unique per scheme and organization:

- month ``2026-10`` (1–31 October 2026), quarter ``2026Q3``, year ``2026``;
- term: explicit dates. A term of whole months is ``2024-03~2026-02``; any other term is
  ``20240301~20260228`` (the label column holds 20 characters).

Pure functions, no database: forms and services both use them.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MONTH = "month"
QUARTER = "quarter"
YEAR = "year"
TERM = "term"
MIN_YEAR, MAX_YEAR = 2000, 2100

_MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER_RE = re.compile(r"^(\d{4})\s*[Qq]([1-4])$")
_YEAR_RE = re.compile(r"^(\d{4})$")
_TERM_MONTHS_RE = re.compile(r"^(\d{4})-(\d{2})~(\d{4})-(\d{2})$")
_TERM_DAYS_RE = re.compile(r"^(\d{8})~(\d{8})$")


@dataclass(frozen=True)
class Period:
    label: str
    start: dt.date
    end: dt.date


def _last_day(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def add_months(day: dt.date, count: int) -> dt.date:
    """The first day of the month ``count`` months after ``day``'s (before, when negative)."""
    year_, month_ = divmod(day.year * 12 + day.month - 1 + count, 12)
    return dt.date(year_, month_ + 1, 1)


def month_of(day: dt.date) -> Period:
    """The calendar month containing ``day``."""
    return Period(f"{day:%Y-%m}", day.replace(day=1), _last_day(day.year, day.month))


def parse_month(raw) -> dt.date | None:
    """``"YYYY-MM"`` or a date → the month's first day; anything else (or a year outside
    2000–2100) → None."""
    if isinstance(raw, dt.datetime):
        raw = raw.date()
    if isinstance(raw, dt.date):
        return raw.replace(day=1)
    match = _MONTH_RE.match(str(raw or "").strip())
    if not match:
        return None
    year_, month_ = int(match.group(1)), int(match.group(2))
    if not (MIN_YEAR <= year_ <= MAX_YEAR and 1 <= month_ <= 12):
        return None
    return dt.date(year_, month_, 1)


def _check_year(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError(
            _("年份应在 %(low)s 到 %(high)s 之间。") % {"low": MIN_YEAR, "high": MAX_YEAR}
        )


def month(year: int, number: int) -> Period:
    _check_year(year)
    if not 1 <= number <= 12:
        raise ValidationError(_("月份应在 1 到 12 之间。"))
    return Period(f"{year:04d}-{number:02d}", dt.date(year, number, 1), _last_day(year, number))


def quarter(year: int, number: int) -> Period:
    _check_year(year)
    if not 1 <= number <= 4:
        raise ValidationError(_("季度应在 1 到 4 之间。"))
    first = 3 * (number - 1) + 1
    return Period(f"{year:04d}Q{number}", dt.date(year, first, 1), _last_day(year, first + 2))


def year(number: int) -> Period:
    _check_year(number)
    return Period(f"{number:04d}", dt.date(number, 1, 1), dt.date(number, 12, 31))


def term(start: dt.date, end: dt.date) -> Period:
    _check_year(start.year)
    _check_year(end.year)
    if end < start:
        raise ValidationError(_("任期的结束日期不能早于开始日期。"))
    whole_months = start.day == 1 and end == _last_day(end.year, end.month)
    pattern = "%Y-%m" if whole_months else "%Y%m%d"
    return Period(f"{start:{pattern}}~{end:{pattern}}", start, end)


def parse(kind: str, label: str) -> Period:
    """The period a label names; a ``ValidationError`` in Chinese when it names none."""
    text = (label or "").strip()
    try:
        return _parse(kind, text)
    except ValueError:  # a date that does not exist, such as 20250230
        raise ValidationError(_("“%(label)s”不是有效的考评期间。") % {"label": text}) from None


def _parse(kind: str, text: str) -> Period:
    patterns = {MONTH: _MONTH_RE, QUARTER: _QUARTER_RE, YEAR: _YEAR_RE}
    if kind in patterns:
        found = patterns[kind].match(text)
        if not found:
            raise ValueError(text)
        numbers = [int(part) for part in found.groups()]
        return {MONTH: month, QUARTER: quarter, YEAR: year}[kind](*numbers)
    if kind == TERM:
        found = _TERM_MONTHS_RE.match(text)
        if found:
            y1, m1, y2, m2 = (int(part) for part in found.groups())
            return term(dt.date(y1, m1, 1), _last_day(y2, m2))
        found = _TERM_DAYS_RE.match(text)
        if found:
            first, last = (dt.datetime.strptime(p, "%Y%m%d").date() for p in found.groups())
            return term(first, last)
        raise ValueError(text)
    raise ValidationError(_("未知的考评周期“%(kind)s”。") % {"kind": kind})


def containing(kind: str, day: dt.date) -> Period | None:
    """The month, quarter or year that contains ``day`` (None for a term: it has no rhythm)."""
    if kind == MONTH:
        return month(day.year, day.month)
    if kind == QUARTER:
        return quarter(day.year, (day.month - 1) // 3 + 1)
    if kind == YEAR:
        return year(day.year)
    return None


def previous(kind: str, today: dt.date) -> Period | None:
    """The last whole period before ``today``: what a round opened today usually evaluates."""
    current = containing(kind, today)
    if current is None:
        return None
    return containing(kind, current.start - dt.timedelta(days=1))
