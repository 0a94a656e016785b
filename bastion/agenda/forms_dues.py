"""Forms of the dues pages: a branch's yearly profiles in one form, one payment or a quarter.

Amounts, bases and months are taken as text and checked by the services, so the page and the
import give the same Chinese messages.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from bastion.core.forms import BootstrapFormMixin

from .models import DuesCategory
from .services import dues as services

CATEGORY_CHOICES = [("", _l("（未设置）")), *DuesCategory.choices]


class ProfilesForm(BootstrapFormMixin, forms.Form):
    """One category and one base per member of a branch: fields ``p<id>-category``/``-base``.

    Initial values come from the year's profile, else from last year's (沿用上年).
    """

    def __init__(self, data=None, *, members, profiles, previous):
        super().__init__(data)
        self.members = list(members)
        self.profiles = profiles
        self.previous = previous
        for person in self.members:
            source = profiles.get(person.pk) or previous.get(person.pk)
            self.fields[f"p{person.pk}-category"] = forms.ChoiceField(
                label=_l("类别"),
                choices=CATEGORY_CHOICES,
                required=False,
                initial=source.category if source else "",
            )
            self.fields[f"p{person.pk}-base"] = forms.CharField(
                label=_l("月缴费基数（税后）"),
                required=False,
                max_length=20,
                initial="" if source is None or source.base is None else f"{source.base:.2f}",
                widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
            )

    def rows(self):
        for person in self.members:
            yield {
                "person": person,
                "prefix": f"p{person.pk}",
                "category": self[f"p{person.pk}-category"],
                "base": self[f"p{person.pk}-base"],
                "profile": self.profiles.get(person.pk),
                "carried": person.pk not in self.profiles and person.pk in self.previous,
            }

    def entries(self):
        """(person, category, base) for every row with a category; blank rows are skipped."""
        for person in self.members:
            category = self.cleaned_data.get(f"p{person.pk}-category")
            if category:
                yield person, category, self.cleaned_data.get(f"p{person.pk}-base", "")

    def apply_errors(self, exc: ValidationError) -> None:
        for key, messages in exc.message_dict.items():
            field = f"{key}-base" if f"{key}-base" in self.fields else None
            self.add_error(field, messages)


class PaymentForm(BootstrapFormMixin, forms.Form):
    MONTH, QUARTER = "month", "quarter"

    person = forms.ModelChoiceField(label=_l("党员"), queryset=None)
    mode = forms.ChoiceField(
        label=_l("缴纳方式"),
        choices=[(MONTH, _l("按月缴纳")), (QUARTER, _l("按季度缴纳（该月所在季度的三个月）"))],
        initial=MONTH,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    month = forms.CharField(
        label=_l("所属月份"),
        max_length=20,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2025-03"}),
        help_text=_l("按季度缴纳时填写该季度中的任一月份。"),
    )
    amount = forms.CharField(
        label=_l("每月金额（元）"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        help_text=_l("留空时按该党员当年的党费标准。"),
    )
    paid_on = forms.DateField(
        label=_l("缴纳日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, data=None, *, members, initial=None):
        initial = {"paid_on": timezone.localdate(), **(initial or {})}
        super().__init__(data, initial=initial)
        self.fields["person"].queryset = members
        self.fields["person"].label_from_instance = lambda p: p.name

    def clean_month(self):
        return services.parse_month(self.cleaned_data["month"])

    def clean_paid_on(self):
        return services.check_paid_on(self.cleaned_data["paid_on"])

    def amount_for(self, profile) -> str:
        amount = (self.cleaned_data.get("amount") or "").strip()
        if amount:
            return amount
        if profile is None:
            raise ValidationError(
                {
                    "amount": _("尚未设置该党员%(year)d年的党费标准，请填写金额。")
                    % {"year": self.cleaned_data["month"].year}
                }
            )
        return str(profile.monthly_amount)


class QuoteForm(BootstrapFormMixin, forms.Form):
    category = forms.ChoiceField(label=_l("类别"), choices=DuesCategory.choices)
    base = forms.CharField(
        label=_l("月缴费基数（税后）"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
