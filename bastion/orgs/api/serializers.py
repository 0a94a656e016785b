"""Serializers of the organization app's API. They validate shapes; services validate meaning."""

from django.contrib.auth import get_user_model
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Length, Substr
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from bastion.core.api import ScopedRelatedField
from bastion.core.scope import allows

from ..models import Organization, Person, Role, RoleAssignment
from ..models.person import Gender, MembershipStatus, PersonStatus, Post
from ..typed import plain_organization, plain_person


def _user(serializer):
    request = serializer.context.get("request")
    return getattr(request, "user", None)


# --- organizations ------------------------------------------------------------------------------


def with_parent_id(queryset):
    """Annotate ``parent_pk``: the parent's id, found by its path (one subquery, no extra query)."""
    parent_path = Substr(OuterRef("path"), 1, Length(OuterRef("path")) - Organization.steplen)
    parents = Organization.objects.filter(path=parent_path).order_by().values("pk")[:1]
    return queryset.annotate(parent_pk=Subquery(parents))


class ParentIdField(serializers.IntegerField):
    """The parent's id, or null when the parent lies outside the requester's scope."""

    def __init__(self, **kwargs):
        kwargs.update(read_only=True, allow_null=True)
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        parent_pk = getattr(instance, "parent_pk", None)
        if parent_pk is None:
            return None
        parent_path = instance.path[: -Organization.steplen]
        visible = allows(_user(self.parent), "orgs.view_organization", parent_path)
        return parent_pk if visible else None


class OrganizationSerializer(serializers.ModelSerializer):
    parent = ParentIdField(
        label=_("上级组织"), help_text=_("上级组织的编号；上级不在您的管理范围内时为空。")
    )
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    unit_kind_display = serializers.CharField(source="get_unit_kind_display", read_only=True)

    class Meta:
        model = Organization
        fields = [
            "id",
            "name",
            "short_name",
            "code",
            "kind",
            "kind_display",
            "unit_kind",
            "unit_kind_display",
            "parent",
            "depth",
            "path",
            "established_on",
            "term_started_on",
            "term_ends_on",
            "phone",
            "address",
            "is_active",
        ]
        read_only_fields = ["id", "depth", "path"]
        # Uniqueness is checked once, by the service's full_clean, with the model's message.
        extra_kwargs = {"code": {"validators": []}}

    def validate(self, attrs):
        # Full-width made ASCII, phone numbers checked: as the importers and forms do.
        return plain_organization(attrs)


class OrganizationCreateSerializer(OrganizationSerializer):
    parent = ScopedRelatedField(
        model=Organization,
        allow_null=True,
        label=_("上级组织"),
        help_text=_("新组织的上级组织编号（只有系统管理员可以创建顶级组织）。"),
    )


class OrganizationMoveSerializer(serializers.Serializer):
    parent = ScopedRelatedField(
        model=Organization, label=_("新的上级组织"), help_text=_("移动到该组织之下。")
    )


# --- people -------------------------------------------------------------------------------------


class ChoiceLabelField(serializers.CharField):
    """A choice's label, as ``get_<field>_display()`` gives it, from a dictionary: DRF inspects
    the signature of a method source on every row, a third of a page's time."""

    def __init__(self, choices, **kwargs):
        self.labels = dict(choices)
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value):
        return str(self.labels.get(value, value))


class PersonSerializer(serializers.ModelSerializer):
    organization = ScopedRelatedField(model=Organization, label=_("所在党组织"))
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    party_group = ScopedRelatedField(
        model=Organization, label=_("党小组"), required=False, allow_null=True
    )
    party_group_name = serializers.CharField(
        source="party_group.name", read_only=True, default=None, allow_null=True
    )
    id_number = serializers.CharField(
        label=_("身份证号码"),
        required=False,
        allow_blank=True,
        allow_null=True,
        max_length=18,
        help_text=_(
            "写入时提交完整号码。读取时，只有对该人员有“查看敏感信息”权限的账号看到完整号码，"
            "其他账号看到脱敏号码（如 440902********123X）；原样提交脱敏号码表示不修改。"
        ),
    )
    gender_display = ChoiceLabelField(Gender.choices, source="gender")
    post_display = ChoiceLabelField(Post.choices, source="post")
    membership_status_display = ChoiceLabelField(
        MembershipStatus.choices, source="membership_status"
    )
    status_display = ChoiceLabelField(PersonStatus.choices, source="status")

    class Meta:
        model = Person
        fields = [
            "id",
            "name",
            "name_pinyin",
            "name_initials",
            "gender",
            "gender_display",
            "birth_date",
            "id_number",
            "employee_no",
            "organization",
            "organization_name",
            "party_group",
            "party_group_name",
            "work_unit",
            "post",
            "post_display",
            "membership_status",
            "membership_status_display",
            "status",
            "status_display",
            "applied_on",
            "admitted_on",
            "confirmed_on",
            "phone",
            "email",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "name_pinyin", "name_initials", "created_at", "updated_at"]
        extra_kwargs = {"employee_no": {"validators": []}}

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if data.get("id_number") and not self._may_see_id_number(instance):
            data["id_number"] = instance.masked_id_number
        return data

    def _may_see_id_number(self, person) -> bool:
        # The grant is cached on the user: no query per row.
        return allows(_user(self), "orgs.view_sensitive_person", person.organization)

    def validate(self, attrs):
        # A client that read a masked number and sends the record back means "unchanged".
        number = attrs.get("id_number")
        if self.instance is not None and number and number == self.instance.masked_id_number:
            attrs.pop("id_number")
        # "周　杰" → "周杰", full-width digits, phone numbers: as the importers and forms do.
        return plain_person(attrs)


# --- accounts and roles -------------------------------------------------------------------------


class RoleSerializer(serializers.ModelSerializer):
    class Meta:
        model = Role
        fields = ["id", "code", "name", "description", "permissions"]


class RoleAssignmentSerializer(serializers.ModelSerializer):
    user = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.filter(is_active=True), label=_("账号")
    )
    username = serializers.CharField(source="user.username", read_only=True)
    user_display_name = serializers.CharField(
        source="user.display_name", read_only=True, help_text=_("人员姓名；未关联人员时为账号名称")
    )
    user_organization_name = serializers.CharField(
        source="user.organization_name", read_only=True, help_text=_("人员所在党组织")
    )
    role = serializers.SlugRelatedField(
        slug_field="code", queryset=Role.objects.all(), label=_("角色代码")
    )
    role_name = serializers.CharField(source="role.name", read_only=True)
    organization = ScopedRelatedField(model=Organization, label=_("组织"))
    organization_name = serializers.CharField(source="organization.name", read_only=True)

    class Meta:
        model = RoleAssignment
        fields = [
            "id",
            "user",
            "username",
            "user_display_name",
            "user_organization_name",
            "role",
            "role_name",
            "organization",
            "organization_name",
            "created_at",
        ]
        read_only_fields = ["id", "created_at"]
        validators: list = []  # role_assign() is idempotent: granting twice is not an error


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    full_name = serializers.CharField()
    display_name = serializers.CharField(help_text=_("人员姓名；未关联人员时为账号名称"))
    email = serializers.EmailField(allow_blank=True)
    is_superuser = serializers.BooleanField()
    person = PersonSerializer(allow_null=True)
    role_assignments = RoleAssignmentSerializer(many=True)


# --- Excel --------------------------------------------------------------------------------------


class ImportRequestSerializer(serializers.Serializer):
    file = serializers.FileField(
        label=_("Excel 文件"),
        help_text=_("按人员导入模板填写的 .xlsx 文件，或 .csv 文件（UTF-8 或 GBK 编码）"),
    )
    dry_run = serializers.BooleanField(
        label=_("仅校验"), required=False, default=False, help_text=_("为 1 时只校验，不写入。")
    )


class ImportErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text=_("Excel 行号；0 表示针对整个文件"))
    column = serializers.CharField(
        allow_blank=True, help_text=_("列标题；不针对某一列时为空字符串")
    )
    message = serializers.CharField()


class ImportSummarySerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    total_rows = serializers.IntegerField()
    dry_run = serializers.BooleanField()
    warnings = ImportErrorSerializer(
        many=True,
        help_text=_("已接受但自动更正的内容（如15位身份证号已换算为18位），格式同错误"),
    )


class ImportErrorsSerializer(serializers.Serializer):
    errors = ImportErrorSerializer(many=True)
