"""Serializers of ``meetings/``: the record with its attendance, evidence and obligation for
reads; the fields of ``meeting_record`` / ``meeting_update`` for writes."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from bastion.core.api import ScopedRelatedField
from bastion.core.api_fields import EnumField, OrgRefSerializer, PersonRefSerializer
from bastion.core.evidence import EvidenceKind
from bastion.orgs.models import Organization, Person

from ..models import (
    MEETING_KIND_CHOICES,
    Attendance,
    AttendanceStatus,
    Meeting,
    MeetingAttachment,
    MeetingStatus,
    Obligation,
)

# --- reads --------------------------------------------------------------------------------------


class AttendanceSerializer(serializers.ModelSerializer):
    person = PersonRefSerializer(read_only=True)
    status = EnumField(AttendanceStatus, read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Attendance
        fields = ["person", "status", "status_display", "reason"]
        read_only_fields = fields


class MeetingAttachmentSerializer(serializers.ModelSerializer):
    kind = EnumField(EvidenceKind, read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    url = serializers.SerializerMethodField(help_text=_("下载地址（同样只对管理范围内的账号开放）"))

    class Meta:
        model = MeetingAttachment
        fields = ["id", "original_name", "kind", "kind_display", "size", "uploaded_at", "url"]
        read_only_fields = fields

    def get_url(self, attachment) -> str:
        path = reverse("api:meeting-attachment", args=[attachment.meeting_id, attachment.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class MeetingObligationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Obligation
        fields = ["id", "rule_code", "period_label", "due_on", "fulfilled_on"]
        read_only_fields = fields


class MeetingSerializer(serializers.ModelSerializer):
    organization = OrgRefSerializer(read_only=True)
    kind = EnumField(MEETING_KIND_CHOICES, read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    host = PersonRefSerializer(read_only=True, allow_null=True)
    status = EnumField(MeetingStatus, read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    reviewed_by = serializers.CharField(read_only=True, allow_null=True, help_text=_("审核人"))
    recorded_by = serializers.CharField(read_only=True, allow_null=True, help_text=_("记录人"))
    obligation = serializers.SerializerMethodField(help_text=_("该会议完成的应办事项"))
    attendance = AttendanceSerializer(many=True, read_only=True)
    attachments = MeetingAttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "organization",
            "kind",
            "kind_display",
            "topic",
            "held_on",
            "place",
            "host",
            "lecturer",
            "minutes",
            "status",
            "status_display",
            "review_note",
            "reviewed_by",
            "reviewed_at",
            "recorded_by",
            "obligation",
            "attendance",
            "attachments",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(MeetingObligationSerializer(allow_null=True))
    def get_obligation(self, meeting):
        # Prefetched by the viewset (``obligations``); a meeting fulfils at most one.
        linked = list(meeting.obligations.all())
        return MeetingObligationSerializer(linked[0]).data if linked else None


# --- writes -------------------------------------------------------------------------------------


class AttendanceInputSerializer(serializers.Serializer):
    person = serializers.IntegerField(label=_("人员编号"))
    status = EnumField(AttendanceStatus, label=_("出勤"))
    reason = serializers.CharField(
        label=_("请假事由"), required=False, allow_blank=True, max_length=200
    )


class MeetingWriteSerializer(serializers.Serializer):
    organization = ScopedRelatedField(model=Organization, label=_("组织"))
    kind = EnumField(MEETING_KIND_CHOICES, label=_("会议类型"))
    topic = serializers.CharField(label=_("主题"), max_length=200)
    held_on = serializers.DateField(label=_("召开日期"))
    place = serializers.CharField(label=_("地点"), max_length=100, required=False, allow_blank=True)
    host = ScopedRelatedField(model=Person, label=_("主持人"), required=False, allow_null=True)
    lecturer = serializers.CharField(
        label=_("授课人"), max_length=50, required=False, allow_blank=True
    )
    minutes = serializers.CharField(
        label=_("会议记录"), required=False, allow_blank=True, trim_whitespace=False
    )
    attendance = AttendanceInputSerializer(
        many=True,
        required=False,
        label=_("出勤"),
        help_text=_(
            "每人一行：person（人员编号）、status（present/leave/absent）、reason（请假事由）。"
            "修改时提交表示整体替换；multipart 表单写作 attendance[0]person、attendance[0]status。"
        ),
    )
    obligation = ScopedRelatedField(
        model=Obligation,
        label=_("应办事项"),
        required=False,
        allow_null=True,
        help_text=_("该会议完成的应办事项编号；不填则取会议所在周期的事项（或最早的逾期事项）。"),
    )
    files = serializers.ListField(
        child=serializers.FileField(),
        label=_("佐证材料"),
        required=False,
        write_only=True,
        help_text=_("照片或文档（multipart 上传）；修改时为追加。"),
    )

    def validate_attendance(self, rows):
        """Resolve every person in one query, through the door; name the ids that fail."""
        request = self.context.get("request")
        wanted = [row["person"] for row in rows]
        people = Person.objects.restrict(getattr(request, "user", None), "view").in_bulk(wanted)
        missing = [str(pk) for pk in dict.fromkeys(wanted) if pk not in people]
        if missing:
            raise serializers.ValidationError(
                _("编号为 %(ids)s 的人员不存在或不在您的管理范围内。") % {"ids": "、".join(missing)}
            )
        return [(people[row["person"]], row["status"], row.get("reason", "")) for row in rows]


class MeetingReviewSerializer(serializers.Serializer):
    approve = serializers.BooleanField(label=_("是否通过"), help_text=_("true 通过，false 退回"))
    note = serializers.CharField(
        label=_("审核意见"),
        required=False,
        allow_blank=True,
        help_text=_("退回时必填，写明退回原因。"),
    )
