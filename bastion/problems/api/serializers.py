"""Serializers of the problem API. They validate shapes; the services validate meaning."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from bastion.agenda.models import AlertLevel
from bastion.core.api import ScopedRelatedField
from bastion.core.api_fields import EnumField, IdField, OrgRefSerializer, PersonRefSerializer
from bastion.orgs.models import Organization, Person

from .. import selectors
from ..models import (
    Category,
    Inspection,
    InspectionKind,
    Library,
    Problem,
    ProblemEvent,
    ProblemEvidence,
    Source,
    State,
    Tier,
)
from ..services.rectify import allowed_moves
from .common import is_overdue
from .enums import MOVE_CHOICES

# --- inspections --------------------------------------------------------------------------------


class InspectionSerializer(serializers.ModelSerializer):
    kind = EnumField(InspectionKind, read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    inspecting_org = OrgRefSerializer(read_only=True, help_text=_("检查组织"))
    inspected = OrgRefSerializer(many=True, read_only=True, help_text=_("被检查组织"))
    problem_count = serializers.IntegerField(read_only=True, help_text=_("发现问题数"))

    class Meta:
        model = Inspection
        fields = [
            "id",
            "kind",
            "kind_display",
            "title",
            "inspecting_org",
            "team",
            "inspected",
            "held_on",
            "unannounced",
            "checklist",
            "summary",
            "problem_count",
            "created_at",
        ]
        read_only_fields = fields


class InspectionCreateSerializer(serializers.Serializer):
    kind = EnumField(InspectionKind, label=_("检查方式"))
    title = serializers.CharField(label=_("检查名称"), max_length=200)
    inspecting_org = ScopedRelatedField(
        model=Organization, label=_("检查组织"), help_text=_("检查组织编号")
    )
    team = serializers.CharField(
        label=_("检查组成员"), max_length=300, required=False, allow_blank=True, default=""
    )
    inspected = serializers.ListField(
        child=IdField(),
        label=_("被检查组织"),
        allow_empty=False,
        help_text=_("被检查组织编号"),
    )
    held_on = serializers.DateField(label=_("检查日期"))
    unannounced = serializers.BooleanField(label=_("不打招呼"), required=False, default=False)
    checklist = serializers.ListField(
        child=serializers.CharField(), label=_("检查清单"), required=False, default=list
    )
    summary = serializers.CharField(
        label=_("检查情况"), required=False, allow_blank=True, default=""
    )

    def validate_inspected(self, ids):
        request = self.context.get("request")
        found = list(
            Organization.objects.restrict(getattr(request, "user", None), "view").filter(pk__in=ids)
        )
        missing = sorted(set(ids) - {org.pk for org in found})
        if missing:
            raise serializers.ValidationError(
                _("编号为 %(ids)s 的组织不存在或不在您的管理范围内。")
                % {"ids": "、".join(str(pk) for pk in missing)}
            )
        return found


# --- problems -----------------------------------------------------------------------------------


class InspectionRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)
    kind = EnumField(InspectionKind, read_only=True)


class ProblemEventSerializer(serializers.ModelSerializer):
    from_state = serializers.CharField(read_only=True, help_text=_("原状态（首条为空）"))
    to_state = EnumField(State, read_only=True)
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True)
    actor_display_name = serializers.CharField(
        source="actor.display_name", read_only=True, default="", help_text=_("操作人姓名")
    )

    class Meta:
        model = ProblemEvent
        fields = ["id", "from_state", "to_state", "reason", "actor", "actor_display_name", "at"]
        read_only_fields = fields


class ProblemEvidenceSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text=_("下载地址（只对管理范围内的账号开放）"))

    class Meta:
        model = ProblemEvidence
        fields = ["id", "original_name", "size", "uploaded_at", "event", "url"]
        read_only_fields = fields

    def get_url(self, evidence) -> str:
        path = reverse("api:problem-evidence", args=[evidence.problem_id, evidence.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class ProblemSerializer(serializers.ModelSerializer):
    organization = OrgRefSerializer(read_only=True, help_text=_("问题所在组织"))
    inspection = InspectionRefSerializer(read_only=True, allow_null=True, help_text=_("来源检查"))
    source = EnumField(Source, read_only=True)
    category = EnumField(Category, read_only=True)
    category_display = serializers.CharField(source="get_category_display", read_only=True)
    tier = EnumField(Tier, read_only=True)
    tier_display = serializers.CharField(source="get_tier_display", read_only=True)
    library = EnumField(Library, read_only=True)
    library_display = serializers.CharField(source="get_library_display", read_only=True)
    owner = OrgRefSerializer(read_only=True, help_text=_("问题库归属组织"))
    responsible_org = OrgRefSerializer(read_only=True, help_text=_("责任组织"))
    responsible_person = PersonRefSerializer(read_only=True, allow_null=True, help_text=_("责任人"))
    state = EnumField(State, read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    overdue = serializers.SerializerMethodField(help_text=_("未整改完成且已过整改时限"))
    colour = serializers.SerializerMethodField(
        help_text=_(
            "整改时限提醒：upcoming 未到提醒期、green 临近、yellow 即将到期、red 已逾期；"
            "验收通过或销号后为 done（按期）或 late（逾期完成）"
        )
    )
    colour_label = serializers.SerializerMethodField(help_text=_("提醒颜色的中文说明"))
    allowed_moves = serializers.SerializerMethodField(
        help_text=_("当前账号可把问题转到的状态（transition 的 to）")
    )

    class Meta:
        model = Problem
        fields = [
            "id",
            "description",
            "organization",
            "inspection",
            "source",
            "category",
            "category_display",
            "tier",
            "tier_display",
            "library",
            "library_display",
            "owner",
            "recurring",
            "found_on",
            "responsible_org",
            "responsible_person",
            "measures",
            "deadline",
            "state",
            "state_display",
            "overdue",
            "colour",
            "colour_label",
            "allowed_moves",
            "escalated_at",
            "submitted_on",
            "closed_on",
            "created_at",
        ]
        read_only_fields = fields

    def get_overdue(self, problem) -> bool:
        return is_overdue(problem, self.context["today"])

    @extend_schema_field(EnumField(AlertLevel))
    def get_colour(self, problem) -> str:
        return selectors.colour(problem, self.context["windows"])

    def get_colour_label(self, problem) -> str:
        return str(selectors.LEVEL_LABELS[selectors.colour(problem, self.context["windows"])])

    @extend_schema_field(serializers.ListField(child=EnumField(MOVE_CHOICES)))
    def get_allowed_moves(self, problem) -> list[str]:
        request = self.context.get("request")
        return [str(move) for move in allowed_moves(problem, getattr(request, "user", None))]


class ProblemDetailSerializer(ProblemSerializer):
    events = ProblemEventSerializer(many=True, read_only=True, help_text=_("整改记录"))
    evidence = ProblemEvidenceSerializer(many=True, read_only=True, help_text=_("整改佐证"))

    class Meta(ProblemSerializer.Meta):
        fields = [*ProblemSerializer.Meta.fields, "events", "evidence"]
        read_only_fields = fields


class ProblemCreateSerializer(serializers.Serializer):
    description = serializers.CharField(label=_("问题描述"))
    organization = ScopedRelatedField(model=Organization, label=_("问题所在组织"))
    inspection = ScopedRelatedField(
        model=Inspection, label=_("来源检查"), required=False, allow_null=True, default=None
    )
    source = EnumField(
        Source,
        label=_("来源"),
        required=False,
        allow_null=True,
        default=None,
        help_text=_("不填时：有来源检查为检查发现，否则为自行录入"),
    )
    category = EnumField(Category, label=_("类别"))
    tier = EnumField(Tier, label=_("问题层次"))
    library = EnumField(
        Library,
        label=_("问题库"),
        required=False,
        allow_null=True,
        default=None,
        help_text=_("不填则按问题层次确定"),
    )
    found_on = serializers.DateField(label=_("发现日期"))
    responsible_org = ScopedRelatedField(
        model=Organization, label=_("责任组织"), help_text=_("问题所在组织本身或其下级组织")
    )
    responsible_person = ScopedRelatedField(
        model=Person, label=_("责任人"), required=False, allow_null=True, default=None
    )
    measures = serializers.CharField(
        label=_("整改措施"), required=False, allow_blank=True, default=""
    )
    deadline = serializers.DateField(label=_("整改时限"))


class TransitionSerializer(serializers.Serializer):
    to = EnumField(MOVE_CHOICES, label=_("目标状态"), help_text=_("见问题的 allowed_moves"))
    reason = serializers.CharField(
        label=_("说明"),
        required=False,
        allow_blank=True,
        default="",
        help_text=_("退回（rejected）和重新打开（reopen）时必填"),
    )
    files = serializers.ListField(
        child=serializers.FileField(),
        label=_("整改佐证"),
        required=False,
        default=list,
        help_text=_("整改佐证材料（multipart 上传，字段名 files，可多个）；首次提交验收时必需"),
    )
