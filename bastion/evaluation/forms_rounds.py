"""The round setup form (发起考评): scheme, scope, period, scoring window, appeal days.

Choices are scoped: schemes the user may view (active only), organizations inside the subtrees
where the user may open rounds (党小组 are never a round's scope). The period fields shown
depend on the scheme's period kind (月度: a month; 季度: year and quarter; 年度: a year; 任期:
first and last day); ``Period`` turns them into the label and dates.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bastion.core.forms import OrganizationChoiceField
from bastion.core.periods import MAX_YEAR, MIN_YEAR, Period
from bastion.orgs.models import Organization
from bastion.orgs.models.organization import OrganizationKind

from .models import DataDecision, PeriodKind, Round, Scheme

WINDOW_DAYS = 7
DEFAULT_APPEAL_DAYS = 5
QUARTERS = [(1, _("第一季度")), (2, _("第二季度")), (3, _("第三季度")), (4, _("第四季度"))]
PERIOD_FIELDS = {
    PeriodKind.MONTH: ["period_month"],
    PeriodKind.QUARTER: ["period_year", "period_quarter"],
    PeriodKind.YEAR: ["period_year"],
    PeriodKind.TERM: ["term_start", "term_end"],
}


def _date_input():
    return forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")


def round_organizations(user):
    """Organizations where ``user`` may open a round: inside their ``add_round`` subtrees,
    visible to them, active, not a 党小组."""
    visible = Organization.objects.restrict(user, "view").filter(is_active=True)
    visible = visible.exclude(kind=OrganizationKind.GROUP)
    return visible.permitted(user, "evaluation.add_round")


class RoundForm(forms.Form):
    scheme = forms.ModelChoiceField(
        label=_("考评方案"),
        queryset=Scheme.objects.none(),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    organization = OrganizationChoiceField(
        label=_("考评范围"),
        help_text=_("该组织及其下级中符合方案考评对象的组织或党员都将成为本轮的评价对象。"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    period_month = forms.CharField(
        label=_("考评月份"),
        required=False,
        max_length=7,
        widget=forms.TextInput(
            attrs={"type": "month", "class": "form-control", "placeholder": "2026-10"}
        ),
    )
    period_year = forms.IntegerField(
        label=_("考评年度"),
        required=False,
        min_value=MIN_YEAR,
        max_value=MAX_YEAR,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )
    period_quarter = forms.TypedChoiceField(
        label=_("季度"),
        required=False,
        choices=QUARTERS,
        coerce=int,
        empty_value=None,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    term_start = forms.DateField(label=_("任期开始"), required=False, widget=_date_input())
    term_end = forms.DateField(label=_("任期结束"), required=False, widget=_date_input())
    opens_on = forms.DateField(label=_("评分开始"), widget=_date_input())
    closes_on = forms.DateField(label=_("评分截止"), widget=_date_input())
    appeal_days = forms.IntegerField(
        label=_("申诉期（天）"),
        min_value=0,
        max_value=60,
        help_text=_("结果发布后可在此天数内提出申诉。"),
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )
    name = forms.CharField(
        label=_("轮次名称"),
        required=False,
        max_length=120,
        help_text=_("留空则按“方案名称（考评期间）”命名。"),
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )

    def __init__(self, *args, user, today: dt.date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.period: Period | None = None
        today = today or timezone.localdate()
        schemes = Scheme.objects.restrict(user, "view").filter(is_active=True)
        self.fields["scheme"].queryset = schemes.order_by("code")
        self.fields["organization"].queryset = round_organizations(user).order_by("path")
        self._set_initial(today)

    def _set_initial(self, today: dt.date) -> None:
        last_month = Period.containing(PeriodKind.MONTH, today).previous()
        last_quarter = Period.containing(PeriodKind.QUARTER, today).previous()
        defaults = {
            "period_month": last_month.label,
            "period_year": last_quarter.year,
            "period_quarter": last_quarter.number,
            "opens_on": today,
            "closes_on": today + dt.timedelta(days=WINDOW_DAYS),
            "appeal_days": DEFAULT_APPEAL_DAYS,
        }
        for field, value in defaults.items():
            self.initial.setdefault(field, value)

    def scheme_periods(self) -> dict[str, str]:
        """scheme pk → period kind, for the page script that shows the matching fields."""
        return {
            str(pk): kind
            for pk, kind in self.fields["scheme"].queryset.values_list("pk", "period_kind")
        }

    def clean(self):
        cleaned = super().clean()
        scheme = cleaned.get("scheme")
        if scheme is not None:
            self.period = self._period(scheme.period_kind, cleaned)
        opens_on, closes_on = cleaned.get("opens_on"), cleaned.get("closes_on")
        if opens_on and closes_on and closes_on < opens_on:
            self.add_error("closes_on", _("评分截止日期不能早于评分开始日期。"))
        organization = cleaned.get("organization")
        if (
            self.period
            and organization
            and scheme
            and Round.objects.filter(
                scheme=scheme, organization=organization, period_label=self.period.label
            ).exists()
        ):
            self.add_error(None, self.duplicate_message(scheme, organization, self.period.label))
        return cleaned

    @staticmethod
    def duplicate_message(scheme, organization, label) -> str:
        return _("“%(org)s”已有“%(scheme)s”%(period)s 的考评轮次，不能重复发起。") % {
            "org": organization.name,
            "scheme": scheme.name,
            "period": label,
        }

    def _period(self, kind: str, cleaned: dict) -> Period | None:
        values = [cleaned.get(name) for name in PERIOD_FIELDS.get(kind, [])]
        target = PERIOD_FIELDS.get(kind, [None])[0]
        if any(value in (None, "") for value in values):
            self.add_error(target, _("请填写考评期间。"))
            return None
        try:
            if kind == PeriodKind.MONTH:
                return Period.parse(values[0], kind)
            if kind == PeriodKind.QUARTER:
                return Period.quarter(values[0], values[1])
            if kind == PeriodKind.YEAR:
                return Period.whole_year(values[0])
            return Period.term(values[0], values[1])
        except ValidationError as exc:
            self.add_error("term_end" if kind == PeriodKind.TERM else target, exc.messages)
            return None

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "scheme": data["scheme"],
            "organization": data["organization"],
            "period_label": self.period.label,
            "period_start": self.period.start,
            "period_end": self.period.end,
            "opens_on": data["opens_on"],
            "closes_on": data["closes_on"],
            "appeal_days": data["appeal_days"],
            "name": data.get("name") or "",
        }


class DataDecisionForm(forms.Form):
    """缺数处理: one decision about one data-fed indicator whose data is missing or partial."""

    indicator = forms.SlugField(max_length=40, widget=forms.HiddenInput)
    decision = forms.ChoiceField(
        label=_("处理决定"), choices=DataDecision.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("说明"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control", "placeholder": _("可选")}),
    )
