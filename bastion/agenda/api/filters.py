"""Query filters of the agenda API. Organization and person choices go through the scope door:
an id outside the requester's scope is a 400 on that parameter, as in the organization API."""

from __future__ import annotations

import datetime as dt
import re

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from bastion.orgs.filters import WithinFilter, _scoped_orgs
from bastion.orgs.models import Person

from ..models import (
    MEETING_KIND_CHOICES,
    AlertLevel,
    CalendarRule,
    DuesPayment,
    ItemKind,
    Meeting,
    MeetingStatus,
    Obligation,
)
from ..periods import month_end

# --- periods ------------------------------------------------------------------------------------

PERIOD_PATTERNS = [
    (re.compile(r"^(\d{4})$"), "year"),
    (re.compile(r"^(\d{4})[Qq]([1-4])$"), "quarter"),
    (re.compile(r"^(\d{4})-(\d{1,2})$"), "month"),
]
BAD_PERIOD = _("周期“%(value)s”无效，应写成年份（2026）、季度（2026Q1）或月份（2026-03）。")


def parse_period(text: str) -> tuple[dt.date, dt.date]:
    """``2026`` / ``2026Q1`` / ``2026-03`` → first and last day of that period."""
    value = (text or "").strip()
    for pattern, kind in PERIOD_PATTERNS:
        match = pattern.match(value)
        if not match:
            continue
        year = int(match.group(1))
        if kind == "year" and year >= 1:
            return dt.date(year, 1, 1), dt.date(year, 12, 31)
        if kind == "quarter" and year >= 1:
            quarter = int(match.group(2))
            return dt.date(year, 3 * quarter - 2, 1), month_end(year, 3 * quarter)
        if kind == "month" and year >= 1 and 1 <= int(match.group(2)) <= 12:
            month = int(match.group(2))
            return dt.date(year, month, 1), month_end(year, month)
    raise ValidationError(BAD_PERIOD, code="invalid", params={"value": text})


class PeriodField(forms.CharField):
    def clean(self, value):
        value = super().clean(value)
        return parse_period(value) if value else None


class PeriodFilter(django_filters.Filter):
    """``period=2026`` / ``2026Q1`` / ``2026-03``: rows whose date field lies in that period."""

    field_class = PeriodField

    def filter(self, qs, value):
        if not value:
            return qs
        start, end = value
        return qs.filter(**{f"{self.field_name}__range": (start, end)})


def documented(filter_, schema_type: str, description):
    """The parameter's type and description in the schema (drf-spectacular cannot guess the
    type of a filter with a callable queryset or a custom field)."""
    return extend_schema_field({"type": schema_type, "description": description})(filter_)


# --- organizations and people, through the door -------------------------------------------------


def _scoped_people(request):
    if request is None:
        return Person.objects.none()
    return Person.objects.restrict(request.user, "view")


def org_filter(description=None):
    return documented(
        django_filters.ModelChoiceFilter(queryset=_scoped_orgs, field_name="organization"),
        "integer",
        description or _("组织编号：只列该组织本身的记录。"),
    )


def within_filter(description=None):
    return documented(
        WithinFilter(queryset=_scoped_orgs, path_field="organization__path"),
        "integer",
        description or _("组织编号：列该组织及其全部下级组织的记录。"),
    )


def year_filter(field_name: str):
    return documented(
        django_filters.NumberFilter(field_name=field_name, lookup_expr="year"),
        "integer",
        _("年度，如 2026"),
    )


def choice_message(choices) -> dict:
    values = "、".join(str(value) for value, _label in choices)
    return {"invalid_choice": format_lazy("{}{}。", _("取值“%(value)s”无效，可选："), values)}


def choice_filter(label, choices, **kwargs):
    return django_filters.ChoiceFilter(
        label=label, choices=choices, error_messages=choice_message(choices), **kwargs
    )


# --- the filter sets ----------------------------------------------------------------------------


class RuleFilter(django_filters.FilterSet):
    kind = choice_filter(_("事项类别"), ItemKind.choices)

    class Meta:
        model = CalendarRule
        fields = ["kind"]


class ObligationFilter(django_filters.FilterSet):
    org = org_filter()
    within = within_filter()
    period = documented(
        PeriodFilter(field_name="due_on"),
        "string",
        _("截止日期所在周期：年份 2026、季度 2026Q1 或月份 2026-03。"),
    )
    alert = choice_filter(_("提醒状态（按今天计算）"), AlertLevel.choices, method="filter_alert")
    kind = choice_filter(_("事项类别"), ItemKind.choices)

    class Meta:
        model = Obligation
        fields = ["org", "within", "period", "alert", "kind"]

    def filter_alert(self, queryset, name, value):
        return queryset.with_alert(value, timezone.localdate())


class MeetingFilter(django_filters.FilterSet):
    org = org_filter()
    within = within_filter()
    kind = choice_filter(_("会议类型"), MEETING_KIND_CHOICES)
    status = choice_filter(_("审核状态"), MeetingStatus.choices)
    year = year_filter("held_on")

    class Meta:
        model = Meeting
        fields = ["org", "within", "kind", "status", "year"]


class DuesPaymentFilter(django_filters.FilterSet):
    org = org_filter(_("收缴组织编号：只列该组织收缴的记录。"))
    within = within_filter(_("组织编号：列该组织及其下级组织收缴的记录。"))
    person = documented(
        django_filters.ModelChoiceFilter(queryset=_scoped_people, field_name="person"),
        "integer",
        _("党员（人员编号）"),
    )
    year = year_filter("month")
    month = documented(
        django_filters.NumberFilter(
            field_name="month", lookup_expr="month", min_value=1, max_value=12
        ),
        "integer",
        _("月份 1-12"),
    )

    class Meta:
        model = DuesPayment
        fields = ["org", "within", "person", "year", "month"]
