"""Query filters of the problem API. Organization choices go through the scope door: an id
outside the requester's scope is a 400 on that parameter, as in the other APIs."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bastion.agenda.api.filters import choice_filter, documented, within_filter
from bastion.orgs.filters import WithinFilter, _scoped_orgs
from bastion.tasks.api.filters import SwitchField

from ..models import (
    OPEN_STATES,
    Category,
    Inspection,
    InspectionKind,
    Library,
    Problem,
    State,
    Tier,
)


class OverdueFilter(django_filters.Filter):
    """``overdue=1``: not yet rectified (open) and past the deadline; ``overdue=0``: the rest."""

    field_class = SwitchField

    def filter(self, qs, value):
        if value is None:
            return qs
        overdue = Q(state__in=OPEN_STATES, deadline__lt=timezone.localdate())
        return qs.filter(overdue) if value else qs.exclude(overdue)


class ProblemFilter(django_filters.FilterSet):
    within = within_filter(_("组织编号：列问题所在组织为该组织及其下级的问题。"))
    tier = choice_filter(_("问题层次"), [(str(v), label) for v, label in Tier.choices])
    state = choice_filter(_("整改状态"), State.choices)
    library = choice_filter(_("问题库"), Library.choices)
    category = choice_filter(_("类别"), Category.choices)
    owner = documented(
        django_filters.ModelChoiceFilter(queryset=_scoped_orgs, field_name="owner"),
        "integer",
        _("问题库归属组织编号：只列该组织问题库中的问题。"),
    )
    inspection = documented(
        django_filters.NumberFilter(field_name="inspection_id"), "integer", _("来源检查编号")
    )
    overdue = documented(
        OverdueFilter(),
        "boolean",
        _("为 1 时只列未整改完成且已过整改时限的问题；为 0 时列其余问题。"),
    )

    class Meta:
        model = Problem
        fields = ["within", "tier", "state", "library", "category", "owner", "inspection",
                  "overdue"]  # fmt: skip


class InspectionFilter(django_filters.FilterSet):
    within = documented(
        WithinFilter(queryset=_scoped_orgs, path_field="inspecting_org__path"),
        "integer",
        _("组织编号：列该组织及其下级组织开展的检查。"),
    )
    kind = choice_filter(_("检查方式"), InspectionKind.choices)
    year = documented(
        django_filters.NumberFilter(field_name="held_on", lookup_expr="year"),
        "integer",
        _("年度，如 2026"),
    )

    class Meta:
        model = Inspection
        fields = ["within", "kind", "year"]
