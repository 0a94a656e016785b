"""Filters shared by the agenda's pages, its API lists and its exports: one definition each.

Organization parameters (``org=``, ``within=``) choose among the organizations in the
requester's scope; one outside it is answered 404, on the page and in the API alike
(``ScopedFilterSet``). Widgets and empty labels serve the pages; the API ignores them.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from bastion.core.filters import (
    OrganizationFilter,
    ScopedFilterSet,
    SwitchFilter,
    WithinFilter,
    choice_filter,
    documented,
)
from bastion.orgs.models import Organization

from .forms_meetings import year_choices
from .models import MEETING_KIND_CHOICES, Meeting, MeetingStatus
from .selectors_meetings import review_queue
from .selectors_terms import COLOURS

SELECT = {"class": "form-select"}


class MeetingFilter(ScopedFilterSet):
    """The meeting list page (``agenda:meeting_list``) and ``GET /api/v1/agenda/meetings/``."""

    org = OrganizationFilter(description=_("组织编号：只列该组织本身的记录。"))
    within = WithinFilter(description=_("组织编号：列该组织及其全部下级组织的记录。"))
    kind = choice_filter(
        _("会议类型"), MEETING_KIND_CHOICES, empty_label=_("全部"), widget=forms.Select(SELECT)
    )
    status = choice_filter(
        _("审核状态"), MeetingStatus.choices, empty_label=_("全部"), widget=forms.Select(SELECT)
    )
    year = documented(
        django_filters.NumberFilter(field_name="held_on", lookup_expr="year", label=_("年度")),
        "integer",
        _("年度，如 2026"),
    )
    q = documented(
        django_filters.CharFilter(
            field_name="topic",
            lookup_expr="icontains",
            label=_("主题"),
            max_length=100,
            widget=forms.TextInput({"class": "form-control", "placeholder": _("会议主题关键字")}),
        ),
        "string",
        _("会议主题包含的文字"),
    )
    mine = documented(
        SwitchFilter(label=_("待我审核"), method="filter_mine"),
        "boolean",
        _("1：只列等待本人审核的记录（审核从上级进行）。"),
    )

    class Meta:
        model = Meeting
        fields = ["org", "within", "kind", "status", "year", "q", "mine"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The page offers the recent years; the API takes any year.
        years = [("", _("全部")), *year_choices()]
        self.filters["year"].extra["widget"] = forms.Select(SELECT, choices=years)

    def filter_mine(self, queryset, name, value):
        if not value or self.request is None:
            return queryset
        return review_queue(self.request.user, queryset)


class TermFilter(ScopedFilterSet):
    """The term list page (``agenda:term_list``): organizations and the colour of their term."""

    within = WithinFilter(path_field="path", field_name="path")
    colour = django_filters.ChoiceFilter(
        choices=[(colour, colour) for colour in COLOURS], field_name="term_colour"
    )

    class Meta:
        model = Organization
        fields = ["within", "colour"]
