"""``evaluation/rounds/{id}/results/``: a round's ranking.

Who sees which rows:

- an account holding ``view_target`` sees the targets of its scope in any state (a secretary
  follows the scoring of their branch before publication);
- everyone else sees nothing before publication (404), then their own rows and the published
  results in their scope (``view_published_target``: a member sees their branch).

Each indicator's contribution is shown only on the requester's own row and on rows their
``view_target`` grant covers: a member sees the branch ranking, not their peers' details.
"""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from bastion.core.api_docs import BAD_REQUEST, NOT_FOUND
from bastion.core.scope import grant

from .. import selectors_results
from ..filters import TargetFilter
from ..selectors_sources_rows import contribution_sources
from .serializers import RoundResultSerializer, TargetResultSerializer

VIEW_TARGET = "evaluation.view_target"

# The filters of TargetFilter (the results page and its export use the same), documented by
# hand: the action lists targets while its viewset filters rounds.
PARAMETERS = [
    OpenApiParameter(
        "within",
        OpenApiTypes.INT,
        description=_("组织编号：只列该组织及其下级组织（及其党员）的考评结果。"),
    ),
    OpenApiParameter("q", OpenApiTypes.STR, description=_("按党员姓名或组织名称查找。")),
]


def contribution_reader(user):
    """A per-row test, without queries: the row is the user's own or under a view_target
    grant."""
    held = grant(user, VIEW_TARGET)

    def shows(target) -> bool:
        own = target.person_id is not None and target.person.user_id == user.pk
        return own or held.covers(target.organization)

    return shows


def filtered_targets(request, round_):
    """The round's rows the requester may read, filtered by ``TargetFilter``: 404 before
    publication for those who follow only published results, and for an organization
    outside the scope."""
    if not round_.is_published and not selectors_results.sees_unpublished(request.user):
        raise Http404
    rows = selectors_results.visible_targets(request.user, round_)
    found = TargetFilter(request.query_params, queryset=rows, request=request)
    if not found.is_valid():
        raise ValidationError(found.errors)
    return selectors_results.ranked(found.qs)


class RoundResultsMixin:
    # The ``results`` action of the round viewset. (A comment, not a docstring: drf-spectacular
    # would show a docstring as the description.)

    @extend_schema(
        summary=_("考评结果排名"),
        description=_(
            "本轮的排名：名次、组内名次、总分、一票否决、缺评指标数和称号。有权查看考评对象的"
            "账号在发布前即可查看管理范围内的结果；其他账号只在结果发布后看到本人和本支部的"
            "排名（未发布时为 404）。各指标得分只对本人和有权查看考评对象的账号显示。"
        ),
        parameters=PARAMETERS,
        responses={200: RoundResultSerializer(many=True), 400: BAD_REQUEST, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["get"], scope_action="view", filter_backends=[])
    def results(self, request, pk=None):
        round_ = self.get_object()
        rows = filtered_targets(request, round_)
        context = {
            **self.get_serializer_context(),
            "shows_contributions": contribution_reader(request.user),
        }
        page = self.paginate_queryset(rows)
        data = RoundResultSerializer(page, many=True, context=context).data
        return self.get_paginated_response(data)

    @extend_schema(
        summary=_("考评对象的结果和数据来源"),
        description=_(
            "一个考评对象的名次、总分、称号和各指标得分，以及各数据项指标由哪些记录算出："
            "本期的应办事项、问题整改、任务反馈、对标指标月度值、积分记录或其他方案结果，"
            "附算式，可逐条核对。记录只列您有权查看的，其余只计数（hidden）。"
            "看不到该对象或轮次时为 404。"
        ),
        responses={200: TargetResultSerializer, 404: NOT_FOUND},
    )
    @action(
        detail=True,
        methods=["get"],
        scope_action="view",
        filter_backends=[],
        pagination_class=None,
        url_path=r"results/(?P<target_pk>[0-9]+)",
        url_name="result-target",
    )
    def result_target(self, request, pk=None, target_pk=None):
        round_ = self.get_object()
        if not round_.is_published and not selectors_results.sees_unpublished(request.user):
            raise Http404
        target = selectors_results.visible_target(request.user, target_pk)
        if target.round_id != round_.pk:
            raise Http404
        shows = contribution_reader(request.user)(target)
        context = {
            **self.get_serializer_context(),
            "shows_contributions": lambda _target: shows,
            "sources": contribution_sources(request.user, target) if shows else None,
        }
        return Response(TargetResultSerializer(target, context=context).data)
