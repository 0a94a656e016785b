"""Serializers of the task API. They validate shapes; the services validate meaning.

A recipient never sees ``tasks/`` (tasks are scoped by the issuer): its assignment carries the
task it answers, with the feedback form, so that one read is enough to fill it in.
"""

from __future__ import annotations

import json

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from bastion.core.api import ScopedRelatedField
from bastion.core.api_fields import EnumField, IdField, OrgRefSerializer
from bastion.orgs.models import Organization
from bastion.orgs.models.organization import OrganizationKind, UnitKind

from ..models import (
    OPEN_STATES,
    Assignment,
    AssignmentState,
    FeedbackField,
    FeedbackFile,
    FieldKind,
    Priority,
    Task,
    TaskAttachment,
    TaskStatus,
)

MAX_RECIPIENTS = 10000


# --- reads --------------------------------------------------------------------------------------


class FeedbackFieldSerializer(serializers.ModelSerializer):
    kind = EnumField(FieldKind, read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = FeedbackField
        fields = [
            "id",
            "label",
            "kind",
            "kind_display",
            "choices",
            "required",
            "help_text",
            "position",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "id": {"help_text": _("字段编号：提交反馈时 values 以它为键")},
            "choices": {"help_text": _("单选字段的选项")},
        }


def absolute(serializer, path: str) -> str:
    request = serializer.context.get("request")
    return request.build_absolute_uri(path) if request else path


class TaskAttachmentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text=_("下载地址（只对管理范围内的账号开放）"))

    class Meta:
        model = TaskAttachment
        fields = ["id", "original_name", "size", "uploaded_at", "url"]
        read_only_fields = fields

    def get_url(self, attachment) -> str:
        route = self.context.get("attachment_route")
        if route is not None:  # read by a recipient, through its assignment
            name, owner = route
            return absolute(self, reverse(name, args=[owner, attachment.pk]))
        return absolute(
            self, reverse("api:task-attachment", args=[attachment.task_id, attachment.pk])
        )


class TaskSerializer(serializers.ModelSerializer):
    issuer = OrgRefSerializer(read_only=True, help_text=_("派发组织"))
    priority = EnumField(Priority, read_only=True)
    priority_display = serializers.CharField(source="get_priority_display", read_only=True)
    status = EnumField(TaskStatus, read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    created_by = serializers.CharField(read_only=True, allow_null=True, help_text=_("创建人"))
    recipient_count = serializers.IntegerField(read_only=True, help_text=_("承办组织数"))
    answered_count = serializers.IntegerField(
        read_only=True, help_text=_("已反馈（含已采纳）的承办组织数")
    )
    fields = FeedbackFieldSerializer(many=True, read_only=True, help_text=_("反馈表字段"))
    attachments = TaskAttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = Task
        fields = [
            "id",
            "title",
            "body",
            "issuer",
            "due_on",
            "priority",
            "priority_display",
            "status",
            "status_display",
            "parent_assignment",
            "cascade_item",
            "created_by",
            "created_at",
            "dispatched_at",
            "recipient_count",
            "answered_count",
            "fields",
            "attachments",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "parent_assignment": {"help_text": _("向下转派时：上级工作单中本组织的承办编号")},
        }


class AssignmentTaskSerializer(serializers.ModelSerializer):
    """The task as its recipient reads it."""

    issuer = OrgRefSerializer(read_only=True, help_text=_("派发组织"))
    priority = EnumField(Priority, read_only=True)
    priority_display = serializers.CharField(source="get_priority_display", read_only=True)
    status = EnumField(TaskStatus, read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    fields = FeedbackFieldSerializer(many=True, read_only=True, help_text=_("反馈表字段"))

    class Meta:
        model = Task
        fields = [
            "id",
            "title",
            "body",
            "issuer",
            "due_on",
            "priority",
            "priority_display",
            "status",
            "status_display",
            "fields",
        ]
        read_only_fields = fields


class FeedbackFileSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text=_("下载地址（只对管理范围内的账号开放）"))

    class Meta:
        model = FeedbackFile
        fields = ["id", "field", "original_name", "size", "uploaded_at", "url"]
        read_only_fields = fields
        extra_kwargs = {"field": {"help_text": _("所属附件字段；为空表示整体佐证材料")}}

    def get_url(self, row) -> str:
        return absolute(self, reverse("api:assignment-file", args=[row.assignment_id, row.pk]))


class AssignmentSerializer(serializers.ModelSerializer):
    task = AssignmentTaskSerializer(read_only=True)
    organization = OrgRefSerializer(read_only=True, help_text=_("承办组织"))
    state = EnumField(AssignmentState, read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    overdue = serializers.SerializerMethodField(
        help_text=_("已过截止日期仍未反馈（按今天计算；已结束的工作单不再计）")
    )
    submitted_by = serializers.CharField(read_only=True, allow_null=True, help_text=_("反馈人"))
    reviewed_by = serializers.CharField(read_only=True, allow_null=True, help_text=_("审核人"))
    values = serializers.DictField(read_only=True, help_text=_("各反馈字段的答案，以字段编号为键"))
    files = FeedbackFileSerializer(many=True, read_only=True, help_text=_("反馈附件"))
    attachments = serializers.SerializerMethodField(help_text=_("工作单附件"))
    child_task = serializers.IntegerField(
        source="child_task.pk",
        read_only=True,
        default=None,
        allow_null=True,
        help_text=_("向下转派生成的工作单编号"),
    )

    class Meta:
        model = Assignment
        fields = [
            "id",
            "task",
            "organization",
            "state",
            "state_display",
            "overdue",
            "late",
            "read_at",
            "submitted_at",
            "submitted_by",
            "feedback",
            "values",
            "files",
            "attachments",
            "return_reason",
            "reviewed_by",
            "reviewed_at",
            "reminded_at",
            "child_task",
        ]
        read_only_fields = fields

    @extend_schema_field(TaskAttachmentSerializer(many=True))
    def get_attachments(self, assignment):
        # Prefetched by the viewset (``task__attachments``); downloaded through the assignment.
        context = {**self.context, "attachment_route": ("api:assignment-attachment", assignment.pk)}
        return TaskAttachmentSerializer(
            assignment.task.attachments.all(), many=True, context=context
        ).data

    def get_overdue(self, assignment) -> bool:
        today = self.context.get("today") or timezone.localdate()
        task = assignment.task
        owed = assignment.state in OPEN_STATES and task.status == TaskStatus.DISPATCHED
        return owed and today > task.due_on


# --- writes -------------------------------------------------------------------------------------


class FeedbackFieldInputSerializer(serializers.Serializer):
    label = serializers.CharField(label=_("字段名称"), max_length=100)
    kind = EnumField(FieldKind, label=_("类型"))
    choices = serializers.ListField(
        child=serializers.CharField(max_length=100),
        label=_("选项"),
        required=False,
        default=list,
        help_text=_("单选字段必填，其余类型留空"),
    )
    required = serializers.BooleanField(label=_("必填"), required=False, default=True)
    help_text = serializers.CharField(
        label=_("填写说明"), max_length=200, required=False, allow_blank=True, default=""
    )


class TaskCreateSerializer(serializers.Serializer):
    issuer = ScopedRelatedField(
        model=Organization,
        permission="tasks.add_task",
        label=_("派发组织"),
        help_text=_("以哪个组织的名义派发（须在您可以新建工作单的范围内）"),
    )
    title = serializers.CharField(label=_("标题"), max_length=200)
    body = serializers.CharField(label=_("工作要求"), required=False, allow_blank=True, default="")
    due_on = serializers.DateField(label=_("反馈截止日期"))
    priority = EnumField(Priority, label=_("紧急程度"), required=False, default="normal")
    fields = FeedbackFieldInputSerializer(
        many=True,
        label=_("反馈表字段"),
        required=False,
        default=list,
        help_text=_("按顺序排列的反馈字段：label、kind、choices、required、help_text"),
    )


class DispatchSerializer(serializers.Serializer):
    recipients = serializers.ListField(
        child=IdField(),
        label=_("承办组织"),
        required=False,
        allow_empty=False,
        max_length=MAX_RECIPIENTS,
        help_text=_("逐个指定的承办组织编号；与 within/unit_kind/kind 二选一"),
    )
    within = IdField(
        label=_("范围"),
        required=False,
        help_text=_("组织编号：派发给该组织下级中符合条件的全部组织（默认为整个派发范围）"),
    )
    unit_kind = EnumField(
        UnitKind,
        label=_("单位类别"),
        required=False,
        help_text=_("只派发给该类单位，如 station 基层供电所"),
    )
    kind = EnumField(
        OrganizationKind,
        label=_("组织类型"),
        required=False,
        help_text=_("只派发给该类组织，如 branch 党支部"),
    )

    def validate(self, attrs):
        by_rule = any(key in attrs for key in ("within", "unit_kind", "kind"))
        if "recipients" in attrs and by_rule:
            raise serializers.ValidationError(
                _("recipients 与 within/unit_kind/kind 只能填写一种。")
            )
        if "recipients" not in attrs and not by_rule:
            raise serializers.ValidationError(
                _("请指定承办组织：recipients（组织编号列表），或 within/unit_kind/kind。")
            )
        if "within" in attrs:
            request = self.context.get("request")
            found = (
                Organization.objects.restrict(getattr(request, "user", None), "view")
                .filter(pk=attrs["within"])
                .first()
            )
            if found is None:
                raise serializers.ValidationError(
                    {
                        "within": _("编号为 %(pk)s 的组织不存在或不在您的管理范围内。")
                        % {"pk": attrs["within"]}
                    }
                )
            attrs["within"] = found
        return attrs


class DispatchResultSerializer(serializers.Serializer):
    dispatched = serializers.IntegerField(help_text=_("本次新增的承办组织数"))
    total = serializers.IntegerField(help_text=_("派发后的承办组织总数"))


class ByStateSerializer(serializers.Serializer):
    unread = serializers.IntegerField(help_text=_("未读"))
    read = serializers.IntegerField(help_text=_("已读"))
    submitted = serializers.IntegerField(help_text=_("已反馈，待审核"))
    returned = serializers.IntegerField(help_text=_("已退回"))
    accepted = serializers.IntegerField(help_text=_("已采纳"))


class RemindSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=[
            ("late", _("催办：截止日期已过仍未反馈的组织")),
            ("due", _("提醒：截止前尚未反馈的组织")),
        ],
        default="late",
        help_text=_("late：一键催办（截止日期已过）；due：一键提醒（截止日期前）"),
    )


class UnreachableSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text=_("组织编号"))
    name = serializers.CharField(help_text=_("组织名称"))


class RemindResultSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text=_("late 催办，due 提醒"))
    reminded = serializers.IntegerField(help_text=_("本次催办（提醒）的承办组织数"))
    unreachable = UnreachableSerializer(
        many=True, help_text=_("没有可接收催办账号的承办组织（无人持有可办理该工作单的角色）")
    )
    message = serializers.CharField(
        allow_blank=True, help_text=_("以下单位没有可接收催办的账号：…（都能收到时为空）")
    )


class ChoiceCountSerializer(serializers.Serializer):
    choice = serializers.CharField(help_text=_("选项"))
    count = serializers.IntegerField(help_text=_("选择该项的反馈数"))


class FieldTotalSerializer(serializers.Serializer):
    field = serializers.IntegerField(source="field_id", help_text=_("反馈字段编号"))
    label = serializers.CharField(help_text=_("字段名称"))
    kind = serializers.ChoiceField(
        choices=[("number", _("数字")), ("choice", _("单选"))], help_text=_("字段类型")
    )
    answers = serializers.IntegerField(help_text=_("填写了该字段的反馈数"))
    total = serializers.DecimalField(
        max_digits=None,
        decimal_places=None,
        coerce_to_string=False,
        allow_null=True,
        help_text=_("数字字段：各反馈之和；单选字段为空"),
    )
    counts = ChoiceCountSerializer(many=True, help_text=_("单选字段：每个选项的反馈数"))


class ProgressSerializer(serializers.Serializer):
    total = serializers.IntegerField(help_text=_("承办组织数"))
    by_state = ByStateSerializer(help_text=_("各状态的承办组织数"))
    answered = serializers.IntegerField(help_text=_("已反馈（含已采纳）"))
    accepted = serializers.IntegerField(help_text=_("已采纳"))
    on_time = serializers.IntegerField(help_text=_("按时反馈"))
    on_time_rate = serializers.FloatField(
        allow_null=True, help_text=_("按时反馈率（%），按时反馈数 ÷ 承办组织数；尚未派发时为空")
    )
    late_submitted = serializers.IntegerField(help_text=_("逾期反馈"))
    overdue_open = serializers.IntegerField(help_text=_("已过截止日期仍未反馈"))
    field_totals = FieldTotalSerializer(
        many=True,
        help_text=_("反馈字段汇总：按已反馈、已采纳的反馈，数字字段求和，单选字段按选项计数"),
    )


@extend_schema_field({"type": "object", "additionalProperties": {}})
class ValuesField(serializers.Field):
    """The typed answers: an object keyed by field id; in a multipart form, that object as
    JSON text."""

    default_error_messages = {
        "invalid": _('反馈字段（values）应为以字段编号为键的对象，如 {{"12": 35}}。'),
    }

    def to_internal_value(self, data):
        if isinstance(data, str):
            try:
                data = json.loads(data) if data.strip() else {}
            except ValueError:
                self.fail("invalid")
        if not isinstance(data, dict):
            self.fail("invalid")
        return data

    def to_representation(self, value):
        return value


class SubmitSerializer(serializers.Serializer):
    feedback = serializers.CharField(
        label=_("反馈内容"), required=False, allow_blank=True, default=""
    )
    values = ValuesField(
        label=_("反馈字段"),
        required=False,
        default=dict,
        help_text=_(
            '以字段编号为键的答案，如 {"12": 35, "13": "已完成"}；multipart 表单中写作 JSON 文本。'
        ),
    )
    evidence = serializers.ListField(
        child=serializers.FileField(),
        label=_("佐证材料"),
        required=False,
        default=list,
        help_text=_(
            "整体佐证材料（multipart 上传）。附件字段的文件以 file_<字段编号> 为名上传，可多个。"
        ),
    )
    remove_files = serializers.ListField(
        child=IdField(),
        label=_("删除附件"),
        required=False,
        default=list,
        help_text=_("退回后重新反馈时要删除的已上传附件编号"),
    )


class ReturnSerializer(serializers.Serializer):
    reason = serializers.CharField(
        label=_("退回原因"),
        required=False,
        allow_blank=True,
        default="",
        help_text=_("必填，写明需要修改的地方"),
    )


class PassDownSerializer(serializers.Serializer):
    recipients = serializers.ListField(
        child=IdField(),
        label=_("承办组织"),
        allow_empty=False,
        max_length=MAX_RECIPIENTS,
        help_text=_("本组织下级中的承办组织编号"),
    )
    due_on = serializers.DateField(
        label=_("反馈截止日期"),
        required=False,
        allow_null=True,
        help_text=_("不填则与上级要求相同，不能晚于上级要求"),
    )
