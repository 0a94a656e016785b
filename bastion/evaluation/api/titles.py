"""``evaluation/titles/``: the titles published rounds gave (达标, 星级, 流动红旗, 不放心支部,
擂主), read through the scope door; ``current=1`` is the title board: who holds the red flag
now, who is on the watch list and since when."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets

from bastion.core.api import ScopedViewSetMixin
from bastion.core.api_docs import BAD_REQUEST, NOT_FOUND

from ..filters import TitleAwardFilter
from ..models import TitleAward
from ..selectors_titles import with_current_score
from .serializers import TitleAwardSerializer


@extend_schema_view(
    list=extend_schema(
        summary=_("称号列表"),
        description=_(
            "管理范围内的组织和党员获得的称号，最新的在前；不放心支部在摘牌前一直保留，"
            "lifted_on 为摘牌日期。current=1 只列现在持有的称号。"
        ),
        responses={200: TitleAwardSerializer(many=True), 400: BAD_REQUEST},
    ),
    retrieve=extend_schema(
        summary=_("称号详情"),
        description=_("称号、授予轮次、获评时得分、最近一轮得分和摘牌情况。"),
        responses={200: TitleAwardSerializer, 404: NOT_FOUND},
    ),
)
class TitleAwardViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = TitleAward.objects.all()
    serializer_class = TitleAwardSerializer
    filterset_class = TitleAwardFilter

    def decorate_queryset(self, queryset):
        queryset = with_current_score(self.request.user, queryset)
        return queryset.select_related(
            "scheme", "round", "organization", "person", "lifted_by"
        ).order_by("-awarded_on", "kind", "organization__path", "id")
