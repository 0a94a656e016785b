"""``tasks/``: task sheets read through the scope door (by issuer), created as drafts, pushed to
recipients with ``dispatch/``, counted with ``progress/`` and exported with ``export/``."""

from django.db.models import Count, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from bastion.core.api import ScopedViewSetMixin
from bastion.core.api_docs import BAD_REQUEST, FORBIDDEN, NOT_FOUND, download_action
from bastion.core.api_excel import XLSX, XlsxRenderer, xlsx_response
from bastion.core.evidence import download

from .. import selectors
from ..filters import ProgressFilter, TaskFilter
from ..models import Assignment, AssignmentState, Task, TaskAttachment, TaskStatus
from ..selectors_tally import tally_for
from ..selectors_totals import field_totals, totalled_fields
from ..services import flow, notify
from .common import STATE_PARAMETER, WITHIN_PARAMETER
from .serializers import (
    DispatchResultSerializer,
    DispatchSerializer,
    ProgressSerializer,
    RemindResultSerializer,
    RemindSerializer,
    TaskCreateSerializer,
    TaskSerializer,
)

ANSWERED = [AssignmentState.SUBMITTED, AssignmentState.ACCEPTED]


def progress_payload(result, totals=()) -> dict:
    """``selectors.progress`` as the API answers it: every state present, zero or not; with
    ``totals`` (``selectors_totals.field_totals``), each number field summed, each choice
    counted."""
    return {
        "field_totals": [
            {**vars(item), "counts": [{"choice": c, "count": n} for c, n in item.counts]}
            for item in totals
        ],
        "total": result.total,
        "by_state": {state.value: result.by_state.get(state.value, 0) for state in AssignmentState},
        "answered": result.answered,
        "accepted": result.accepted,
        "on_time": result.on_time,
        "on_time_rate": result.on_time_rate,
        "late_submitted": result.late_submitted,
        "overdue_open": result.overdue_open,
    }


def create_task(*, actor, issuer, title, body, due_on, priority, fields):
    from ..services.tasks import task_create

    return task_create(
        actor=actor,
        issuer=issuer,
        title=title,
        body=body,
        due_on=due_on,
        priority=priority,
        fields=[dict(field) for field in fields],
    )


@extend_schema_view(
    list=extend_schema(
        summary=_("工作单列表"),
        description=_("派发组织在您管理范围内的工作单（一事一单），含反馈表字段和反馈进度。"),
        responses={200: TaskSerializer(many=True), 400: BAD_REQUEST},
    ),
    retrieve=extend_schema(
        summary=_("工作单详情"),
        description=_("含反馈表字段、附件和反馈进度。"),
        responses={200: TaskSerializer, 404: NOT_FOUND},
    ),
)
class TaskViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Task.objects.all()
    serializer_class = TaskSerializer
    filterset_class = TaskFilter

    def decorate_queryset(self, queryset):
        if self.action not in ("list", "retrieve", "create"):
            return queryset.select_related("issuer")
        return with_counts(queryset)

    def get_serializer_class(self):
        if self.action == "create":
            return TaskCreateSerializer
        return TaskSerializer

    def respond(self, task, status_code=status.HTTP_200_OK):
        # The creator reads back what was written (a draft is always in the issuer's scope).
        instance = with_counts(Task.objects.filter(pk=task.pk)).get()
        serializer = TaskSerializer(instance, context=self.get_serializer_context())
        return Response(serializer.data, status=status_code)

    @extend_schema(
        summary=_("新建工作单（草稿）"),
        description=_(
            "以派发组织的名义起草工作单及其反馈表字段（文字、数字、单选、日期、附件）；"
            "草稿经 dispatch 派发后承办组织才能看到。"
        ),
        request=TaskCreateSerializer,
        responses={201: TaskSerializer, 400: BAD_REQUEST, 403: FORBIDDEN},
    )
    def create(self, request, *args, **kwargs):
        self.require_permission_anywhere("add")
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        task = create_task(actor=request.user, **serializer.validated_data)
        return self.respond(task, status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("派发工作单"),
        description=_(
            "逐个指定承办组织（recipients），或按条件派发：within（某组织的下级）、unit_kind"
            "（单位类别，如 station）、kind（组织类型，如 branch）。承办组织须在派发组织的下级"
            "范围内，否则整单不派发并列出这些组织；已派发的组织自动跳过。"
        ),
        request=DispatchSerializer,
        responses={200: DispatchResultSerializer, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="dispatch",
        url_name="dispatch",
        scope_action="dispatch",
        serializer_class=DispatchSerializer,
        filter_backends=[],
    )
    def dispatch_task(self, request, pk=None):
        task = self.get_object()
        serializer = DispatchSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        recipients = recipients_of(task, serializer.validated_data)
        dispatched = flow.task_dispatch(task=task, actor=request.user, recipients=recipients)
        total = Assignment.objects.filter(task=task).count()
        return Response({"dispatched": dispatched, "total": total})

    @extend_schema(
        summary=_("工作单进度统计"),
        description=_(
            "一键统计：各状态的承办组织数、已反馈数、按时反馈率、逾期反馈数和逾期未反馈数，"
            "以及反馈字段汇总（数字字段求和、单选字段计数）；"
            "within 可只统计某组织下级的承办组织。"
        ),
        parameters=[WITHIN_PARAMETER],
        responses={200: ProgressSerializer, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def progress(self, request, pk=None):
        task = self.get_object()
        found = ProgressFilter(request.query_params, task=task, request=request)
        node = found.cleaned.get("within") or task.issuer
        tally = tally_for(request.user, task, node, found.today)
        if tally:  # the stored figures: the reader sees the whole subtree
            result, totals = tally.progress(), tally.field_totals(totalled_fields(task))
        else:
            rows = found.subtree
            result = selectors.progress(task, assignments=rows, today=found.today)
            totals = field_totals(rows, totalled_fields(task))
        return Response(ProgressSerializer(progress_payload(result, totals)).data)

    @extend_schema(
        summary=_("一键催办 / 一键提醒"),
        description=_(
            "kind=late（默认）：向截止日期已过仍未反馈的承办组织发送催办；kind=due：截止日期前"
            "向尚未反馈的承办组织发送提醒。同一天同一人只提醒一次。unreachable 列出没有可接收"
            "催办账号的承办组织（无人持有可办理该工作单的角色），message 用中文说明。"
            "需要派发权限；工作单未派发或已结束时为 400。"
        ),
        request=RemindSerializer,
        responses={
            200: RemindResultSerializer,
            400: BAD_REQUEST,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    @action(
        detail=True,
        methods=["post"],
        scope_action="dispatch",
        serializer_class=RemindSerializer,
        filter_backends=[],
    )
    def remind(self, request, pk=None):
        task = self.get_object()
        serializer = RemindSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if task.status != TaskStatus.DISPATCHED:
            raise ValidationError(
                {"non_field_errors": [gettext("工作单未派发或已结束，不能催办。")]}
            )
        kind = serializer.validated_data["kind"]
        if kind == "due":
            unreachable = notify.unreachable_recipients(task, notify.due_assignments(task))
            reminded = notify.task_remind_due(actor=request.user, task=task)
        else:
            unreachable = notify.unreachable_recipients(task, flow.late_assignments(task))
            reminded = flow.task_remind_late(task=task, actor=request.user)
        result = {
            "kind": kind,
            "reminded": reminded,
            "unreachable": [{"id": pk, "name": name} for pk, name in unreachable],
            "message": notify.unreachable_message(unreachable),
        }
        return Response(RemindResultSerializer(result).data)

    @extend_schema(
        summary=_("导出反馈汇总（xlsx）"),
        description=_(
            "每个承办组织一行：状态、反馈时间、是否逾期和各反馈字段的答案；"
            "within 可只导出某组织下级的承办组织，state 可只导出某一状态的承办组织。需要导出权限。"
        ),
        parameters=[WITHIN_PARAMETER, STATE_PARAMETER],
        responses={
            (200, XLSX): OpenApiTypes.BINARY,
            400: BAD_REQUEST,
            403: OpenApiResponse(description=_("无导出权限")),
            404: NOT_FOUND,
        },
    )
    @action(
        detail=True,
        methods=["get"],
        scope_action="export",
        renderer_classes=[JSONRenderer, XlsxRenderer],
        filter_backends=[],
        pagination_class=None,
    )
    def export(self, request, pk=None):
        from ..exports import export_feedback_filename, export_feedback_xlsx

        task = self.get_object()
        filters = ProgressFilter(request.query_params, task=task, request=request)
        if not filters.is_valid():
            raise ValidationError(filters.errors)  # an organization outside the scope: 404
        content = export_feedback_xlsx(task, filters.qs, actor=request.user)
        filename = export_feedback_filename(task)
        return xlsx_response(content, filename)

    @download_action(
        r"attachments/(?P<attachment_id>[0-9]+)",
        "attachment",
        summary=_("下载工作单附件"),
        description=_("派发组织一侧下载工作单的附件（承办组织通过承办记录下载）。"),
    )
    def attachment(self, request, pk=None, attachment_id=None):
        task = self.get_object()
        return download(TaskAttachment.objects.filter(task=task), attachment_id)


def with_counts(queryset):
    """The list's joins and counts: constant queries however many tasks and recipients."""
    return (
        queryset.select_related("issuer", "created_by__person__organization")
        .prefetch_related("fields", "attachments")
        .annotate(
            recipient_count=Count("assignments"),
            answered_count=Count("assignments", filter=Q(assignments__state__in=ANSWERED)),
        )
        .order_by("-created_at", "-id")  # Meta.ordering does not survive the GROUP BY
    )


def recipients_of(task, data):
    """The dispatch body as ``flow.task_dispatch`` takes it: a list of ids, or a query by rule."""
    if "recipients" in data:
        return data["recipients"]
    within = data.get("within")
    if within is not None and not within.path.startswith(task.issuer.path):
        raise ValidationError(
            {
                "within": [
                    gettext("“%(org)s”不在派发组织“%(issuer)s”的下级范围内。")
                    % {"org": within.name, "issuer": task.issuer.name}
                ]
            }
        )
    kind = data.get("kind")
    return flow.recipients_query(
        issuer=task.issuer,
        within=within,
        unit_kind=data.get("unit_kind"),
        kinds=[kind] if kind else None,
    )
