"""Forms of the scheme pages. They check types and keep choice lists inside the scheme and the
user's scope; the rules across rows are checked by ``services.scheme_edit``."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from bastion.core.forms import BootstrapFormMixin, indented
from bastion.core.local_names import local_name
from bastion.core.orgtree import permitted_organizations
from bastion.orgs.models import Organization
from bastion.orgs.models.organization import OrganizationKind

from .models import EvaluatorKind, Indicator, IndicatorKind, Scheme, TitleBasis, TitleRule
from .selectors_schemes import descendant_ids, may_own_shipped
from .services.scheme_edit import INDICATOR_FIELDS, SCHEME_FIELDS, TITLE_FIELDS

CHECKBOXES = forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"})
OWNER_KINDS = [OrganizationKind.COMMITTEE, OrganizationKind.GENERAL_BRANCH]


def model_field(model, name: str, **kwargs):
    """The form field a model field would get: its label, choices and help text, once."""
    return model._meta.get_field(name).formfield(**kwargs)


class SchemeFormMixin(BootstrapFormMixin):
    """Tabler classes, and “请选择” instead of Django's dashes on required choices."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.ModelChoiceField) or not hasattr(field, "choices"):
                continue
            choices = list(field.choices)
            if choices and choices[0] == ("", "---------"):
                field.choices = [("", _("请选择")), *choices[1:]]


def _initial(instance, names) -> dict:
    return {name: getattr(instance, name) for name in names}


class SchemeForm(SchemeFormMixin, forms.Form):
    code = model_field(Scheme, "code", help_text=_("小写字母、数字和连字符，创建后不能修改。"))
    name = model_field(Scheme, "name")
    name_en = model_field(Scheme, "name_en")
    description = model_field(Scheme, "description", widget=forms.Textarea(attrs={"rows": 3}))
    source = model_field(Scheme, "source")
    owner = forms.ModelChoiceField(
        label=_("制定单位"),
        queryset=Organization.objects.none(),
        required=False,
        error_messages={"invalid_choice": _("所选制定单位不在您的管理范围内，请重新选择。")},
    )
    target_kind = model_field(Scheme, "target_kind")
    period_kind = model_field(Scheme, "period_kind")
    style = model_field(Scheme, "style")
    full_score = model_field(Scheme, "full_score")
    bonus_cap = model_field(Scheme, "bonus_cap")
    deduction_cap = model_field(Scheme, "deduction_cap")
    veto_cap = model_field(Scheme, "veto_cap")
    missing_policy = model_field(Scheme, "missing_policy")
    is_active = model_field(Scheme, "is_active")

    def __init__(self, *args, user, scheme: Scheme | None = None, **kwargs):
        if scheme is not None:
            kwargs.setdefault("initial", _initial(scheme, SCHEME_FIELDS))
        super().__init__(*args, **kwargs)
        permission = "evaluation.change_scheme" if scheme else "evaluation.add_scheme"
        owner = self.fields["owner"]
        options = permitted_organizations(user, permission).filter(kind__in=OWNER_KINDS)
        if scheme is not None and scheme.owner_id:
            options = options | Organization.objects.filter(pk=scheme.owner_id)
        owner.queryset = options.order_by("path")
        owner.label_from_instance = indented
        if may_own_shipped(user, permission):
            owner.empty_label = _("全公司通用（内置方案）")
        else:
            owner.required = True
            owner.empty_label = _("请选择")
        if scheme is not None:
            self.fields["code"].disabled = True

    def payload(self) -> dict:
        data = {name: self.cleaned_data[name] for name in SCHEME_FIELDS}
        if self.fields["code"].disabled:
            data.pop("code")
        return data


class IndicatorForm(SchemeFormMixin, forms.Form):
    code = model_field(Indicator, "code", help_text=_("小写字母、数字和连字符，在本方案内唯一。"))
    name = model_field(Indicator, "name")
    name_en = model_field(Indicator, "name_en")
    kind = model_field(Indicator, "kind")
    parent = forms.ModelChoiceField(
        label=_("上级指标"),
        queryset=Indicator.objects.none(),
        required=False,
        empty_label=_("（无，位于第一层）"),
        error_messages={"invalid_choice": _("上级指标必须是本方案的指标分组，请重新选择。")},
    )
    weight = model_field(
        Indicator, "weight", help_text=_("评分项、数据项、指标分组在同级之间按权重分配分值。")
    )
    max_score = model_field(Indicator, "max_score")
    source = model_field(Indicator, "source")
    source_param = model_field(
        Indicator,
        "source_param",
        help_text=_(
            "同业对标指标排名填对标指标代码；其他方案的考评结果填方案代码；"
            "党员积分填积分类别（plan、execution、result、safety、deduction）或留空。"
        ),
    )
    full_marks_at = model_field(Indicator, "full_marks_at")
    scored_by = forms.MultipleChoiceField(
        label=_("评价主体"),
        required=False,
        widget=CHECKBOXES,
        help_text=_("只对评分项、加分项、扣分项和否决项有效；不选表示方案的全部评价主体。"),
    )
    guidance = model_field(Indicator, "guidance", widget=forms.Textarea(attrs={"rows": 2}))
    order = model_field(Indicator, "order")

    def __init__(self, *args, scheme: Scheme, indicator: Indicator | None = None, **kwargs):
        if indicator is not None:
            initial = _initial(indicator, INDICATOR_FIELDS)
            initial["parent"] = indicator.parent_id
            kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        parents = scheme.indicators.filter(kind=IndicatorKind.GROUP)
        if indicator is not None:
            parents = parents.exclude(pk__in=descendant_ids(indicator) | {indicator.pk})
        self.fields["parent"].queryset = parents.order_by("order", "id")
        self.fields["parent"].label_from_instance = local_name
        groups = list(scheme.groups.all())
        self.fields["scored_by"].choices = [(g.kind, g.get_kind_display()) for g in groups]
        self.fields["source"].choices = [("", _("（无）")), *self.fields["source"].choices[1:]]
        self.fields["source_param"].widget.attrs["list"] = "param-options"

    def payload(self) -> dict:
        data = {name: self.cleaned_data[name] for name in INDICATOR_FIELDS}
        data["scored_by"] = list(data["scored_by"] or [])
        data["source"] = data["source"] or ""
        return data


class GroupsForm(BootstrapFormMixin, forms.Form):
    """One row per evaluator kind: a checkbox to use it and its weight."""

    def __init__(self, *args, scheme: Scheme, **kwargs):
        current = {group.kind: group.weight for group in scheme.groups.all()}
        initial = {}
        for kind in EvaluatorKind.values:
            initial[f"use_{kind}"] = kind in current
            initial[f"weight_{kind}"] = current.get(kind)
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)

    @classmethod
    def _add_fields(cls):
        for kind, label in EvaluatorKind.choices:
            cls.base_fields[f"use_{kind}"] = forms.BooleanField(label=label, required=False)
            cls.base_fields[f"weight_{kind}"] = forms.DecimalField(
                label=_("权重"), required=False, max_digits=5, decimal_places=2
            )

    def rows(self):
        return [
            {"label": label, "use": self[f"use_{kind}"], "weight": self[f"weight_{kind}"]}
            for kind, label in EvaluatorKind.choices
        ]

    def clean(self):
        data = super().clean()
        for kind, label in EvaluatorKind.choices:
            if data.get(f"use_{kind}") and data.get(f"weight_{kind}") is None:
                self.add_error(f"weight_{kind}", _("请填写“%(group)s”的权重。") % {"group": label})
        return data

    def weights(self) -> dict:
        data = self.cleaned_data
        return {
            kind: data[f"weight_{kind}"] for kind in EvaluatorKind.values if data.get(f"use_{kind}")
        }


GroupsForm._add_fields()


class TitleRuleForm(SchemeFormMixin, forms.Form):
    code = model_field(TitleRule, "code", help_text=_("小写字母、数字和连字符，在本方案内唯一。"))
    name = model_field(TitleRule, "name")
    name_en = model_field(TitleRule, "name_en")
    kind = model_field(TitleRule, "kind")
    basis = model_field(TitleRule, "basis")
    min_score = model_field(
        TitleRule,
        "min_score",
        help_text=_("按分数段：达到此分授予；按前 N 名：同时不低于此分才授予。"),
    )
    max_score = model_field(TitleRule, "max_score", help_text=_("按后 N 名：同时低于此分才授予。"))
    count = model_field(TitleRule, "count")
    within = model_field(TitleRule, "within")
    indicator_code = forms.ChoiceField(label=_("按指标"), required=False)
    requires = forms.MultipleChoiceField(
        label=_("需同时获得的称号"),
        required=False,
        widget=CHECKBOXES,
        help_text=_("仅“同时获得若干称号”时填写。"),
    )
    stars = model_field(TitleRule, "stars")
    lift_score = model_field(TitleRule, "lift_score")
    source = model_field(TitleRule, "source")

    def __init__(self, *args, scheme: Scheme, rule: TitleRule | None = None, **kwargs):
        if rule is not None:
            kwargs.setdefault("initial", _initial(rule, TITLE_FIELDS))
        super().__init__(*args, **kwargs)
        indicators = scheme.indicators.order_by("order", "id")
        self.fields["indicator_code"].choices = [
            ("", _("总分")),
            *[(item.code, f"{local_name(item)}（{item.code}）") for item in indicators],
        ]
        others = scheme.title_rules.exclude(pk=rule.pk if rule else None)
        self.fields["requires"].choices = [(r.code, local_name(r)) for r in others]

    def payload(self) -> dict:
        data = {name: self.cleaned_data[name] for name in TITLE_FIELDS}
        data["requires"] = list(data["requires"] or [])
        data["indicator_code"] = data["indicator_code"] or ""
        if data["basis"] != TitleBasis.ALL_OF:
            data["requires"] = []
        return data
