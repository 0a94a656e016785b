"""The calendar read as people read it: due rules in words and the year in 24 half-months.

S4's 《党建工作二十四节气表》 lays the year out so that "一表观全年": each month split in two
halves named after the solar terms that fall in them, with the work due in each half. Pure
functions over rule versions already loaded (no queries here).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bastion.core.periods import month_end
from bastion.orgs.models.organization import OrganizationKind, UnitKind

from .models import CalendarRule, Recurrence
from .periods import alert_windows, due_date, periods_in_year
from .services.obligations import version_for

# The two solar terms of each month (first falls in days 1-15, second in 16-end).
SOLAR_TERMS = [
    (gettext_lazy("小寒"), gettext_lazy("大寒")),
    (gettext_lazy("立春"), gettext_lazy("雨水")),
    (gettext_lazy("惊蛰"), gettext_lazy("春分")),
    (gettext_lazy("清明"), gettext_lazy("谷雨")),
    (gettext_lazy("立夏"), gettext_lazy("小满")),
    (gettext_lazy("芒种"), gettext_lazy("夏至")),
    (gettext_lazy("小暑"), gettext_lazy("大暑")),
    (gettext_lazy("立秋"), gettext_lazy("处暑")),
    (gettext_lazy("白露"), gettext_lazy("秋分")),
    (gettext_lazy("寒露"), gettext_lazy("霜降")),
    (gettext_lazy("立冬"), gettext_lazy("小雪")),
    (gettext_lazy("大雪"), gettext_lazy("冬至")),
]
HALF_MONTH_DAY = 15
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


def due_rule_text(rule: CalendarRule) -> str:
    """ "每季度末月最后一天", "每年12月最后一天", "每月15日"."""
    values = {"day": rule.due_day, "month": rule.due_month or 12}
    pick = 1 if rule.due_day else 0
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
    entries: list[Entry] = field(default_factory=list)


@dataclass
class Month:
    number: int
    halves: list[HalfMonth]

    @property
    def count(self) -> int:
        return sum(1 for half in self.halves for e in half.entries if not e.starts)


def _empty_year(year: int) -> list[Month]:
    months = []
    for number, (first, second) in enumerate(SOLAR_TERMS, start=1):
        last = month_end(year, number).day
        months.append(
            Month(
                number,
                [
                    HalfMonth(str(first), 1, HALF_MONTH_DAY),
                    HalfMonth(str(second), HALF_MONTH_DAY + 1, last),
                ],
            )
        )
    return months


def _slot(months: list[Month], day: dt.date) -> HalfMonth:
    return months[day.month - 1].halves[0 if day.day <= HALF_MONTH_DAY else 1]


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
            due = due_date(rule.recurrence, period, due_month=rule.due_month, due_day=rule.due_day)
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
