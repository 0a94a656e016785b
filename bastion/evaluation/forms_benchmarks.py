"""Form of the 同业对标 manual entry: one station, one month, one field per indicator.

The form gathers text; ``services.benchmarks`` checks it (the same rules as the import and the
API) and the errors are put back on the fields they concern. The station list holds only the
stations the user may record for.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from bastion.core.forms import BootstrapFormMixin
from bastion.orgs.models import Organization

from .selectors_benchmark_pages import indicators, stations
from .services import benchmarks as service

PREFIX = "v_"


def value_field_name(indicator) -> str:
    return PREFIX + indicator.code


class StationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.code}）"


class BenchmarkEntryForm(BootstrapFormMixin, forms.Form):
    organization = StationChoiceField(
        label=_("供电所"),
        queryset=Organization.objects.none(),
        error_messages={"invalid_choice": _("所选供电所不在您的管理范围内，请重新选择。")},
    )
    month = forms.CharField(
        label=_("月份"),
        max_length=20,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-03"}),
        help_text=_("按 YYYY-MM 填写，如 2026-03。"),
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = stations(user, permission=service.ADD).order_by(
            "path"
        )
        self.indicators = indicators()
        for indicator in self.indicators:
            unit = f"（{indicator.unit}）" if indicator.unit else ""
            self.fields[value_field_name(indicator)] = forms.CharField(
                label=f"{indicator.name}{unit}",
                required=False,
                max_length=40,
                help_text=indicator.get_direction_display(),
                widget=forms.TextInput(attrs={"class": "form-control", "inputmode": "decimal"}),
            )

    def value_fields(self):
        return [self[value_field_name(i)] for i in self.indicators]

    def rows(self) -> list[dict]:
        data = self.cleaned_data
        org, month = data.get("organization"), data.get("month", "")
        code = org.code if org else ""
        return [
            {"indicator": i.code, "organization": code, "month": month, "value": text}
            for i, text in self.filled()
        ]

    def filled(self):
        """(indicator, text) of the value fields filled in, in the indicators' order."""
        for indicator in self.indicators:
            text = (self.cleaned_data.get(value_field_name(indicator)) or "").strip()
            if text:
                yield indicator, text

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        rows = self.rows()
        if not rows:
            raise forms.ValidationError(_("请至少填写一个指标值。"))
        checked = service.benchmark_rows_check(actor=self.user, rows=rows)
        fields = [value_field_name(i) for i, _text in self.filled()]
        for found in checked.errors:
            name = found.field if found.field in ("organization", "month") else None
            if found.field == "value":
                name = fields[found.index - 1]
            if name is None or found.message not in self.errors.get(name, []):
                self.add_error(name, found.message)
        return cleaned
