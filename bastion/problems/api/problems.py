"""``problems/``: the problem list (问题清单) read through the scope door (by the organization
the problem was found at), filtered by subtree, tier, state, library and overdue; every row
says which moves the requester may make, and ``transition/`` makes one (闭环整改)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response

from bastion.core.api_docs import download_action
from bastion.core.evidence import download

from ..filters import ProblemFilter
from ..models import Problem, ProblemEvidence
from ..selectors import for_list
from ..services import filing, rectify
from .common import BAD_REQUEST, FORBIDDEN, NOT_FOUND, ProblemsViewSetMixin
from .serializers import (
    ProblemCreateSerializer,
    ProblemDetailSerializer,
    ProblemSerializer,
    TransitionSerializer,
)

STATE_MACHINE = _(
    "状态：待整改 → 整改中 → 待验收（须上传佐证）→ 验收通过 → 已销号；待验收可被验收不通过"
    "（须填写原因），之后重新整改、再提交；验收通过或已销号的问题复发时可重新打开（须填写原因）。"
    "责任组织一方推进整改，检查一方或纪委验收、退回、销号、重新打开。"
)


@extend_schema_view(
    list=extend_schema(
        summary=_("问题清单"),
        description=_(
            "问题所在组织在您管理范围内的问题，含责任清单、整改状态、整改时限提醒颜色和"
            "当前账号可执行的操作。overdue=1 只列已逾期未整改的问题。"
        ),
        responses={200: ProblemSerializer(many=True), 400: BAD_REQUEST},
    ),
    retrieve=extend_schema(
        summary=_("问题详情"),
        description=_("含整改记录和整改佐证。"),
        responses={200: ProblemDetailSerializer, 404: NOT_FOUND},
    ),
)
class ProblemViewSet(
    ProblemsViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Problem.objects.all()
    serializer_class = ProblemSerializer
    filterset_class = ProblemFilter

    def decorate_queryset(self, queryset):
        queryset = for_list(queryset)
        if self.action == "retrieve":
            queryset = queryset.prefetch_related("events__actor__person", "evidence")
        return queryset

    def get_serializer_class(self):
        if self.action == "retrieve":
            return ProblemDetailSerializer
        if self.action == "create":
            return ProblemCreateSerializer
        return ProblemSerializer

    def respond(self, problem, status_code=status.HTTP_200_OK):
        # Read back with the detail's joins; a row the actor may write but no longer read is
        # answered as written rather than with a 500.
        rows = Problem.objects.restrict(self.request.user, "view").filter(pk=problem.pk)
        instance = (
            for_list(rows).prefetch_related("events__actor__person", "evidence").first() or problem
        )
        serializer = ProblemDetailSerializer(instance, context=self.get_serializer_context())
        return Response(serializer.data, status=status_code)

    @extend_schema(
        summary=_("录入问题"),
        description=_(
            "录入一条问题及其责任清单。问题库不填时按问题层次确定（一、二层次归基层支部，"
            "三层次归县公司党委，四层次上报上级党委）；一年内同类问题再次出现记为反复出现。"
        ),
        request=ProblemCreateSerializer,
        responses={201: ProblemDetailSerializer, 400: BAD_REQUEST, 403: FORBIDDEN},
    )
    def create(self, request, *args, **kwargs):
        self.require_permission_anywhere("add")
        serializer = ProblemCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        problem = filing.problem_create(actor=request.user, **serializer.validated_data)
        return self.respond(problem, status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("整改状态流转"),
        description=STATE_MACHINE
        + _(
            ' 用 JSON 提交 {"to": 目标状态, "reason": 说明}；带佐证材料时用 multipart，'
            "文件字段名为 files（可多个）。"
        ),
        request={
            "application/json": TransitionSerializer,
            "multipart/form-data": TransitionSerializer,
        },
        responses={200: ProblemDetailSerializer, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(
        detail=True,
        methods=["post"],
        scope_action="view",
        serializer_class=TransitionSerializer,
        parser_classes=[JSONParser, MultiPartParser],
        filter_backends=[],
    )
    def transition(self, request, pk=None):
        problem = self.get_object()
        serializer = TransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        rectify.problem_transition(
            problem=problem,
            actor=request.user,
            to=data["to"],
            reason=data["reason"],
            files=request.FILES.getlist("files") if request.FILES else data["files"],
        )
        return self.respond(problem)

    @download_action(
        r"evidence/(?P<evidence_id>[0-9]+)",
        "evidence",
        summary=_("下载整改佐证"),
        description=_("整改佐证材料，只对管理范围内的账号开放。"),
    )
    def evidence(self, request, pk=None, evidence_id=None):
        problem = self.get_object()
        rows = ProblemEvidence.objects.restrict(request.user, "view")
        return download(rows.filter(problem=problem), evidence_id)
