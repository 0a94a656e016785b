"""Forms for organizations, people and role grants. Choice lists come through the scope door."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from bastion.core.forms import BootstrapFormMixin
from bastion.core.scope import allows, subtree_q

from .models import CommitteeMember, Organization, Person, Role
from .models.organization import OrganizationKind
from .services import ORG_FIELDS, PERSON_FIELDS

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


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
            "id_number": _("18位居民身份证号码，系统会校验校验位并据此填写出生日期和性别。"),
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


class RoleGrantForm(BootstrapFormMixin, forms.Form):
    username = forms.CharField(label=_("用户名"), max_length=150)
    role = forms.ModelChoiceField(label=_("角色"), queryset=Role.objects.all())
    organization = OrganizationChoiceField(label=_("组织"), queryset=Organization.objects.none())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.restrict(
            user, "view"
        ).permitted(user, "orgs.add_roleassignment")

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise forms.ValidationError(
                _("没有找到用户名为“%(name)s”的账号。") % {"name": username}
            )
        return user
