"""The filters of the evaluation lists: one FilterSet per list, shared by its page, its API list
and its Excel export, so the three answer the same rows for the same query.

Organization parameters (``within=``, ``organization=``) choose among the organizations in the
requester's scope; one outside it answers 404 everywhere (``bastion.core.filters``).
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import OuterRef, Q, Subquery
from django.utils.translation import gettext_lazy as _

from bastion.core.filters import (
    OrganizationFilter,
    PeriodFilter,
    ScopedFilterSet,
    SwitchFilter,
    WithinFilter,
    choice_filter,
    documented,
)
from bastion.core.forms import BootstrapFormMixin
from bastion.core.periods import MONTH
from bastion.orgs.models import Person

from .models import (
    BenchmarkValue,
    EntryState,
    PeriodKind,
    PointsCategory,
    PointsEntry,
    Round,
    RoundState,
    Scheme,
    SchemeStyle,
    Target,
    TargetKind,
    TitleAward,
    TitleKind,
)

PUBLISHED = [RoundState.PUBLISHED, RoundState.CLOSED]
SEARCH_LENGTH = 50


def scheme_code_filter():
    return documented(
        django_filters.CharFilter(field_name="scheme__code"), "string", _("考评方案代码")
    )


class SchemeFilter(ScopedFilterSet):
    target_kind = choice_filter(_("考评对象"), TargetKind.choices)
    period_kind = choice_filter(_("考评周期"), PeriodKind.choices)
    style = choice_filter(_("评价方式"), SchemeStyle.choices)

    class Meta:
        model = Scheme
        fields = ["target_kind", "period_kind", "style"]


class RoundFilter(ScopedFilterSet):
    """Rounds: the round list page and ``GET rounds/``."""

    scheme = scheme_code_filter()
    state = choice_filter(_("轮次状态"), RoundState.choices)
    period = documented(
        PeriodFilter(field_name="period_start"),
        "string",
        _("考评期间开始日期所在周期：年份 2026、季度 2026Q1 或月份 2026-03。"),
    )
    within = WithinFilter(description=_("组织编号：列考评范围为该组织及其下级组织的轮次。"))

    class Meta:
        model = Round
        fields = ["scheme", "state", "period", "within"]


class TargetFilter(ScopedFilterSet):
    """A round's results: the results page, its Excel export and ``GET rounds/{id}/results/``."""

    within = WithinFilter(description=_("组织编号：只列该组织及其下级组织（及其党员）的考评结果。"))
    q = documented(
        django_filters.CharFilter(method="search"),
        "string",
        _("按党员姓名或组织名称查找。"),
    )

    class Meta:
        model = Target
        fields = ["within", "q"]

    def search(self, queryset, name, value):
        value = value[:SEARCH_LENGTH]
        return queryset.filter(
            Q(person__name__icontains=value)
            | Q(organization__name__icontains=value)
            | Q(organization__short_name__icontains=value)
        )


class CurrentFilter(SwitchFilter):
    """``current=1``: titles held now. A watch-list title is held until a later round lifts
    it; every other title only until the next published round of the same series (scheme and
    round organization) gives the titles again."""

    def condition(self) -> Q:
        latest = (
            Round.objects.filter(
                scheme=OuterRef("scheme"),
                organization=OuterRef("round__organization"),
                state__in=PUBLISHED,
            )
            .order_by("-period_start", "-id")
            .values("period_start")[:1]
        )
        return Q(lifted_on__isnull=True) & (
            Q(kind=TitleKind.WATCH) | Q(round__period_start=Subquery(latest))
        )


class TitleAwardFilter(ScopedFilterSet):
    """Titles: the title board (its ``within``) and ``GET titles/``."""

    kind = choice_filter(_("称号类型"), TitleKind.choices)
    scheme = scheme_code_filter()
    current = documented(
        CurrentFilter(),
        "boolean",
        _(
            "为 1 时只列现在持有的称号：未摘牌的不放心支部，以及同一方案同一范围最近一次发布的"
            "轮次授予的其他称号；为 0 时列其余称号。"
        ),
    )
    within = WithinFilter(description=_("组织编号：列该组织及其下级组织（及其党员）获得的称号。"))

    class Meta:
        model = TitleAward
        fields = ["kind", "scheme", "current", "within"]


class BenchmarkValueFilter(ScopedFilterSet):
    """Benchmark values: the 同业对标 pages (their ``within`` and ``month``) and
    ``GET benchmark-values/``."""

    month = documented(
        PeriodFilter(field_name="month", kind=MONTH), "string", _("月份，如 2026-10")
    )
    indicator = documented(
        django_filters.CharFilter(field_name="indicator__code"),
        "string",
        _("对标指标代码，如 fee_recovery"),
    )
    organization = OrganizationFilter(description=_("供电所（组织编号）"))
    within = WithinFilter(description=_("组织编号：列该组织及其下级供电所的指标值。"))

    class Meta:
        model = BenchmarkValue
        fields = ["month", "indicator", "organization", "within"]


class IdFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class PointsFilterForm(BootstrapFormMixin, forms.Form):
    pass


class PointsEntryFilter(ScopedFilterSet):
    """The points ledger (积分台账)."""

    within = WithinFilter(path_field="person__organization__path", label=_("组织（含下级）"))
    person = IdFilter(field_name="person_id", widget=forms.HiddenInput())
    name = django_filters.CharFilter(label=_("姓名"), method="search", max_length=50)
    month = PeriodFilter(
        field_name="occurred_on",
        kind=MONTH,
        label=_("月份"),
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-03"}),
    )
    state = django_filters.ChoiceFilter(
        label=_("状态"), choices=EntryState.choices, empty_label=_("全部")
    )
    category = django_filters.ChoiceFilter(
        label=_("类别"),
        field_name="item__category",
        choices=PointsCategory.choices,
        empty_label=_("全部"),
    )

    class Meta:
        model = PointsEntry
        fields = ["within", "person", "name", "month", "state", "category"]
        form = PointsFilterForm

    def search(self, queryset, name, value):
        return queryset.filter(person_id__in=Person.objects.search(value).values("pk"))


def chosen(found: ScopedFilterSet) -> dict:
    """The valid parameters of a bound FilterSet, as its ``qs`` applies them (an invalid one is
    left out; an organization outside the scope has answered 404 already)."""
    found.errors  # noqa: B018 - raises the 404 of an organization outside the scope
    return found.form.cleaned_data
