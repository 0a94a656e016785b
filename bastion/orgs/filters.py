"""Filters shared by the pages, the API and the exports: one definition, one behaviour.
``within=`` chooses among the organizations in the requester's scope; one outside it is 404."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from bastion.core.filters import ScopedFilterSet, WithinFilter

from .models import Organization, Person
from .models.organization import OrganizationKind, UnitKind
from .models.person import MembershipStatus, PersonStatus, Post

SELECT = forms.Select(attrs={"class": "form-select"})


class OrganizationFilter(ScopedFilterSet):
    within = WithinFilter(label=_("所属上级组织"), path_field="path")
    kind = django_filters.ChoiceFilter(
        label=_("组织类型"), choices=OrganizationKind.choices, empty_label=_("全部"), widget=SELECT
    )
    unit_kind = django_filters.ChoiceFilter(
        label=_("单位类别"), choices=UnitKind.choices, empty_label=_("全部"), widget=SELECT
    )
    q = django_filters.CharFilter(label=_("名称或编码"), method="filter_q")

    class Meta:
        model = Organization
        fields = ["within", "kind", "unit_kind", "q"]

    def filter_q(self, queryset, name, value):
        from django.db.models import Q

        return queryset.filter(
            Q(name__icontains=value) | Q(code__iexact=value) | Q(short_name__icontains=value)
        )


class PersonFilter(ScopedFilterSet):
    q = django_filters.CharFilter(label=_("姓名/拼音/工号"), method="filter_q")
    within = WithinFilter(label=_("所在组织（含下级）"))
    membership_status = django_filters.ChoiceFilter(
        label=_("政治面貌"), choices=MembershipStatus.choices, empty_label=_("全部"), widget=SELECT
    )
    post = django_filters.ChoiceFilter(
        label=_("岗位"), choices=Post.choices, empty_label=_("全部"), widget=SELECT
    )
    status = django_filters.ChoiceFilter(
        label=_("人员状态"), choices=PersonStatus.choices, empty_label=_("全部"), widget=SELECT
    )

    class Meta:
        model = Person
        fields = ["q", "within", "membership_status", "post", "status"]

    def filter_q(self, queryset, name, value):
        return queryset.search(value)
