"""Forms for organizations, people and role grants. Choice lists come through the scope door."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from bastion.core.forms import BootstrapFormMixin, PersonChoiceField
from bastion.core.scope import allows, subtree_q

from .models import CommitteeMember, Organization, Person, Role
from .models.organization import OrganizationKind
from .selectors import grantable_roles
from .services import ORG_FIELDS, PERSON_FIELDS
from .typed import plain_organization, plain_person

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def plain_cleaned(form: forms.Form, make_plain) -> dict:
    """``form.cleaned_data`` made plain the importers' way (``typed.py``): full-width made
    ASCII, "周　杰" → "周杰", phone numbers checked; a refused value is reported on its field."""
    cleaned = form.cleaned_data
    try:
        make_plain(cleaned)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            form.add_error(name, messages)
    return cleaned


class OrganizationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{'　' * max(obj.depth - 1, 0)}{obj.name}（{obj.code}）"


class OrganizationForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = Organization
        fields = list(ORG_FIELDS)
        widgets = {
            "established_on": DATE_WIDGET,
            "term_started_on": DATE_WIDGET,
            "term_ends_on": DATE_WIDGET,
        }

    def clean(self):
        super().clean()
        return plain_cleaned(self, plain_organization)


class OrganizationMoveForm(BootstrapFormMixin, forms.Form):
    new_parent = OrganizationChoiceField(
        label=_("新的上级组织"), queryset=Organization.objects.none()
    )

    def __init__(self, *args, user, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_parent"].queryset = (
            Organization.objects.restrict(user, "add")
            .exclude(subtree_q("path", organization.path))
            .exclude(kind=OrganizationKind.GROUP)
        )


class PersonForm(BootstrapFormMixin, forms.ModelForm):
    organization = OrganizationChoiceField(
        label=_("所在党组织"), queryset=Organization.objects.none()
    )
    party_group = OrganizationChoiceField(
        label=_("党小组"), queryset=Organization.objects.none(), required=False
    )

    class Meta:
        model = Person
        # The service's writable fields, less the birth date the ID number fills in.
        fields = [name for name in PERSON_FIELDS if name != "birth_date"]
        widgets = {
            "applied_on": DATE_WIDGET,
            "admitted_on": DATE_WIDGET,
            "confirmed_on": DATE_WIDGET,
        }
        help_texts = {
            "id_number": _(
                "18位居民身份证号码，系统会校验校验位并据此填写出生日期和性别；"
                "15位旧号码自动换算为18位。"
            ),
            "phone": _("11位手机号码，或带区号的固定电话（如 0731-84561234）。"),
            "employee_no": _("单位内唯一的工号，用于导入时匹配人员。"),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        action = "change" if self.instance.pk else "add"
        allowed = Organization.objects.restrict(user, "view").permitted(
            user, f"orgs.{action}_person"
        )
        self.fields["organization"].queryset = allowed.exclude(kind=OrganizationKind.GROUP)
        self.fields["party_group"].queryset = allowed.filter(kind=OrganizationKind.GROUP)
        if self.instance.pk and self.instance.id_number and not _can_see_id(user, self.instance):
            # Never send a full ID number to someone who may not see it.
            self.fields.pop("id_number")

    def clean(self):
        super().clean()
        return plain_cleaned(self, plain_person)

    def cleaned_payload(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields if name in self.fields}


def _can_see_id(user, person) -> bool:
    return allows(user, "orgs.view_sensitive_person", person.organization)


class CommitteeSeatForm(BootstrapFormMixin, forms.Form):
    person = forms.ModelChoiceField(label=_("人员"), queryset=Person.objects.none())
    position = forms.ChoiceField(
        label=_("职务"), choices=CommitteeMember._meta.get_field("position").choices
    )
    started_on = forms.DateField(label=_("任职日期"), required=False, widget=DATE_WIDGET)

    def __init__(self, *args, user, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = (
            Person.objects.restrict(user, "view")
            .filter(subtree_q("organization__path", organization.path))
            .members()
        )


class AccountHolderField(PersonChoiceField):
    """A person who holds an account, shown as "张三 · A1供电所党支部"."""

    def label_from_instance(self, obj):
        return account_holder_label(obj)


def account_holder_label(person) -> str:
    return f"{person.name} · {person.organization.name}"


class RoleGrantForm(BootstrapFormMixin, forms.Form):
    """Grant a role to the account of a person in the granter's scope. A typed username is the
    fallback for accounts that belong to nobody (system administrators)."""

    SHOWN = 200  # the picker lists at most this many; the search box narrows it

    person = AccountHolderField(
        label=_("人员"),
        required=False,
        help_text=_("只列出已开通账号的人员；人多时先在上方按姓名、拼音首字母或工号查找。"),
    )
    username = forms.CharField(
        label=_("或：未关联人员的账号"),
        max_length=150,
        required=False,
        help_text=_("仅用于系统管理员等不属于任何人员的账号，填写其用户名。"),
    )
    role = forms.ModelChoiceField(label=_("角色"), queryset=Role.objects.all())
    organization = OrganizationChoiceField(label=_("组织"), queryset=Organization.objects.none())

    def __init__(self, *args, user, query: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.restrict(
            user, "view"
        ).permitted(user, "orgs.add_roleassignment")
        self.fields["role"].queryset = grantable_roles(user)
        people = self.fields["person"]
        people.offer(user)
        people.queryset = people.queryset.select_related("organization", "user")
        people.widget.choices = [("", _("请选择")), *self._shown(people.queryset, query)]

    def _shown(self, people, query: str) -> list:
        holders = people.filter(user__isnull=False, user__is_active=True).search(query)
        shown = list(holders.order_by("organization__path", "name", "id")[: self.SHOWN])
        chosen = self.data.get(self.add_prefix("person")) if self.is_bound else None
        if chosen and str(chosen).isdigit() and all(str(p.pk) != str(chosen) for p in shown):
            shown += list(holders.filter(pk=chosen))
        return [(p.pk, account_holder_label(p)) for p in shown]

    def clean_person(self):
        person = self.cleaned_data.get("person")
        if person is not None and (person.user is None or not person.user.is_active):
            raise forms.ValidationError(
                _("“%(name)s”还没有可用的账号，请先为其开通账号再授予角色。")
                % {"name": person.name}
            )
        return person

    def clean_username(self):
        username = self.cleaned_data.get("username", "").strip()
        if not username:
            return None
        account = get_user_model().objects.filter(username=username, is_active=True).first()
        if account is None:
            raise forms.ValidationError(
                _("没有找到用户名为“%(name)s”的账号。") % {"name": username}
            )
        if Person.objects.filter(user=account).exists():
            raise forms.ValidationError(_("该账号已关联人员，请在“人员”中按姓名选择。"))
        return account

    def clean(self):
        data = super().clean()
        person, account = data.get("person"), data.get("username")
        if "person" in self.errors or "username" in self.errors:
            return data
        if person is None and account is None:
            self.add_error("person", _("请选择要授予角色的人员。"))
        elif person is not None and account is not None:
            self.add_error("username", _("已选择人员时请不要再填写用户名。"))
        else:
            data["account"] = person.user if person is not None else account
        return data
