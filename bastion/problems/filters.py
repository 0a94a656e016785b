"""One FilterSet for each list of the problem module, shared by its page, its API and its export:
the problem list (问题清单, the three libraries, ``GET /api/v1/problems/``, the Excel export) and
the inspections (检查记录, ``GET /api/v1/inspections/``).

Built from ``bastion.core.filters``: organization choices go through the scope door, and an
organization outside the requester's scope is 404 on the page, in the API and in the export.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bastion.core.filters import (
    TRUE_VALUES,
    OrganizationFilter,
    ScopedFilterSet,
    SwitchFilter,
    WithinFilter,
    choice_filter,
    documented,
    year_filter,
)
from bastion.core.forms import BootstrapFormMixin

from .models import (
    OPEN_STATES,
    Category,
    Inspection,
    InspectionKind,
    Library,
    Problem,
    State,
    Tier,
)

ALL_LABEL = _("全部")


class FilterForm(BootstrapFormMixin, forms.Form):
    """The form a page renders for a FilterSet: Tabler's classes on every widget."""


class SwitchCheckbox(forms.CheckboxInput):
    """A page's checkbox for a switch parameter: ticked sends ``on`` (read as 1); unticked
    sends nothing, which is no filter at all (not ``0``)."""

    def __init__(self, attrs=None):
        super().__init__(attrs, check_test=lambda value: str(value).lower() in TRUE_VALUES)

    def value_from_datadict(self, data, files, name):
        return data.get(name)


class OverdueFilter(SwitchFilter):
    """``overdue=1``: not yet rectified (open) and past the deadline; ``overdue=0``: the rest."""

    def condition(self):
        return Q(state__in=OPEN_STATES, deadline__lt=timezone.localdate())


class RecurringFilter(SwitchFilter):
    """``recurring=1``: found again within a year at the same organization (反复出现)."""

    def condition(self):
        return Q(recurring=True)


class ProblemFilter(ScopedFilterSet):
    within = WithinFilter(description=_("组织编号：列问题所在组织为该组织及其下级的问题。"))
    q = django_filters.CharFilter(label=_("搜索"), method="filter_q", max_length=100)
    tier = choice_filter(
        _("问题层次"), [(str(v), label) for v, label in Tier.choices], empty_label=ALL_LABEL
    )
    state = choice_filter(_("整改状态"), State.choices, empty_label=ALL_LABEL)
    library = choice_filter(_("问题库"), Library.choices, empty_label=ALL_LABEL)
    category = choice_filter(_("类别"), Category.choices, empty_label=ALL_LABEL)
    owner = OrganizationFilter(
        field_name="owner", description=_("问题库归属组织编号：只列该组织问题库中的问题。")
    )
    inspection = documented(
        django_filters.NumberFilter(field_name="inspection_id"), "integer", _("来源检查编号")
    )
    overdue = documented(
        OverdueFilter(label=_("仅看逾期"), widget=SwitchCheckbox),
        "boolean",
        _("为 1 时只列未整改完成且已过整改时限的问题；为 0 时列其余问题。"),
    )
    recurring = documented(
        RecurringFilter(label=_("仅看反复出现"), widget=SwitchCheckbox),
        "boolean",
        _("为 1 时只列一年内同类问题再次出现的问题；为 0 时列其余问题。"),
    )

    class Meta:
        model = Problem
        fields = [
            "within",
            "q",
            "tier",
            "state",
            "library",
            "category",
            "owner",
            "inspection",
            "overdue",
            "recurring",
        ]
        form = FilterForm

    def filter_q(self, queryset, name, value):
        """The words in the description, the measures or the organization's name."""
        return queryset.filter(
            Q(description__icontains=value)
            | Q(measures__icontains=value)
            | Q(organization__name__icontains=value)
        )


class InspectionFilter(ScopedFilterSet):
    within = WithinFilter(
        path_field="inspecting_org__path",
        description=_("组织编号：列该组织及其下级组织开展的检查。"),
    )
    q = django_filters.CharFilter(
        label=_("检查名称"), field_name="title", lookup_expr="icontains", max_length=100
    )
    kind = choice_filter(_("检查方式"), InspectionKind.choices, empty_label=ALL_LABEL)
    year = year_filter("held_on")

    class Meta:
        model = Inspection
        fields = ["within", "q", "kind", "year"]
        form = FilterForm
