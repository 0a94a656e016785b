"""Forms of the 党员积分手册 pages. They gather input; ``services.points`` checks the rules.

The person list holds the user themself and the members they may record for (approve scope);
a plain member sees no list: they record for themself.
"""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bastion.core.evidence import accept_attribute, allowed_types_text, human_size
from bastion.core.evidence import max_upload_bytes as max_bytes
from bastion.core.forms import BootstrapFormMixin, UploadInput
from bastion.core.local_names import local_name
from bastion.orgs.models import Person

from .models import PointsItem
from .selectors_points import handbook, people_to_record_for


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.organization.name}）"


class ItemChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.get_category_display()} · {local_name(obj)}（{obj.points:+}）"


class PointsEntryForm(BootstrapFormMixin, forms.Form):
    person = PersonChoiceField(
        label=_("党员"),
        queryset=Person.objects.none(),
        error_messages={"invalid_choice": _("所选人员不在您的管理范围内，请重新选择。")},
    )
    item = ItemChoiceField(
        label=_("积分项目"),
        queryset=PointsItem.objects.none(),
        error_messages={"invalid_choice": _("所选积分项目不存在或已停用。")},
    )
    occurred_on = forms.DateField(
        label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    points = forms.DecimalField(
        label=_("分值"),
        required=False,
        max_digits=6,
        decimal_places=2,
        help_text=_("留空按积分手册的分值。"),
    )
    note = forms.CharField(
        label=_("说明"), required=False, max_length=300, widget=forms.Textarea(attrs={"rows": 3})
    )
    evidence = forms.FileField(label=_("佐证"), required=False, widget=UploadInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.own = getattr(user, "person", None)
        others = people_to_record_for(user)
        self.records_for_others = others.exists()
        condition = Q(pk__in=others.values("pk"))
        if self.own is not None:
            condition |= Q(pk=self.own.pk)
        self.fields["person"].queryset = (
            Person.objects.filter(condition)
            .select_related("organization")
            .order_by("organization__path", "name")
        )
        if not self.records_for_others:
            self.fields["person"].widget = forms.HiddenInput()
            del self.fields["points"]
        if self.own is not None:
            self.fields["person"].initial = self.own.pk
        self.fields["item"].queryset = handbook()
        self.fields["evidence"].widget.attrs["accept"] = accept_attribute()
        self.fields["evidence"].help_text = _("%(types)s，不超过 %(size)s；部分项目须附佐证。") % {
            "types": allowed_types_text(),
            "size": human_size(max_bytes()),
        }


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("认定")), ("reject", _("不认定"))])
    reason = forms.CharField(required=False, max_length=300)
