"""Query filters of the agenda API, built from ``bastion.core.filters``: organization and person
choices go through the scope door, and an organization outside the requester's scope is 404."""

from __future__ import annotations

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bastion.core.filters import (
    OrganizationFilter,
    PeriodFilter,
    PersonFilter,
    ScopedFilterSet,
    WithinFilter,
    choice_filter,
    documented,
    year_filter,
)

from ..models import AlertLevel, CalendarRule, DuesPayment, ItemKind, Obligation

ORG = _("组织编号：只列该组织本身的记录。")
WITHIN = _("组织编号：列该组织及其全部下级组织的记录。")


# --- the filter sets ----------------------------------------------------------------------------


class RuleFilter(ScopedFilterSet):
    kind = choice_filter(_("事项类别"), ItemKind.choices)

    class Meta:
        model = CalendarRule
        fields = ["kind"]


class ObligationFilter(ScopedFilterSet):
    org = OrganizationFilter(description=ORG)
    within = WithinFilter(description=WITHIN)
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


class DuesPaymentFilter(ScopedFilterSet):
    org = OrganizationFilter(description=_("收缴组织编号：只列该组织收缴的记录。"))
    within = WithinFilter(description=_("组织编号：列该组织及其下级组织收缴的记录。"))
    person = PersonFilter(description=_("党员（人员编号）"))
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
