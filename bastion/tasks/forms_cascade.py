"""Forms of the 四级贯通 pages. They gather input; ``services/cascade.py`` checks the rules and
writes. The organization list is built by the view from the nearby picker, already narrowed to
the actor's scope and to where the level may sit."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from bastion.core.forms import BootstrapFormMixin

from .models import CascadeItem, CascadeLevel, CascadeStatus
from .services.cascade import EDITABLE, sheet_required

LIMITS = {
    name: CascadeItem._meta.get_field(name).max_length
    for name in ("title", "direction", "goal", "people", "responsibility")
}


def org_label(org) -> str:
    return "\u3000" * max(org.depth - 1, 0) + org.name


class CascadeItemForm(BootstrapFormMixin, forms.Form):
    organization = forms.ChoiceField(label=_("责任组织"))
    title = forms.CharField(label=_("名称"), max_length=LIMITS["title"])
    description = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    direction = forms.CharField(label=_("方向"), max_length=LIMITS["direction"], required=False)
    goal = forms.CharField(label=_("目标"), max_length=LIMITS["goal"], required=False)
    people = forms.CharField(label=_("人员"), max_length=LIMITS["people"], required=False)
    measures = forms.CharField(
        label=_("措施"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    deadline = forms.DateField(
        label=_("时限"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    responsibility = forms.CharField(
        label=_("责任"), max_length=LIMITS["responsibility"], required=False
    )

    def __init__(self, *args, level: str, organizations, parent=None, lock_org=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.level = level
        self.organizations = {str(org.pk): org for org in organizations}
        field = self.fields["organization"]
        field.choices = [("", _("请选择"))] + [
            (pk, org_label(org)) for pk, org in self.organizations.items()
        ]
        if lock_org:
            del self.fields["organization"]
        if level == CascadeLevel.TASK_SHEET:
            for name in sheet_required():
                self.fields[name].required = True
        if parent is not None and parent.deadline:
            self.fields["deadline"].widget.attrs["max"] = parent.deadline.isoformat()
            self.fields["deadline"].help_text = _(
                "不晚于上级事项的时限 %(date)s；留空即沿用上级时限。"
            ) % {"date": parent.deadline.isoformat()}
        self.fields["people"].help_text = _("参与的人员或队伍，如“各供电所所长、台区经理”。")

    def service_fields(self) -> dict:
        data = {name: self.cleaned_data.get(name) for name in EDITABLE}
        for name, value in data.items():
            if value is None and name != "deadline":
                data[name] = ""
        if "organization" in self.fields:
            data["organization"] = self.organizations[self.cleaned_data["organization"]]
        return data


class StatusForm(BootstrapFormMixin, forms.Form):
    status = forms.ChoiceField(label=_("进展"), choices=CascadeStatus.choices)
    progress_note = forms.CharField(
        label=_("进展情况"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
