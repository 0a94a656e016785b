"""What the account endpoints read and write."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from bastion.core.api_fields import IdField, OrgRefSerializer
from bastion.orgs.models.person import MembershipStatus

from ..models import Account

# ``members``: full and probationary party members together; empty: everybody.
MEMBERS = "members"
BULK_MEMBERSHIP_CHOICES = [
    *MembershipStatus.choices,
    (MEMBERS, _("正式党员和预备党员")),
]
BULK_MEMBERSHIP_STATUSES = {
    MEMBERS: [MembershipStatus.FULL, MembershipStatus.PROBATIONARY],
    **{value: [value] for value in MembershipStatus.values},
}


class AccountPersonSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    organization = OrgRefSerializer(read_only=True)


class AccountSerializer(serializers.ModelSerializer):
    # ``locked`` comes from the page's one lockout query (``context["locked"]``, usernames).

    person = AccountPersonSerializer(
        source="linked_person",
        read_only=True,
        allow_null=True,
        help_text=_("账号所属人员；系统管理员账号可能没有"),
    )
    awaiting_activation = serializers.BooleanField(
        read_only=True, help_text=_("有未使用且未过期的激活码，尚未设置密码")
    )
    locked = serializers.SerializerMethodField(help_text=_("连续输错密码，已被临时锁定"))

    class Meta:
        model = Account
        fields = [
            "id",
            "username",
            "is_active",
            "last_login",
            "person",
            "awaiting_activation",
            "locked",
        ]
        read_only_fields = fields

    def get_locked(self, account) -> bool:
        return account.username in self.context.get("locked", ())


class AccountOpenSerializer(serializers.Serializer):
    person = IdField(label=_("人员编号"))


class AccountOpenedSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text=_("新账号编号"))
    username = serializers.CharField()
    activation_code = serializers.CharField(
        help_text=_("一次性激活码（如 ABCD-EFGH），只显示这一次；本人用它设置密码")
    )


class BulkOpenSerializer(serializers.Serializer):
    within = IdField(label=_("组织（含下级）"), help_text=_("为该组织及其全部下级的人员开通"))
    membership_status = serializers.ChoiceField(
        label=_("政治面貌"),
        choices=BULK_MEMBERSHIP_CHOICES,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("members 为正式党员和预备党员；留空为全部人员"),
    )
    dry_run = serializers.BooleanField(
        label=_("仅预览"), required=False, default=False, help_text=_("为 true 时只预览，不开通")
    )
    signature = serializers.CharField(
        label=_("预览签名"),
        required=False,
        allow_blank=True,
        max_length=64,
        help_text=_("预览返回的 signature；人员名单自预览后有变化时拒绝开通"),
    )

    def statuses(self) -> list[str] | None:
        status = self.validated_data.get("membership_status")
        return BULK_MEMBERSHIP_STATUSES[status] if status else None


class SkippedPersonSerializer(serializers.Serializer):
    person = serializers.IntegerField(help_text=_("人员编号"))
    name = serializers.CharField()
    reason = serializers.CharField(help_text=_("跳过原因"))


class BulkPreviewSerializer(serializers.Serializer):
    to_open = serializers.IntegerField(help_text=_("将开通的账号数"))
    skipped = SkippedPersonSerializer(many=True)
    signature = serializers.CharField(help_text=_("开通时原样提交，名单有变化则拒绝"))


class BulkOpenedSerializer(serializers.Serializer):
    opened = serializers.IntegerField(help_text=_("已开通的账号数"))
    list = serializers.URLField(
        help_text=_("开户清单（xlsx）的下载地址：开通人以同一令牌 GET 一次")
    )


class DeactivateSerializer(serializers.Serializer):
    reason = serializers.CharField(
        label=_("停用原因"), required=False, allow_blank=True, max_length=200
    )


class ActivationCodeSerializer(serializers.Serializer):
    activation_code = serializers.CharField(help_text=_("新的一次性激活码，只显示这一次"))


class ActivateSerializer(serializers.Serializer):
    username = serializers.CharField(label=_("用户名"), max_length=150)
    code = serializers.CharField(label=_("激活码"), max_length=32)
    password = serializers.CharField(
        label=_("新密码"), style={"input_type": "password"}, trim_whitespace=False, max_length=128
    )


class ActivatedSerializer(serializers.Serializer):
    username = serializers.CharField()
