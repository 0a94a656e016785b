"""The query-string forms of the board, the annual map and the roll-up.

They only read GET parameters: a bad value is shown next to its field in Chinese and the page
falls back to the default for it, never a 500.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from bastion.core.periods import Period

YEAR_MIN, YEAR_MAX = 2000, 2100
PERIOD_CHOICES = [("year", _("年度")), ("quarter", _("季度")), ("month", _("月度"))]


def _year_field():
    return forms.IntegerField(
        label=_("年度"),
        required=False,
        min_value=YEAR_MIN,
        max_value=YEAR_MAX,
        error_messages={
            "invalid": _("年度应为四位数字，如 2025。"),
            "min_value": _("年度不能早于 %(limit_value)s 年。"),
            "max_value": _("年度不能晚于 %(limit_value)s 年。"),
        },
    )


class OrgQueryForm(forms.Form):
    org = forms.IntegerField(
        label=_("组织"),
        required=False,
        min_value=1,
        error_messages={"invalid": _("组织参数应为数字编号。")},
    )

    def value(self, name, default):
        """The cleaned value of ``name``, or ``default`` when missing or invalid."""
        if name in self.errors:
            return default
        value = self.cleaned_data.get(name)
        return default if value in (None, "") else value


class MapQueryForm(OrgQueryForm):
    year = _year_field()


class RollupQueryForm(OrgQueryForm):
    period = forms.ChoiceField(
        label=_("统计周期"),
        required=False,
        choices=PERIOD_CHOICES,
        error_messages={"invalid_choice": _("统计周期只能是年度、季度或月度。")},
    )
    year = _year_field()
    q = forms.IntegerField(
        label=_("季度"),
        required=False,
        min_value=1,
        max_value=4,
        error_messages={
            "invalid": _("季度应为 1 到 4 的数字。"),
            "min_value": _("季度应为 1 到 4 的数字。"),
            "max_value": _("季度应为 1 到 4 的数字。"),
        },
    )
    m = forms.IntegerField(
        label=_("月份"),
        required=False,
        min_value=1,
        max_value=12,
        error_messages={
            "invalid": _("月份应为 1 到 12 的数字。"),
            "min_value": _("月份应为 1 到 12 的数字。"),
            "max_value": _("月份应为 1 到 12 的数字。"),
        },
    )

    def to_period(self, today: dt.date) -> Period:
        """The period asked for; what is missing or wrong defaults to today's year, quarter,
        month."""
        kind = self.value("period", "year")
        year = self.value("year", today.year)
        if kind == "quarter":
            return Period.of("quarter", year, self.value("q", (today.month - 1) // 3 + 1))
        if kind == "month":
            return Period.of("month", year, self.value("m", today.month))
        return Period.of("year", year)
