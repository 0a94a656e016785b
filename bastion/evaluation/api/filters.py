"""Query filters of the evaluation API. Organization choices go through the scope door: an id
outside the requester's scope is a 400 on that parameter, as in the other APIs."""

from __future__ import annotations

import datetime as dt
import re

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Q, Subquery
from django.utils.translation import gettext_lazy as _

from bastion.agenda.api.filters import PeriodFilter, choice_filter, documented, within_filter
from bastion.orgs.filters import _scoped_orgs
from bastion.tasks.api.filters import SwitchField

from ..models import (
    BenchmarkValue,
    PeriodKind,
    Round,
    RoundState,
    Scheme,
    SchemeStyle,
    TargetKind,
    TitleAward,
    TitleKind,
)

PUBLISHED = [RoundState.PUBLISHED, RoundState.CLOSED]
MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


class MonthField(forms.CharField):
    """``2026-10`` → 2026-10-01 (benchmark values are stored on the month's first day)."""

    def clean(self, value):
        value = (super().clean(value) or "").strip()
        if not value:
            return None
        match = MONTH.match(value)
        if match and 1 <= int(match.group(2)) <= 12:
            return dt.date(int(match.group(1)), int(match.group(2)), 1)
        raise ValidationError(_("月份“%(value)s”无效，应写成 2026-10。"), params={"value": value})


class MonthFilter(django_filters.Filter):
    field_class = MonthField


class SchemeFilter(django_filters.FilterSet):
    target_kind = choice_filter(_("考评对象"), TargetKind.choices)
    period_kind = choice_filter(_("考评周期"), PeriodKind.choices)
    style = choice_filter(_("评价方式"), SchemeStyle.choices)

    class Meta:
        model = Scheme
        fields = ["target_kind", "period_kind", "style"]


class RoundFilter(django_filters.FilterSet):
    scheme = documented(
        django_filters.CharFilter(field_name="scheme__code"), "string", _("考评方案代码")
    )
    state = choice_filter(_("轮次状态"), RoundState.choices)
    period = documented(
        PeriodFilter(field_name="period_start"),
        "string",
        _("考评期间开始日期所在周期：年份 2026、季度 2026Q1 或月份 2026-03。"),
    )
    within = within_filter(_("组织编号：列考评范围为该组织及其下级组织的轮次。"))

    class Meta:
        model = Round
        fields = ["scheme", "state", "period", "within"]


class BenchmarkValueFilter(django_filters.FilterSet):
    month = documented(MonthFilter(field_name="month"), "string", _("月份，如 2026-10"))
    indicator = documented(
        django_filters.CharFilter(field_name="indicator__code"),
        "string",
        _("对标指标代码，如 fee_recovery"),
    )
    organization = documented(
        django_filters.ModelChoiceFilter(queryset=_scoped_orgs, field_name="organization"),
        "integer",
        _("供电所（组织编号）"),
    )
    within = within_filter(_("组织编号：列该组织及其下级供电所的指标值。"))

    class Meta:
        model = BenchmarkValue
        fields = ["month", "indicator", "organization", "within"]


class CurrentFilter(django_filters.Filter):
    """``current=1``: titles held now. A watch-list title is held until a later round lifts
    it; every other title only until the next published round of the same series (scheme and
    round organization) gives the titles again."""

    field_class = SwitchField

    def filter(self, qs, value):
        if value is None:
            return qs
        latest = (
            Round.objects.filter(
                scheme=OuterRef("scheme"),
                organization=OuterRef("round__organization"),
                state__in=PUBLISHED,
            )
            .order_by("-period_start", "-id")
            .values("period_start")[:1]
        )
        held = Q(lifted_on__isnull=True) & (
            Q(kind=TitleKind.WATCH) | Q(round__period_start=Subquery(latest))
        )
        return qs.filter(held) if value else qs.exclude(held)


class TitleAwardFilter(django_filters.FilterSet):
    kind = choice_filter(_("称号类型"), TitleKind.choices)
    scheme = documented(
        django_filters.CharFilter(field_name="scheme__code"), "string", _("考评方案代码")
    )
    current = documented(
        CurrentFilter(),
        "boolean",
        _(
            "为 1 时只列现在持有的称号：未摘牌的不放心支部，以及同一方案同一范围最近一次发布的"
            "轮次授予的其他称号；为 0 时列其余称号。"
        ),
    )
    within = within_filter(_("组织编号：列该组织及其下级组织（及其党员）获得的称号。"))

    class Meta:
        model = TitleAward
        fields = ["kind", "scheme", "current", "within"]
