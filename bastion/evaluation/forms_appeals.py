"""Forms of the appeal pages: raising an appeal and answering it (the rules are in
``services.appeals``)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from bastion.core.forms import BootstrapFormMixin

UPHOLD, DISMISS = "uphold", "dismiss"


class AppealForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("申诉理由"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("写明对哪一项指标的得分有异议、事实和依据。"),
        error_messages={"required": _("请填写申诉理由。")},
    )


class AnswerForm(BootstrapFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("处理结果"),
        choices=[(UPHOLD, _("采纳：重新计算本轮结果并重新授予称号")), (DISMISS, _("驳回"))],
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages={"required": _("请选择采纳或驳回。")},
    )
    answer = forms.CharField(
        label=_("处理意见"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("处理意见将通知申诉人。"),
        error_messages={"required": _("请填写处理意见。")},
    )

    @property
    def uphold(self) -> bool:
        return self.cleaned_data["decision"] == UPHOLD
