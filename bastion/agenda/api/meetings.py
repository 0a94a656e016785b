"""``meetings/``: meeting records (三会一课) read through the scope door, written through the
meeting services, reviewed from above with ``meetings/{id}/review/``."""

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from bastion.core.api import ScopedViewSetMixin
from bastion.core.api_docs import BAD_REQUEST, FORBIDDEN, NOT_FOUND, download_action
from bastion.core.evidence import download

from ..filters import MeetingFilter
from ..models import Attendance, Meeting, MeetingAttachment, Obligation
from ..services import meetings as services
from .meeting_serializers import (
    MeetingReviewSerializer,
    MeetingSerializer,
    MeetingWriteSerializer,
)

WRITE_REQUEST = {
    "application/json": MeetingWriteSerializer,
    "multipart/form-data": MeetingWriteSerializer,
}


def service_arguments(validated: dict) -> dict:
    """The serializer's fields are the services' keywords; files arrive as a list."""
    arguments = dict(validated)
    if "files" in arguments:
        arguments["files"] = list(arguments["files"])
    return arguments


@extend_schema_view(
    list=extend_schema(
        summary=_("会议记录列表"),
        description=_("管理范围内的会议记录，含出勤、佐证材料和完成的应办事项。"),
    ),
    retrieve=extend_schema(
        summary=_("会议记录详情"),
        description=_("含出勤、佐证材料和完成的应办事项。"),
        responses={200: MeetingSerializer, 404: NOT_FOUND},
    ),
    create=extend_schema(
        summary=_("登记会议"),
        description=_(
            "登记后状态为待审核，并完成对应的应办事项。JSON 或 multipart（带佐证材料）均可。"
        ),
        request=WRITE_REQUEST,
        responses={201: MeetingSerializer, 400: BAD_REQUEST, 403: FORBIDDEN},
    ),
    update=extend_schema(
        summary=_("修改会议记录"),
        description=_("已审核（通过或退回）的记录修改后重新进入待审核。"),
        request=WRITE_REQUEST,
        responses={200: MeetingSerializer, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    ),
    partial_update=extend_schema(
        summary=_("修改会议记录（部分字段）"),
        description=_("只修改提交的字段；提交 attendance 时整体替换出勤，files 为追加。"),
        request=WRITE_REQUEST,
        responses={200: MeetingSerializer, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    ),
    destroy=extend_schema(
        summary=_("删除会议记录"),
        description=_("已通过审核的记录不能删除；删除后对应的应办事项重新变为未完成。"),
        responses={204: None, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    ),
)
class MeetingViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    queryset = Meeting.objects.all()
    serializer_class = MeetingSerializer
    filterset_class = MeetingFilter
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def decorate_queryset(self, queryset):
        return queryset.select_related(
            "organization",
            "host",
            "reviewed_by__person__organization",
            "recorded_by__person__organization",
        ).prefetch_related(
            Prefetch(
                "attendance",
                queryset=Attendance.objects.select_related("person").order_by("person__name"),
            ),
            "attachments",
            Prefetch("obligations", queryset=Obligation.objects.order_by("period_start")),
        )

    def get_serializer_class(self):
        if self.action in ("create", "update", "partial_update"):
            return MeetingWriteSerializer
        if self.action == "review":
            return MeetingReviewSerializer
        return MeetingSerializer

    def create(self, request, *args, **kwargs):
        self.require_permission_anywhere("add")
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        meeting = services.meeting_record(
            actor=request.user, **service_arguments(serializer.validated_data)
        )
        return self.respond(meeting, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        meeting = self.get_object()
        serializer = self.get_serializer(data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        services.meeting_update(
            meeting=meeting, actor=request.user, **service_arguments(serializer.validated_data)
        )
        return self.respond(meeting)

    def destroy(self, request, *args, **kwargs):
        services.meeting_delete(meeting=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary=_("审核会议记录"),
        description=_("上级党组织审核：通过，或填写原因退回（退回后对应事项重新变为未完成）。"),
        request=MeetingReviewSerializer,
        responses={200: MeetingSerializer, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"], scope_action="review")
    def review(self, request, pk=None):
        meeting = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.meeting_review(
            meeting=meeting,
            actor=request.user,
            approve=serializer.validated_data["approve"],
            note=serializer.validated_data.get("note", ""),
        )
        return self.respond(meeting)

    @download_action(
        r"attachments/(?P<attachment_id>[0-9]+)",
        "attachment",
        summary=_("下载会议佐证材料"),
        description=_("只对能查看该会议记录的账号开放。"),
    )
    def attachment(self, request, pk=None, attachment_id=None):
        meeting = self.get_object()
        return download(MeetingAttachment.objects.filter(meeting=meeting), attachment_id)
