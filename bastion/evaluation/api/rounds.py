"""``evaluation/rounds/``: rounds (考评轮次) read through the scope door (a round over a
subtree is also visible below it: a member sees the company's round), opened with ``POST``,
then computed, published and closed through the round services; ``scores/`` takes an
evaluator's submission and lists the requester's own scores; ``results/`` is the ranking."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from bastion.core.api import ScopedViewSetMixin
from bastion.core.api_docs import BAD_REQUEST, FORBIDDEN, NOT_FOUND
from bastion.core.filters import switch_value

from .. import selectors_readiness, selectors_rounds
from ..filters import RoundFilter
from ..models import Round, RoundState, Score, Target
from ..services import rounds, scores
from .results import RoundResultsMixin
from .serializers import (
    ComputePreviewSerializer,
    RoundComputedSerializer,
    RoundCreateSerializer,
    RoundDetailSerializer,
    RoundSerializer,
    ScoreSerializer,
    ScoreSubmissionSerializer,
    ScoreSubmitSerializer,
)
from .serializers_readiness import DataDecideSerializer, readiness_data

LIFE = _(
    "状态：评分中 → 已计算待发布（compute，可重复计算）→ 已发布（publish，授予称号、开始"
    "申诉期）→ 已归档（close）。"
)
ALL_PARAMETER = OpenApiParameter(
    "all",
    OpenApiTypes.BOOL,
    description=_("为 1 时列出您有权查看的全部评分（需要查看评分权限），否则只列本人给出的评分。"),
)
TARGET_PARAMETER = OpenApiParameter("target", OpenApiTypes.INT, description=_("评价对象编号"))


def compute_message(summary: dict, closes_scoring: bool) -> str:
    """The confirmation in words, as the page says it."""
    parts = []
    if summary["missing_scores"]:
        parts.append(
            gettext("还有 %(n)s 份评分未提交（涉及 %(t)s 个评价对象）。")
            % {"n": summary["missing_scores"], "t": summary["missing_targets"]}
        )
    else:
        parts.append(gettext("应评的评分已全部提交。"))
    if closes_scoring:
        parts.append(gettext("计算后评分即关闭：评价人不能再提交或修改评分。"))
    else:
        parts.append(gettext("重新计算将用当前评分覆盖现有结果。"))
    return "".join(parts)


def readiness_message(readiness) -> str:
    """The data gaps in words, after the scores: what publishing will need."""
    if readiness.complete:
        return gettext("各数据项的数据齐全。")
    names = "、".join(item.name for item in readiness.with_gaps)
    text = gettext("以下数据项缺数或数据不全：%(names)s。") % {"names": names}
    return text + readiness.blocking_message()


def round_action(summary, description):
    """A ``POST rounds/{id}/<verb>/`` moving the round through its life; the service checks
    the permission (403) and the state (400)."""

    def decorate(view):
        view = action(detail=True, methods=["post"], scope_action="view", filter_backends=[])(view)
        return extend_schema(
            summary=summary,
            description=description,
            request=None,
            responses={
                200: RoundDetailSerializer,
                400: BAD_REQUEST,
                403: FORBIDDEN,
                404: NOT_FOUND,
            },
        )(view)

    return decorate


@extend_schema_view(
    list=extend_schema(
        summary=_("考评轮次列表"),
        description=_("考评范围在您的管理范围内或在您所在组织之上的考评轮次。") + LIFE,
        responses={200: RoundSerializer(many=True), 400: BAD_REQUEST},
    ),
    retrieve=extend_schema(
        summary=_("考评轮次详情"),
        description=_("含开轮时方案快照中的指标和评价主体：评分时 values 的键为指标代码。"),
        responses={200: RoundDetailSerializer, 404: NOT_FOUND},
    ),
)
class RoundViewSet(
    RoundResultsMixin,
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Round.objects.all()
    serializer_class = RoundSerializer
    filterset_class = RoundFilter

    def decorate_queryset(self, queryset):
        return queryset.select_related("scheme", "organization")

    def get_serializer_class(self):
        if self.action == "create":
            return RoundCreateSerializer
        if self.action == "list":
            return RoundSerializer
        return RoundDetailSerializer

    def respond(self, round_, status_code=status.HTTP_200_OK):
        serializer = RoundDetailSerializer(round_, context=self.get_serializer_context())
        return Response(serializer.data, status=status_code)

    @extend_schema(
        summary=_("开启考评轮次"),
        description=_(
            "按考评方案为某组织及其下级开启一个考评期间的轮次，并生成考评对象（打擂台的对象在"
            "党员提交关键事件时加入）。方案可填编号或代码。需要开启考评轮次的权限。"
        ),
        request=RoundCreateSerializer,
        responses={201: RoundDetailSerializer, 400: BAD_REQUEST, 403: FORBIDDEN},
    )
    def create(self, request, *args, **kwargs):
        self.require_permission_anywhere("add")
        serializer = RoundCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        round_ = rounds.round_open(actor=request.user, **serializer.validated_data)
        return self.respond(round_, status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("计算考评结果"),
        description=_(
            "汇总评分和数据项，计算每个对象的总分、名次和称号；发布前可重复计算。评分中的轮次"
            "计算后评分即关闭。计算前可先 GET 同一地址查看尚缺的评分；响应中的 missing_scores、"
            "missing_targets 是计算时尚缺的评分份数和评价对象数。"
        ),
        request=None,
        responses={
            200: RoundComputedSerializer,
            400: BAD_REQUEST,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    @action(detail=True, methods=["post"], scope_action="view", filter_backends=[])
    def compute(self, request, pk=None):
        round_ = self.get_object()
        summary = selectors_rounds.compute_summary(round_, self.visible_targets())
        rounds.round_compute(actor=request.user, round_=round_)
        round_.missing_scores = summary["missing_scores"]
        round_.missing_targets = summary["missing_targets"]
        serializer = RoundComputedSerializer(round_, context=self.get_serializer_context())
        return Response(serializer.data)

    @extend_schema(
        summary=_("计算前确认"),
        description=_(
            "计算前查看：将被计算的评价对象数、尚未提交的评分（总数和各评价主体）、计算后评分"
            "是否关闭，以及一句中文提示。需要管理该轮次的权限。"
        ),
        responses={200: ComputePreviewSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @compute.mapping.get
    def compute_preview(self, request, pk=None):
        round_ = self.get_object()
        if not Round.objects.restrict(request.user, "change").filter(pk=round_.pk).exists():
            raise PermissionDenied(gettext("您无权管理该考评轮次。"))
        summary = selectors_rounds.compute_summary(round_, self.visible_targets())
        closes = round_.state == RoundState.SCORING
        readiness = selectors_readiness.round_readiness(round_)
        data = {
            **summary,
            "closes_scoring": closes,
            "message": compute_message(summary, closes) + readiness_message(readiness),
            "data_readiness": readiness_data(readiness),
        }
        return Response(ComputePreviewSerializer(data).data)

    def visible_targets(self):
        return Target.objects.restrict(self.request.user, "view")

    @round_action(
        _("发布考评结果"),
        _(
            "发布已计算的结果：授予称号，摘除达到摘牌分数的不放心支部，开始申诉期。数据项缺数"
            "而尚未决定处理（或决定等待数据）时拒绝发布（400，列出指标）；计算后数据或决定"
            "有变化时须先重新计算。"
        ),
    )
    def publish(self, request, pk=None):
        round_ = self.get_object()
        rounds.round_publish(actor=request.user, round_=round_)
        return self.respond(round_)

    @extend_schema(
        summary=_("记录缺数处理决定"),
        description=_(
            "某个数据项指标缺数或数据不全时，决定全员剔除该指标（exclude：所有对象都不计该指标，"
            "同级指标分享其权重，重新计算后生效）或等待数据（wait：数据到齐前不能发布）。"
            "再次决定即覆盖，历次决定留有审计记录。需要发布该轮次的权限。"
        ),
        request=DataDecideSerializer,
        responses={200: RoundDetailSerializer, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="data-decisions",
        scope_action="view",
        filter_backends=[],
    )
    def data_decisions(self, request, pk=None):
        round_ = self.get_object()
        serializer = DataDecideSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rounds.round_data_decide(actor=request.user, round_=round_, **serializer.validated_data)
        return self.respond(round_)

    @round_action(_("归档考评轮次"), _("已发布的轮次归档后不再受理申诉，也不再重新计算。"))
    def close(self, request, pk=None):
        round_ = self.get_object()
        rounds.round_close(actor=request.user, round_=round_)
        return self.respond(round_)

    # --- scores ---------------------------------------------------------------------------------

    @extend_schema(
        summary=_("本轮评分"),
        description=_(
            "本人在本轮给出的评分；有查看评分权限的账号加 all=1 可查看管理范围内的全部评分。"
        ),
        parameters=[ALL_PARAMETER, TARGET_PARAMETER],
        responses={200: ScoreSerializer(many=True), 400: BAD_REQUEST, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["get"], scope_action="view", filter_backends=[])
    def scores(self, request, pk=None):
        round_ = self.get_object()
        rows = Score.objects.restrict(request.user, "view").filter(round=round_)
        if not self.switch("all"):
            rows = rows.filter(evaluator=request.user)
        target = request.query_params.get("target", "").strip()
        if target:
            rows = rows.filter(target_id=target) if target.isdigit() else rows.none()
        rows = rows.select_related("target__organization", "target__person", "evaluator__person")
        page = self.paginate_queryset(rows.order_by("target_id", "indicator", "group", "id"))
        data = ScoreSerializer(page, many=True, context=self.score_context(round_)).data
        return self.get_paginated_response(data)

    @extend_schema(
        summary=_("提交评分"),
        description=_(
            "评价人以某一评价主体的身份给一个评价对象评分（再次提交即覆盖本人此前的评分）。"
            "不能给自己或自己的关键事件评分（400）；不在评价范围内的对象为 404 或 403；"
            "评分期外提交、分值超出范围为 400，并指出是哪一项。"
        ),
        request=ScoreSubmitSerializer,
        responses={
            201: ScoreSubmissionSerializer,
            400: BAD_REQUEST,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    @scores.mapping.post
    def submit_scores(self, request, pk=None):
        round_ = self.get_object()
        serializer = ScoreSubmitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        target = self.scorable_target(round_, data["target"])
        scores.score_submit(
            actor=request.user,
            round_=round_,
            target=target,
            group=data["group"],
            values=data["values"],
            comment=data["comment"],
        )
        saved = Score.objects.filter(
            round=round_, target=target, group=data["group"], evaluator=request.user
        )
        saved = saved.select_related("target__organization", "target__person", "evaluator__person")
        body = {
            "target": target.pk,
            "group": data["group"],
            "scores": ScoreSerializer(saved, many=True, context=self.score_context(round_)).data,
        }
        return Response(body, status=status.HTTP_201_CREATED)

    def scorable_target(self, round_, pk) -> Target:
        """The target, if the requester can see it at all (to score, or their own / in their
        view scope); 404 otherwise. Whether they may score it, and as whom, is the service's
        answer (403 or 400)."""
        user = self.request.user
        seen = Target.objects.restrict(user, "score") | Target.objects.restrict(user, "view")
        found = (
            Target.objects.filter(round=round_, pk=pk, pk__in=seen.values("pk"))
            .select_related("organization", "person")
            .first()
        )
        if found is None:
            raise Http404
        return found

    def score_context(self, round_) -> dict:
        names = {item["code"]: item["name"] for item in round_.snapshot.get("indicators", [])}
        return {**self.get_serializer_context(), "indicator_names": names}

    def switch(self, name: str) -> bool:
        try:
            return bool(switch_value(self.request.query_params.get(name, "")))
        except DjangoValidationError as exc:
            raise ValidationError({name: exc.messages}) from None
