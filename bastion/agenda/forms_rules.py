"""Forms of the work calendar: a rule version, retiring a rule, generating a year.

The forms check types; the rules of the calendar (windows, due months per recurrence, …) are
checked by ``services.rules.validate_rule`` so the API and commands get the same messages.
"""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bastion.core.forms import BootstrapFormMixin
from bastion.orgs.models.organization import OrganizationKind, UnitKind

from .models import DueTerm, GuidePage, ItemKind, Recurrence
from .services.rules import FIRST_YEAR, RULE_FIELDS

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
CHECKBOXES = forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"})


class RuleForm(BootstrapFormMixin, forms.Form):
    code = forms.SlugField(
        label=_("事项编码"),
        max_length=40,
        help_text=_("小写字母、数字和连字符，如 theme-day；创建后不能修改。"),
    )
    name = forms.CharField(label=_("事项名称"), max_length=100)
    kind = forms.ChoiceField(label=_("事项类别"), choices=ItemKind.choices)
    applies_kinds = forms.MultipleChoiceField(
        label=_("适用组织类型"),
        choices=OrganizationKind.choices,
        required=False,
        widget=CHECKBOXES,
        help_text=_("不选表示全部组织类型。"),
    )
    applies_unit_kinds = forms.MultipleChoiceField(
        label=_("适用单位类别"),
        choices=UnitKind.choices,
        required=False,
        widget=CHECKBOXES,
        help_text=_("不选表示全部单位类别。"),
    )
    recurrence = forms.ChoiceField(label=_("周期"), choices=Recurrence.choices)
    due_month = forms.IntegerField(
        label=_("截止月份"),
        initial=0,
        help_text=_(
            "每季度：季度内第几个月（1-3，0 表示季末）；"
            "每年：几月（1-12，0 表示 12 月）；其他周期填 0。"
        ),
    )
    due_day = forms.IntegerField(
        label=_("截止日"), initial=0, help_text=_("当月几号截止，0 表示月末。")
    )
    due_term = forms.TypedChoiceField(
        label=_("截止节气"),
        choices=DueTerm.choices,
        coerce=int,
        required=False,
        empty_value=DueTerm.DAY,
        initial=DueTerm.DAY,
        help_text=_(
            "按二十四节气表排定：截止于当月第一个节气（节，约 4-8 日）或第二个节气"
            "（中气，约 19-23 日），各年日期自动计算；选“按截止日”则用上面的截止日。"
        ),
    )
    due_on = forms.DateField(
        label=_("截止日期"), required=False, widget=DATE_WIDGET, help_text=_("仅一次性事项填写。")
    )
    green_days = forms.IntegerField(label=_("绿色通知提前天数"), initial=15)
    yellow_days = forms.IntegerField(label=_("黄色提醒提前天数"), initial=5)
    quorum_ratio = forms.DecimalField(
        label=_("法定到会比例"),
        required=False,
        max_digits=4,
        decimal_places=2,
        help_text=_("会议类事项：有表决权的党员实到人数须超过该比例，如 0.50；不需要则留空。"),
    )
    evidence_required = forms.CharField(
        label=_("所需佐证"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行一项，如：会议记录、签到表、照片。"),
    )
    guide = forms.ModelChoiceField(
        label=_("操作指引"),
        queryset=GuidePage.objects.order_by("sort_order", "title"),
        required=False,
    )
    source = forms.CharField(label=_("依据来源"), max_length=200)
    description = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    sort_order = forms.IntegerField(label=_("排序"), initial=100, min_value=0, max_value=32767)
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)
    effective_from = forms.DateField(
        label=_("生效日期"),
        widget=DATE_WIDGET,
        help_text=_(
            "从该日起（按各周期的最后一天判断）使用本版本；该日以后未完成的应办事项将重新排定。"
        ),
    )

    def __init__(self, *args, rule=None, **kwargs):
        self.rule = rule
        if rule is not None:
            initial = {name: getattr(rule, name) for name in RULE_FIELDS}
            initial["evidence_required"] = "\n".join(rule.evidence_required or [])
            initial["guide"] = rule.guide_id
            kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.fields["effective_from"].initial = timezone.localdate()
        if rule is None:
            self.fields.pop("is_active")
        else:
            # The code names the rule; kind and recurrence are fixed by generated obligations.
            self.fields.pop("code")
            for name in ("kind", "recurrence"):
                self.fields[name].disabled = True

    def clean_evidence_required(self):
        text = self.cleaned_data.get("evidence_required") or ""
        return [line.strip() for line in text.replace("、", "\n").splitlines() if line.strip()]

    def payload(self) -> dict:
        data = {name: self.cleaned_data[name] for name in RULE_FIELDS if name in self.fields}
        data["applies_kinds"] = list(data.get("applies_kinds") or [])
        data["applies_unit_kinds"] = list(data.get("applies_unit_kinds") or [])
        if "code" in self.fields:
            data["code"] = self.cleaned_data["code"]
        return data


class RetireForm(BootstrapFormMixin, forms.Form):
    effective_from = forms.DateField(
        label=_("停用日期"),
        widget=DATE_WIDGET,
        help_text=_("该日以后到期且尚未完成的应办事项将被删除，已完成的记录保留。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["effective_from"].initial = timezone.localdate()


class GenerateForm(forms.Form):
    year = forms.TypedChoiceField(label=_("年度"), coerce=int)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        this_year = timezone.localdate().year
        years = range(max(FIRST_YEAR, this_year - 2), this_year + 2)
        self.fields["year"].choices = [(y, str(y)) for y in years]
        self.fields["year"].initial = this_year
        self.fields["year"].widget.attrs.update({"class": "form-select", "aria-label": _("年度")})
