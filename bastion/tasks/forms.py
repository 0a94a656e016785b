"""Forms of the task pages. They gather and check input; the services write.

Choices never leave the scope: the issuer is picked among organizations where the user may
draft tasks, recipients among organizations inside the issuer's subtree that the user sees.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from bastion.core.forms import (
    BootstrapFormMixin,
    MultipleFileField,
    OrganizationChoiceField,
    files_help,
    indented,
)
from bastion.core.scope import subtree_q
from bastion.orgs.models import Organization
from bastion.orgs.models.organization import OrganizationKind, UnitKind
from bastion.orgs.selectors import nearby_choices

from .models import FieldKind, Priority
from .services.tasks import MAX_FIELDS


class IdListField(forms.Field):
    """A list of organization ids from repeated inputs (checkboxes or hidden fields)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        if not value:
            return []
        values = value if isinstance(value, list | tuple) else [value]
        try:
            return sorted({int(v) for v in values if str(v).strip()})
        except (TypeError, ValueError):
            raise ValidationError(_("所选组织无效，请重新选择。")) from None


# --- the sheet --------------------------------------------------------------------------------


class TaskForm(BootstrapFormMixin, forms.Form):
    title = forms.CharField(label=_("标题"), max_length=200)
    issuer = OrganizationChoiceField(
        label=_("派发组织"), error_messages={"invalid_choice": _("请在列表中选择派发组织。")}
    )
    due_on = forms.DateField(
        label=_("反馈截止日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    priority = forms.ChoiceField(label=_("紧急程度"), choices=Priority.choices)
    body = forms.CharField(
        label=_("工作要求"), required=False, widget=forms.Textarea(attrs={"rows": 8})
    )
    files = MultipleFileField(label=_("附件"))
    remove_attachments = forms.TypedMultipleChoiceField(
        label=_("删除附件"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, user, task=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.task = task
        selected = task.issuer if task else None
        options = nearby_choices(user, selected, "tasks.add_task")
        self.fields["issuer"].offer(
            user, "tasks.add_task", [o for o in options if o.is_active], selected=[selected]
        )
        self.fields["files"].help_text = files_help()
        if task is not None:
            self.attachments = list(task.attachments.all())
            self.fields["remove_attachments"].choices = [
                (a.pk, a.original_name) for a in self.attachments
            ]
            self.fields["remove_attachments"].widget.attrs["class"] = "form-check-input"
        else:
            self.attachments = []
            del self.fields["remove_attachments"]

    def service_fields(self) -> dict:
        data = self.cleaned_data
        result = {k: data[k] for k in ("title", "issuer", "due_on", "priority", "body")}
        result["files"] = data["files"]
        if "remove_attachments" in data:
            result["remove_attachments"] = data["remove_attachments"]
        return result


class FeedbackFieldForm(BootstrapFormMixin, forms.Form):
    """One row of the feedback-form builder. A row without a name is ignored."""

    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    label = forms.CharField(label=_("字段名称"), max_length=100, required=False)
    kind = forms.ChoiceField(label=_("类型"), choices=FieldKind.choices, initial=FieldKind.TEXT)
    choices = forms.CharField(
        label=_("选项（每行一个）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("仅单选字段需要"),
    )
    required = forms.BooleanField(label=_("必填"), required=False, initial=True)
    help_text = forms.CharField(label=_("填写说明"), max_length=200, required=False)

    def clean(self):
        data = super().clean()
        if not data.get("label") and (data.get("choices") or data.get("help_text")):
            self.add_error("label", _("请填写字段名称。"))
        if data.get("label") and data.get("kind") == FieldKind.CHOICE:
            options = [o.strip() for o in (data.get("choices") or "").splitlines() if o.strip()]
            if len(options) < 2:
                self.add_error("choices", _("单选字段至少需要两个选项（每行一个）。"))
            elif len(set(options)) != len(options):
                self.add_error("choices", _("选项不能重复。"))
        return data

    def spec(self) -> dict | None:
        data = self.cleaned_data
        if not data or not data.get("label") or data.get("DELETE"):
            return None
        return {
            "id": data.get("id"),
            "label": data["label"],
            "kind": data["kind"],
            "choices": (data.get("choices") or "").splitlines(),
            "required": data.get("required", False),
            "help_text": data.get("help_text", ""),
        }


class BaseFeedbackFieldFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].widget.attrs["class"] = "form-check-input"

    def clean(self):
        if any(self.errors):
            return
        labels = [spec["label"] for spec in self.specs()]
        duplicates = sorted({label for label in labels if labels.count(label) > 1})
        if duplicates:
            raise ValidationError(
                _("反馈字段名称重复：%(labels)s。") % {"labels": "、".join(duplicates)}
            )

    def specs(self) -> list[dict]:
        return [spec for form in self.forms if (spec := form.spec()) is not None]


FeedbackFieldFormSet = forms.formset_factory(
    FeedbackFieldForm,
    formset=BaseFeedbackFieldFormSet,
    extra=2,
    can_delete=True,
    max_num=MAX_FIELDS,
    validate_max=True,
)


def field_initial(task) -> list[dict]:
    return [
        {
            "id": f.pk,
            "label": f.label,
            "kind": f.kind,
            "choices": "\n".join(f.choices or []),
            "required": f.required,
            "help_text": f.help_text,
        }
        for f in task.fields.all()
    ]


# --- recipients ------------------------------------------------------------------------------


class RecipientForm(forms.Form):
    """Who receives the task: a subtree with unit-kind and organization-kind filters, or
    organizations ticked by hand from a searchable list inside a subtree."""

    SUBTREE, HAND = "subtree", "hand"

    mode = forms.ChoiceField(
        label=_("选择方式"),
        choices=[(SUBTREE, _("按范围")), (HAND, _("逐个勾选"))],
        initial=SUBTREE,
        widget=forms.RadioSelect,
    )
    within = forms.ModelChoiceField(
        label=_("范围（含下级）"),
        queryset=Organization.objects.none(),
        required=False,
        error_messages={"invalid_choice": _("所选范围不在派发组织的下级中。")},
    )
    unit_kind = forms.ChoiceField(
        label=_("单位类别"), required=False, choices=[("", _("不限")), *UnitKind.choices]
    )
    kinds = forms.MultipleChoiceField(
        label=_("组织类型"),
        required=False,
        choices=OrganizationKind.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    q = forms.CharField(label=_("名称或编码"), required=False, max_length=50)
    ids = IdListField(label=_("承办组织"), required=False)

    def __init__(self, *args, user, issuer: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.issuer = issuer
        visible = Organization.objects.restrict(user, "view").filter(subtree_q("path", issuer.path))
        field = self.fields["within"]
        field.queryset = visible
        selected = None
        raw = self.data.get(self.add_prefix("within")) if self.is_bound else None
        if raw:
            selected = visible.filter(pk=raw).first() if str(raw).isdigit() else None
        options = [
            n for n in nearby_choices(user, selected or issuer) if n.path.startswith(issuer.path)
        ]
        field.widget.choices = [("", _("全部下级")), *((o.pk, indented(o)) for o in options)]
        for name in ("within", "unit_kind"):
            self.fields[name].widget.attrs["class"] = "form-select"
        for name in ("mode", "kinds"):
            self.fields[name].widget.attrs["class"] = "form-check-input"
        self.fields["q"].widget.attrs["class"] = "form-control"

    def clean(self):
        data = super().clean()
        hand = data.get("mode") == self.HAND
        if hand and self.data.get("preview") and not data.get("ids"):
            self.add_error("ids", _("请至少勾选一个承办组织。"))
        return data

    def criteria(self) -> dict:
        data = self.cleaned_data
        return {
            "within": data.get("within") or None,
            "unit_kind": data.get("unit_kind") or None,
            "kinds": data.get("kinds") or None,
        }

    @property
    def hand(self) -> bool:
        return self.cleaned_data.get("mode") == self.HAND


class PassDownForm(RecipientForm):
    due_on = forms.DateField(
        label=_("下级反馈截止日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
        help_text=_("不晚于上级要求的截止日期；不填则与上级相同。"),
    )

    def __init__(self, *args, parent_due, **kwargs):
        super().__init__(*args, **kwargs)
        self.parent_due = parent_due

    def clean_due_on(self):
        due = self.cleaned_data.get("due_on")
        if due and due > self.parent_due:
            raise ValidationError(
                _("转派的截止日期不能晚于上级要求的 %(d)s。") % {"d": self.parent_due.isoformat()}
            )
        return due


# --- review ----------------------------------------------------------------------------------


class ReviewForm(forms.Form):
    ACCEPT, RETURN = "accept", "return"

    decision = forms.ChoiceField(choices=[(ACCEPT, _("采纳")), (RETURN, _("退回"))])
    reason = forms.CharField(
        label=_("退回原因"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        help_text=_("退回时必须填写，承办组织会看到。"),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == self.RETURN and not (data.get("reason") or "").strip():
            self.add_error("reason", _("退回时必须填写退回原因。"))
        return data
