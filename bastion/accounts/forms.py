"""Forms of the account pages: they gather input; the services check the rules and write."""

from __future__ import annotations

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from bastion.core.forms import BootstrapFormMixin, OrganizationChoiceField
from bastion.orgs.models import Organization, Person, Role
from bastion.orgs.models.person import MembershipStatus, PersonStatus
from bastion.orgs.selectors import default_organization, nearby_choices

from .filters import MEMBERSHIP_CHOICES, OPEN_PERMISSION, people_to_open
from .models import AccountPolicy


class BulkOpenForm(BootstrapFormMixin, forms.Form):
    """批量开通: the organization (subtree) and the 政治面貌; the confirmation carries the
    signature of the preview the user saw."""

    organization = OrganizationChoiceField(
        label=_("开通范围（含下级组织）"),
        error_messages={"required": _("请选择要开通账号的组织。")},
    )
    membership_status = forms.ChoiceField(
        label=_("政治面貌"),
        choices=[("", _("全部")), *MEMBERSHIP_CHOICES],
        required=False,
    )
    signature = forms.CharField(required=False, widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        field = self.fields["organization"]
        selected = self._selected()
        if not self.is_bound:  # the form opens on the top of the requester's own subtree
            selected = default_organization(user, OPEN_PERMISSION)
            self.initial["organization"] = selected.pk if selected else None
        options = [o for o in nearby_choices(user, selected, OPEN_PERMISSION) if o.is_active]
        field.offer(user, OPEN_PERMISSION, options, [selected])
        field.queryset = (
            Organization.objects.restrict(user, "view")
            .permitted(user, OPEN_PERMISSION)
            .filter(is_active=True)
        )

    def _selected(self) -> Organization | None:
        raw = str(self.data.get("organization") or "")
        if not raw.isdigit():
            return None
        return Organization.objects.permitted(self.user, OPEN_PERMISSION).filter(pk=raw).first()

    def people(self):
        """The roster to open, from the cleaned data."""
        data = self.cleaned_data
        visible = Person.objects.restrict(self.user, "view")
        return people_to_open(visible, data["organization"], data["membership_status"])

    def description(self) -> str:
        data = self.cleaned_data
        label = dict(self.fields["membership_status"].choices).get(data["membership_status"])
        return f"{data['organization'].name} · {label}"


class DeactivateForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("停用原因"),
        max_length=200,
        required=False,
        help_text=_("记入账号的变更记录，可留空。"),
    )


class ActivationForm(BootstrapFormMixin, forms.Form):
    """首次登录: the username and code from the 开户清单, and the person's own new password."""

    username = forms.CharField(label=_("用户名"), max_length=150)
    code = forms.CharField(
        label=_("激活码"),
        max_length=20,
        help_text=_("开户清单或书记告诉您的 8 位激活码，可带或不带短横线。"),
    )
    password1 = forms.CharField(
        label=_("设置新密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("至少 8 位，不能全是数字，不要与用户名相近。"),
    )
    password2 = forms.CharField(
        label=_("再次输入新密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        attrs = self.fields["username"].widget.attrs
        attrs.update({"autocomplete": "username", "autocapitalize": "none", "autofocus": True})
        self.fields["code"].widget.attrs.update(
            {"autocomplete": "one-time-code", "autocapitalize": "characters"}
        )

    def clean_password2(self):
        first = self.cleaned_data.get("password1")
        second = self.cleaned_data.get("password2")
        if first and second and first != second:
            raise forms.ValidationError(_("两次输入的密码不一致。"))
        return second


class ForgotPasswordForm(BootstrapFormMixin, forms.Form):
    username = forms.CharField(label=_("用户名"), max_length=150)
    note = forms.CharField(
        label=_("留言（可选）"),
        max_length=200,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("如姓名、所在班组、联系电话，便于书记核实身份。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"autocomplete": "username"})


DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
CHECKBOXES = forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"})


class PolicyForm(BootstrapFormMixin, forms.ModelForm):
    """A new 账号规则, starting from the one in force."""

    member_statuses = forms.MultipleChoiceField(
        label=_("自动授予角色的政治面貌"),
        choices=[c for c in MembershipStatus.choices if c[0] != MembershipStatus.NONE],
        widget=CHECKBOXES,
        required=False,
    )
    leaving_statuses = forms.MultipleChoiceField(
        label=_("视为离开的人员状态"),
        choices=[c for c in PersonStatus.choices if c[0] != PersonStatus.ACTIVE],
        widget=CHECKBOXES,
        required=False,
        help_text=_("人员变为这些状态时，其账号自动停用（最迟次日）。"),
    )

    class Meta:
        model = AccountPolicy
        fields = [
            "effective_from",
            "username_source",
            "member_role",
            "member_statuses",
            "leaving_statuses",
            "code_valid_days",
            "source",
        ]
        widgets = {"effective_from": DATE_WIDGET}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member_role"].queryset = Role.objects.order_by("name")
        days = self.fields["code_valid_days"]
        days.min_value, days.max_value = 1, 90
        days.widget.attrs.update({"min": 1, "max": 90})
        days.validators += [MinValueValidator(1), MaxValueValidator(90)]
