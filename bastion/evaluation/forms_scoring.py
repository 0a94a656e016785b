"""Forms of the scoring pages: one evaluator's scores of one target, and a member's key event.

The score form is built from the round's snapshot (``scorable_items``): one input per item the
evaluator group scores. It only collects what was typed; the ranges, the self-rating rule and
the window are checked by ``services.scores.score_submit``, whose messages name the item and
are put back on the matching input (``apply_errors``).
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from bastion.core.evidence import (
    accept_attribute,
    allowed_types_text,
    human_size,
    max_upload_bytes,
)
from bastion.core.forms import UploadInput
from bastion.core.local_names import local_name

from .models import IndicatorKind

NUMBER_CLASS = "form-control form-control-lg"


def field_name(code: str) -> str:
    return f"item_{code}"


def _plain(value) -> str:
    """A stored Decimal as typed: 8.50 → 8.5, 10.00 → 10."""
    text = format(Decimal(value).normalize(), "f")
    return text


class ScoreForm(forms.Form):
    """``items``: the snapshot dicts of the items this group scores; ``existing``: the
    evaluator's saved values by code, used to prefill."""

    comment = forms.CharField(
        label=_("评语"),
        max_length=300,
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 2, "class": "form-control", "placeholder": _("可选，最多 300 字")}
        ),
    )

    def __init__(self, items, *args, existing=None, disabled=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        existing = existing or {}
        fields = {}
        for item in items:
            name = field_name(item["code"])
            fields[name] = self._field(item, existing.get(item["code"]))
            fields[name].disabled = disabled
        fields["comment"] = self.fields.pop("comment")
        fields["comment"].disabled = disabled
        self.fields = fields

    @staticmethod
    def _field(item: dict, current):
        label, guidance = local_name(item), item.get("guidance") or ""
        if item["kind"] == IndicatorKind.VETO:
            return forms.BooleanField(
                label=label,
                help_text=guidance,
                required=False,
                initial=current is not None and Decimal(current) >= 1,
                widget=forms.CheckboxInput(attrs={"class": "form-check-input", "role": "switch"}),
            )
        top = _plain(item["max_score"])
        attrs = {
            "class": NUMBER_CLASS,
            "inputmode": "decimal",
            "type": "number",
            "min": "0",
            "max": top,
            "step": "any",
            "autocomplete": "off",
        }
        return forms.CharField(
            label=label,
            help_text=guidance,
            required=False,
            max_length=20,
            initial=_plain(current) if current is not None else "",
            widget=forms.TextInput(attrs=attrs),
        )

    def rows(self):
        """(item, bound field) pairs, in scheme order, for the template."""
        return [(item, self[field_name(item["code"])]) for item in self.items]

    def values(self) -> dict:
        """{code: typed text}; a veto switch is 1 (否决) or 0, sent only when something else
        was filled in (or it is on), so an empty form stays "not scored"."""
        typed = {}
        vetoes = {}
        for item in self.items:
            value = self.cleaned_data.get(field_name(item["code"]))
            if item["kind"] == IndicatorKind.VETO:
                vetoes[item["code"]] = 1 if value else 0
            elif (value or "").strip():
                typed[item["code"]] = value.strip()
        if typed or any(vetoes.values()) or len(vetoes) == len(self.items):
            typed.update(vetoes)
        return typed

    def apply_errors(self, exc: ValidationError) -> None:
        """Put the service's messages on the inputs they name (by item code)."""
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc.messages)
            return
        for key, errors in exc.message_dict.items():
            name = field_name(key)
            self.add_error(name if name in self.fields else None, errors)


class KeyEventForm(forms.Form):
    """打擂台: a member's key event. Dates and the attachment are checked by the service."""

    title = forms.CharField(
        label=_("事件标题"),
        max_length=100,
        widget=forms.TextInput(
            attrs={"class": "form-control form-control-lg", "placeholder": _("一句话概括这件事")}
        ),
    )
    happened_on = forms.DateField(
        label=_("发生日期"),
        widget=forms.DateInput(
            attrs={"type": "date", "class": "form-control form-control-lg"}, format="%Y-%m-%d"
        ),
    )
    description = forms.CharField(
        label=_("事件经过与成效"),
        widget=forms.Textarea(attrs={"rows": 6, "class": "form-control"}),
    )
    attachment = forms.FileField(label=_("佐证材料"), required=False, widget=UploadInput)

    def __init__(self, *args, period=None, has_file=False, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["attachment"]
        field.widget.attrs.update({"class": "form-control", "accept": accept_attribute()})
        hint = _("可选：照片或文档（%(types)s），不超过 %(size)s。") % {
            "types": allowed_types_text(),
            "size": human_size(max_upload_bytes()),
        }
        if has_file:
            hint += " " + str(_("重新上传将替换原有文件。"))
        field.help_text = hint
        if period:
            start, end = period
            date = self.fields["happened_on"]
            date.widget.attrs.update({"min": start.isoformat(), "max": end.isoformat()})
            date.help_text = _("考评期间 %(start)s 至 %(end)s。") % {"start": start, "end": end}

    def apply_errors(self, exc: ValidationError) -> None:
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc.messages)
            return
        for key, errors in exc.message_dict.items():
            self.add_error(key if key in self.fields else None, errors)
