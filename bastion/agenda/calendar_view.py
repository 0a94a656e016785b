"""The calendar read as people read it: due rules in words and the year in 24 half-months.

S4's 《党建工作二十四节气表》 lays the year out so that "一表观全年": each month split in two at
its 中气 (the second solar term, the 18th-23rd), each half named after the solar term that
falls in it, with the work due in each half. The seeded rules fall due on solar terms (节 in
the first half, 中气 in the second), so both halves carry work. The dates are the year's own
(``solar_terms``). Pure functions over rule versions already loaded (no queries here).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bastion.core.periods import month_end
from bastion.orgs.models.organization import OrganizationKind, UnitKind

from .models import CalendarRule, Recurrence
from .periods import alert_windows, periods_in_year
from .services.obligations import rule_due_date, version_for
from .solar_terms import NAMES, month_terms

# The two solar terms of each month: its 节 (first half) and its 中气 (second half).
SOLAR_TERMS = [(NAMES[2 * m], NAMES[2 * m + 1]) for m in range(12)]
RECURRENCE_BADGE = {
    "monthly": "bg-secondary-lt",
    "quarterly": "bg-blue-lt",
    "yearly": "bg-purple-lt",
    "once": "bg-orange-lt",
    "per_term": "bg-red-lt",
}
# Whole phrases, not pieces, so that each reads as a sentence in every language.
MONTHLY_DUE = (gettext_lazy("每月最后一天"), gettext_lazy("每月%(day)s日"))
QUARTERLY_DUE = {
    1: (gettext_lazy("每季度首月最后一天"), gettext_lazy("每季度首月%(day)s日")),
    2: (gettext_lazy("每季度第二个月最后一天"), gettext_lazy("每季度第二个月%(day)s日")),
    3: (gettext_lazy("每季度末月最后一天"), gettext_lazy("每季度末月%(day)s日")),
}
YEARLY_DUE = (gettext_lazy("每年%(month)s月最后一天"), gettext_lazy("每年%(month)s月%(day)s日"))
# Due on a solar term (DueTerm 1 = the month's 节, 2 = its 中气).
MONTHLY_TERM_DUE = {
    1: gettext_lazy("每月第一个节气（节，约4-8日）"),
    2: gettext_lazy("每月第二个节气（中气，约18-23日）"),
}
QUARTERLY_TERM_DUE = gettext_lazy("每季度%(which)s的%(term)s（%(names)s）")
QUARTER_MONTHS = {1: gettext_lazy("首月"), 2: gettext_lazy("第二个月"), 3: gettext_lazy("末月")}
TERM_KINDS = {1: gettext_lazy("第一个节气"), 2: gettext_lazy("第二个节气")}
YEARLY_TERM_DUE = gettext_lazy("每年%(term)s（%(month)s月）")


def due_rule_text(rule: CalendarRule) -> str:
    """ "每季度末月最后一天", "每年12月最后一天", "每月15日"."""
    values = {"day": rule.due_day, "month": rule.due_month or 12}
    pick = 1 if rule.due_day else 0
    if rule.due_term in (1, 2) and rule.recurrence in TERM_RECURRENCES:
        return _term_due_text(rule)
    if rule.recurrence == Recurrence.MONTHLY:
        return str(MONTHLY_DUE[pick]) % values
    if rule.recurrence == Recurrence.QUARTERLY:
        return str(QUARTERLY_DUE[min(rule.due_month or 3, 3)][pick]) % values
    if rule.recurrence == Recurrence.YEARLY:
        return str(YEARLY_DUE[pick]) % values
    if rule.recurrence == Recurrence.PER_TERM:
        return _("本届任期届满之日前")
    if rule.due_on:
        return _("%(year)s年%(month)s月%(day)s日前") % {
            "year": rule.due_on.year,
            "month": rule.due_on.month,
            "day": rule.due_on.day,
        }
    return "—"


TERM_RECURRENCES = (Recurrence.MONTHLY, Recurrence.QUARTERLY, Recurrence.YEARLY)


def _term_due_text(rule: CalendarRule) -> str:
    """ "每月第二个节气（中气，约18-23日）", "每季度末月的第二个节气（春分、夏至、秋分、冬至）",
    "每年大雪（12月）"."""
    term = rule.due_term
    if rule.recurrence == Recurrence.MONTHLY:
        return str(MONTHLY_TERM_DUE[term])
    if rule.recurrence == Recurrence.QUARTERLY:
        which = min(rule.due_month or 3, 3)
        names = "、".join(str(NAMES[2 * (q * 3 + which - 1) + term - 1]) for q in range(4))
        return str(QUARTERLY_TERM_DUE) % {
            "which": QUARTER_MONTHS[which],
            "term": TERM_KINDS[term],
            "names": names,
        }
    month = min(rule.due_month or 12, 12)
    return str(YEARLY_TERM_DUE) % {"term": NAMES[2 * (month - 1) + term - 1], "month": month}


def windows_text(rule: CalendarRule) -> str:
    return _("提前 %(green)s 天绿色通知，提前 %(yellow)s 天黄色提醒，逾期红色告警") % {
        "green": rule.green_days,
        "yellow": rule.yellow_days,
    }


def applies_text(rule: CalendarRule) -> str:
    kinds = dict(OrganizationKind.choices)
    units = dict(UnitKind.choices)
    text = (
        "、".join(str(kinds.get(k, k)) for k in rule.applies_kinds)
        if rule.applies_kinds
        else _("全部组织类型")
    )
    if rule.applies_unit_kinds:
        text += _("（限：%(units)s）") % {
            "units": "、".join(str(units.get(u, u)) for u in rule.applies_unit_kinds)
        }
    return text


def quorum_text(rule: CalendarRule) -> str:
    """0.50 → "有表决权的党员实到须超过 50%"."""
    if rule.quorum_ratio is None:
        return ""
    percent = f"{rule.quorum_ratio * 100:.0f}"
    return _("有表决权的党员实到须超过 %(percent)s%%") % {"percent": percent}


def describe(rule: CalendarRule) -> CalendarRule:
    """Attach the words a page shows (due rule, windows, applies-to) to a rule version."""
    rule.due_text = due_rule_text(rule)
    rule.windows_text = windows_text(rule)
    rule.applies_text = applies_text(rule)
    rule.badge = RECURRENCE_BADGE.get(rule.recurrence, "bg-secondary-lt")
    rule.quorum_text = quorum_text(rule)
    return rule


@dataclass
class Entry:
    rule: CalendarRule
    due_on: dt.date
    starts: bool = False  # the green notice of an item due in a later month starts here

    @property
    def badge(self) -> str:
        return "bg-green-lt" if self.starts else RECURRENCE_BADGE[self.rule.recurrence]


@dataclass
class HalfMonth:
    term: str
    first_day: int
    last_day: int
    term_day: int = 0  # the day of the month the solar term falls on
    entries: list[Entry] = field(default_factory=list)


@dataclass
class Month:
    number: int
    halves: list[HalfMonth]

    @property
    def count(self) -> int:
        return sum(1 for half in self.halves for e in half.entries if not e.starts)


def _empty_year(year: int) -> list[Month]:
    """Each month in two halves: up to the day before its 中气, and from its 中气 on."""
    months = []
    for number, (first, second) in enumerate(SOLAR_TERMS, start=1):
        last = month_end(year, number).day
        jie, zhongqi = month_terms(year, number)
        months.append(
            Month(
                number,
                [
                    HalfMonth(str(first), 1, zhongqi.day - 1, jie.day),
                    HalfMonth(str(second), zhongqi.day, last, zhongqi.day),
                ],
            )
        )
    return months


def _slot(months: list[Month], day: dt.date) -> HalfMonth:
    halves = months[day.month - 1].halves
    return halves[0 if day.day <= halves[0].last_day else 1]


def year_calendar(year: int, versions: dict[str, list[CalendarRule]]) -> list[Month]:
    """The 24 half-months of ``year`` with what falls due in each, by the version in force.

    An item whose green notice starts in an earlier month (组织生活会: 90 days) also shows
    there, marked as the time to start preparing. Per-term items depend on each
    organization's term and are listed apart (``term_items``).
    """
    months = _empty_year(year)
    for rule_list in versions.values():
        newest = rule_list[0]
        if newest.recurrence == Recurrence.PER_TERM:
            continue
        for period in periods_in_year(newest.recurrence, year, due_on=newest.due_on):
            rule = version_for(rule_list, period)
            if rule is None or not rule.is_active:
                continue
            due = rule_due_date(rule, period)
            _slot(months, due).entries.append(Entry(rule, due))
            green_from, _yellow = alert_windows(due, rule.green_days, rule.yellow_days)
            if green_from.year == year and green_from.month != due.month:
                _slot(months, green_from).entries.append(Entry(rule, due, starts=True))
    for month in months:
        for half in month.halves:
            half.entries.sort(key=lambda e: (e.starts, e.due_on, e.rule.sort_order, e.rule.code))
    return months


def term_items(versions: dict[str, list[CalendarRule]], today: dt.date) -> list[CalendarRule]:
    """Per-term rules in force today (支部换届): due on each organization's term expiry."""
    items = []
    for rule_list in versions.values():
        current = next((r for r in rule_list if r.effective_from <= today), None)
        if current and current.is_active and current.recurrence == Recurrence.PER_TERM:
            items.append(describe(current))
    return sorted(items, key=lambda r: (r.sort_order, r.code))
