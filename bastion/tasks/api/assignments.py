"""``assignments/``: each recipient's copy of a task, scoped by the recipient (a station sees its
own, the issuer all of its task's). The recipient answers with ``submit/``; the issuer
``return/``s it with a reason or ``accept/``s it; a recipient may ``pass-down/`` to its groups."""

import re

from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response

from bastion.core.api import ScopedViewSetMixin
from bastion.core.api_docs import BAD_REQUEST, FORBIDDEN, NOT_FOUND, download_action
from bastion.core.evidence import download

from ..filters import AssignmentFilter
from ..models import Assignment, FeedbackFile, Task, TaskAttachment
from ..services import answers, flow
from .serializers import (
    AssignmentSerializer,
    PassDownSerializer,
    ReturnSerializer,
    SubmitSerializer,
    TaskSerializer,
)
from .tasks import with_counts

FILE_KEY = re.compile(r"^file_([0-9]+)$")
STATE_MACHINE = _(
    "状态：未读 → 已读 → 已反馈 → 已采纳；已反馈的可被退回（须填写原因），退回后可重新反馈；"
    "已采纳的反馈锁定。"
)


@extend_schema_view(
    list=extend_schema(
        summary=_("任务承办列表"),
        description=_(
            "承办组织在您管理范围内的工作单：承办组织看到发给自己的，派发组织看到全部承办情况。"
        ),
        responses={200: AssignmentSerializer(many=True), 400: BAD_REQUEST},
    ),
    retrieve=extend_schema(
        summary=_("任务承办详情"),
        description=_("含工作单要求和反馈表字段。承办组织打开时记为已读。"),
        responses={200: AssignmentSerializer, 404: NOT_FOUND},
    ),
)
class AssignmentViewSet(
    ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    queryset = Assignment.objects.all()
    serializer_class = AssignmentSerializer
    filterset_class = AssignmentFilter

    def decorate_queryset(self, queryset):
        return (
            queryset.select_related(
                "task__issuer", "organization", "submitted_by", "reviewed_by", "child_task"
            )
            .prefetch_related("task__fields", "task__attachments", "files")
            .order_by("-task__created_at", "-task_id", "organization__path", "id")
        )

    def respond(self, assignment, status_code=status.HTTP_200_OK):
        # Re-read with the list's joins; an answer the actor may write but no longer read
        # (no such role today) is answered as written rather than with a 500.
        instance = self.scoped_queryset("view").filter(pk=assignment.pk).first() or assignment
        serializer = AssignmentSerializer(instance, context=self.get_serializer_context())
        return Response(serializer.data, status=status_code)

    def retrieve(self, request, *args, **kwargs):
        assignment = self.get_object()
        before = assignment.state
        flow.assignment_mark_read(assignment=assignment, actor=request.user)
        if assignment.state != before:
            assignment.refresh_from_db(fields=["state", "read_at"])
        return Response(self.get_serializer(assignment).data)

    @extend_schema(
        summary=_("提交反馈"),
        description=format_lazy(
            "{}{}",
            _(
                "承办组织填写反馈内容和反馈表字段（values 以字段编号为键）；截止日期后提交记为"
                "逾期反馈。带附件时用 multipart：values 写作 JSON 文本，附件字段的文件以 "
                "file_<字段编号> 为名，整体佐证材料以 evidence 为名。"
            ),
            STATE_MACHINE,
        ),
        request={"application/json": SubmitSerializer, "multipart/form-data": SubmitSerializer},
        responses={200: AssignmentSerializer, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(
        detail=True,
        methods=["post"],
        scope_action="change",
        serializer_class=SubmitSerializer,
        parser_classes=[JSONParser, MultiPartParser],
        filter_backends=[],
    )
    def submit(self, request, pk=None):
        assignment = self.get_object()
        serializer = SubmitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        answers.assignment_answer(
            assignment=assignment,
            actor=request.user,
            feedback=data["feedback"],
            values=data["values"],
            files=field_files(request),
            evidence=data["evidence"],
            remove_files=data["remove_files"],
        )
        return self.respond(assignment)

    @extend_schema(
        summary=_("退回反馈"),
        description=_("派发组织退回已提交的反馈，必须填写退回原因；承办组织修改后重新提交。"),
        request=ReturnSerializer,
        responses={200: AssignmentSerializer, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="return",
        url_name="return",
        scope_action="view",
        serializer_class=ReturnSerializer,
        filter_backends=[],
    )
    def return_(self, request, pk=None):
        assignment = self.get_object()
        serializer = ReturnSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        flow.assignment_return(
            assignment=assignment, actor=request.user, reason=serializer.validated_data["reason"]
        )
        return self.respond(assignment)

    @extend_schema(
        summary=_("采纳反馈"),
        description=_("派发组织采纳已提交的反馈；采纳后反馈锁定，不能再修改。"),
        request=None,
        responses={200: AssignmentSerializer, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"], scope_action="view", filter_backends=[])
    def accept(self, request, pk=None):
        assignment = self.get_object()
        flow.assignment_accept(assignment=assignment, actor=request.user)
        return self.respond(assignment)

    @extend_schema(
        summary=_("向下转派"),
        description=_(
            "承办组织把工作单转派给本组织的下级（如党小组）：生成同样反馈表的下级工作单，"
            "截止日期不晚于上级要求；下级采纳的反馈汇总到本组织。返回下级工作单。"
        ),
        request=PassDownSerializer,
        responses={201: TaskSerializer, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="pass-down",
        scope_action="change",
        serializer_class=PassDownSerializer,
        filter_backends=[],
    )
    def pass_down(self, request, pk=None):
        assignment = self.get_object()
        serializer = PassDownSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        child = flow.assignment_pass_down(
            assignment=assignment,
            actor=request.user,
            recipients=serializer.validated_data["recipients"],
            due_on=serializer.validated_data.get("due_on"),
        )
        # The actor issued the child task: it reads it back, as the creator of a draft does.
        instance = with_counts(Task.objects.filter(pk=child.pk)).get()
        data = TaskSerializer(instance, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED)

    @download_action(
        r"files/(?P<file_id>[0-9]+)",
        "file",
        summary=_("下载反馈附件"),
        description=_("承办组织的反馈附件，只对管理范围内的账号开放。"),
    )
    def file(self, request, pk=None, file_id=None):
        assignment = self.get_object()
        rows = FeedbackFile.objects.restrict(request.user, "view")
        return download(rows.filter(assignment=assignment), file_id)

    @download_action(
        r"attachments/(?P<attachment_id>[0-9]+)",
        "attachment",
        summary=_("下载工作单附件"),
        description=_("承办组织通过本承办记录下载工作单的附件。"),
    )
    def attachment(self, request, pk=None, attachment_id=None):
        assignment = self.get_object()
        return download(TaskAttachment.objects.filter(task_id=assignment.task_id), attachment_id)


def field_files(request) -> dict:
    """The uploads of a multipart answer per file field: ``file_<field id>`` (several allowed).
    Any other name but ``evidence`` is refused, so that no file is silently dropped."""
    files, unknown = {}, []
    for key in request.FILES:
        match = FILE_KEY.match(key)
        if match:
            files[match.group(1)] = request.FILES.getlist(key)
        elif key != "evidence":
            unknown.append(key)
    if unknown:
        raise ValidationError(
            {
                "files": [
                    gettext("无法识别的上传项：%(keys)s。附件字段请以 file_<字段编号> 为名上传。")
                    % {"keys": "、".join(sorted(unknown))}
                ]
            }
        )
    return files
