"""Periods: one type for every module, with one label format.

A period is a calendar month, quarter, half-year or year, or a term (任期) between two dates.
Its ``label`` names it in URLs, files, charts and stored rows, and parses back to the same
period:

- month ``2026-11``, quarter ``2026Q3``, half-year ``2026H1``, year ``2026``;
- term: ``2024-03~2026-02`` when it covers whole months, else ``20240315~20260314``.

``Period.parse`` also reads the older ``2026-Q3`` / ``2026-H1`` forms, lower-case letters and
stray spaces, so old links keep working; ``title`` is the Chinese name people read
(``2026年第三季度``). Pure code on dates, no database.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

MONTH, QUARTER, HALF, YEAR, TERM = "month", "quarter", "half", "year", "term"
CALENDAR_KINDS = (MONTH, QUARTER, HALF, YEAR)
KINDS = (*CALENDAR_KINDS, TERM)
MONTHS_IN = {MONTH: 1, QUARTER: 3, HALF: 6, YEAR: 12}
MIN_YEAR, MAX_YEAR = 2000, 2100  # what a label may name
# Chinese names a quarter in words (第三季度), English by number (Q3 2026).
QUARTER_NUMBERS = {
    1: pgettext_lazy("季度序号", "一"),
    2: pgettext_lazy("季度序号", "二"),
    3: pgettext_lazy("季度序号", "三"),
    4: pgettext_lazy("季度序号", "四"),
}

_PATTERNS = (
    (YEAR, re.compile(r"^(\d{4})$")),
    (HALF, re.compile(r"^(\d{4})-?H([12])$")),
    (QUARTER, re.compile(r"^(\d{4})-?Q([1-4])$")),
    (MONTH, re.compile(r"^(\d{4})-(\d{1,2})$")),
    (TERM, re.compile(r"^(\d{4})-(\d{2})~(\d{4})-(\d{2})$")),
    (TERM, re.compile(r"^(\d{4})(\d{2})(\d{2})~(\d{4})(\d{2})(\d{2})$")),
)


# --- date arithmetic ----------------------------------------------------------------------------


def month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def day_in_month(year: int, month: int, day: int) -> dt.date:
    """Day ``day`` of the month, 0 meaning the last day; clipped to month end (31 → 30 Apr)."""
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, last if day == 0 else min(day, last))


def add_months(day: dt.date, count: int) -> dt.date:
    """The first day of the month ``count`` months after ``day``'s (before, when negative)."""
    year, month = divmod(day.year * 12 + day.month - 1 + count, 12)
    return dt.date(year, month + 1, 1)


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` months earlier, clipped to that month's end."""
    first = add_months(day, -months)
    return day_in_month(first.year, first.month, day.day)


def add_years(day: dt.date, years: int) -> dt.date:
    """Same calendar day ``years`` later; 29 Feb becomes 28 Feb in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def parse_month(raw) -> dt.date | None:
    """``"YYYY-MM"`` or a date → the month's first day; anything else (or a year outside
    2000–2100) → None."""
    if isinstance(raw, dt.datetime):
        raw = raw.date()
    if isinstance(raw, dt.date):
        return raw.replace(day=1)
    period = Period.parse_or_none(raw, MONTH)
    return period.start if period else None


# --- the period ---------------------------------------------------------------------------------


@functools.total_ordering
@dataclass(frozen=True, repr=False)
class Period:
    """One period; build it with the class methods, which check what they are given."""

    kind: str
    start: dt.date
    end: dt.date

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown period kind {self.kind!r}")
        if self.end < self.start:
            raise ValidationError(_("期间的结束日期不能早于开始日期。"), code="invalid_period")

    # --- building -------------------------------------------------------------------------------

    @classmethod
    def of(cls, kind: str, year: int, number: int = 1) -> Period:
        """The ``number``-th month, quarter or half of ``year`` (ignored for a year)."""
        if kind not in CALENDAR_KINDS:
            raise ValueError(f"{kind!r} is not a calendar period")
        size = MONTHS_IN[kind]
        number = 1 if kind == YEAR else number
        if not 1 <= number <= 12 // size:
            raise ValidationError(str(_BAD_NUMBER[kind]), code="invalid_period")
        first = size * (number - 1) + 1
        return cls(kind, dt.date(year, first, 1), month_end(year, first + size - 1))

    @classmethod
    def month(cls, year: int, number: int) -> Period:
        return cls.of(MONTH, year, number)

    @classmethod
    def quarter(cls, year: int, number: int) -> Period:
        return cls.of(QUARTER, year, number)

    @classmethod
    def half(cls, year: int, number: int) -> Period:
        return cls.of(HALF, year, number)

    @classmethod
    def whole_year(cls, year: int) -> Period:
        return cls.of(YEAR, year)

    @classmethod
    def term(cls, start: dt.date, end: dt.date) -> Period:
        """A term given by people: both years within 2000–2100, the end not before the start."""
        _check_year(start.year)
        _check_year(end.year)
        if end < start:
            raise ValidationError(_("任期的结束日期不能早于开始日期。"), code="invalid_period")
        return cls(TERM, start, end)

    @classmethod
    def containing(cls, kind: str, day: dt.date) -> Period:
        """The month, quarter, half or year that contains ``day``."""
        return cls.of(kind, day.year, (day.month - 1) // MONTHS_IN[kind] + 1)

    @classmethod
    def parse(cls, text, kind: str | None = None) -> Period:
        """The period a label names (of ``kind`` when given); a Chinese ``ValidationError``
        when it names none, saying which number is out of range when one is."""
        if kind is not None and kind not in KINDS:
            raise ValidationError(
                _("未知的周期类型“%(kind)s”。") % {"kind": kind}, code="invalid_period"
            )
        label = re.sub(r"\s+", "", str(text or "")).upper()
        for found_kind, pattern in _PATTERNS:
            found = pattern.match(label)
            if found and kind in (None, found_kind):
                try:
                    return _from_numbers(found_kind, [int(part) for part in found.groups()])
                except ValueError:  # a date that does not exist, such as 20250230
                    break
                except ValidationError as exc:  # a number out of range, such as month 13
                    reason = " ".join(exc.messages).rstrip("。")
                    message = _bad_label(kind, text, reason)
                    raise ValidationError(message, code="invalid_period") from None
        raise ValidationError(_bad_label(kind, text), code="invalid_period")

    @classmethod
    def parse_or_none(cls, text, kind: str | None = None) -> Period | None:
        try:
            return cls.parse(text, kind)
        except ValidationError:
            return None

    @classmethod
    def series(cls, first: Period, last: Period) -> Iterator[Period]:
        """``first``, the periods after it and ``last`` (nothing when ``last`` comes first)."""
        period = first
        while period <= last:
            yield period
            period = period.next()

    # --- reading --------------------------------------------------------------------------------

    @property
    def year(self) -> int:
        return self.start.year

    @property
    def number(self) -> int:
        """The month (1–12), quarter (1–4) or half (1–2) within its year; 0 for a year or term."""
        if self.kind in (YEAR, TERM):
            return 0
        return (self.start.month - 1) // MONTHS_IN[self.kind] + 1

    @property
    def label(self) -> str:
        if self.kind == MONTH:
            return f"{self.start:%Y-%m}"
        if self.kind == QUARTER:
            return f"{self.year}Q{self.number}"
        if self.kind == HALF:
            return f"{self.year}H{self.number}"
        if self.kind == YEAR:
            return str(self.year)
        whole_months = self.start.day == 1 and self.end == month_end(self.end.year, self.end.month)
        pattern = "%Y-%m" if whole_months else "%Y%m%d"
        return f"{self.start:{pattern}}~{self.end:{pattern}}"

    @property
    def title(self) -> str:
        """The period's name in Chinese: 2026年3月, 2026年第三季度, 2026年上半年, 2026年."""
        values = {"year": self.year, "n": self.number}
        if self.kind == MONTH:
            return _("%(year)s年%(n)s月") % values
        if self.kind == QUARTER:
            return _("%(year)s年第%(n)s季度") % {**values, "n": QUARTER_NUMBERS[self.number]}
        if self.kind == HALF:
            return (_("%(year)s年上半年") if self.number == 1 else _("%(year)s年下半年")) % values
        if self.kind == YEAR:
            return _("%(year)s年") % values
        return _("%(start)s至%(end)s") % {"start": self.start, "end": self.end}

    def __str__(self) -> str:
        return self.label

    def __repr__(self) -> str:
        return f"<Period {self.label}>"

    def __contains__(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def __lt__(self, other: Period) -> bool:
        return (self.start, self.end) < (other.start, other.end)

    def months(self) -> Iterator[Period]:
        """The calendar months the period overlaps, in order."""
        return Period.series(
            Period.containing(MONTH, self.start), Period.containing(MONTH, self.end)
        )

    def next(self) -> Period:
        """The period of the same kind right after this one."""
        return Period.containing(self._calendar_kind(), self.end + dt.timedelta(days=1))

    def previous(self) -> Period:
        """The period of the same kind right before this one."""
        return Period.containing(self._calendar_kind(), self.start - dt.timedelta(days=1))

    def _calendar_kind(self) -> str:
        if self.kind == TERM:
            raise ValueError("a term has no next or previous period")
        return self.kind


_BAD_NUMBER = {
    MONTH: gettext_lazy("月份应在 1 到 12 之间。"),
    QUARTER: gettext_lazy("季度应在 1 到 4 之间。"),
    HALF: gettext_lazy("半年应为 1（上半年）或 2（下半年）。"),
}


def _check_year(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError(
            _("年份应在 %(low)s 到 %(high)s 之间。") % {"low": MIN_YEAR, "high": MAX_YEAR},
            code="invalid_period",
        )


def _from_numbers(kind: str, numbers: list[int]) -> Period:
    """A period from the numbers of its label: a ValidationError saying which number is out of
    range, ValueError for a day that does not exist (20250230)."""
    if kind == TERM:
        if len(numbers) == 4:
            start, end = dt.date(numbers[0], numbers[1], 1), month_end(numbers[2], numbers[3])
        else:
            start, end = dt.date(*numbers[:3]), dt.date(*numbers[3:])
        return Period.term(start, end)
    _check_year(numbers[0])
    return Period.of(kind, *numbers)


def _bad_label(kind: str | None, text, reason: str = "") -> str:
    forms = {
        MONTH: _("月份，如 2026-03"),
        QUARTER: _("季度，如 2026Q3"),
        HALF: _("半年，如 2026H1"),
        YEAR: _("年份，如 2026"),
        TERM: _("任期，如 2024-03~2026-02 或 20240315~20260314"),
    }
    what = forms.get(kind) or _("年份（2026）、半年（2026H1）、季度（2026Q3）或月份（2026-03）")
    values = {"label": str(text or "").strip(), "what": what, "reason": reason}
    if reason:
        return _("周期“%(label)s”无效：%(reason)s；应写成%(what)s。") % values
    return _("周期“%(label)s”无效，应写成%(what)s。") % values
