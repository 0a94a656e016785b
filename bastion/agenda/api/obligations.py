"""``obligations/``: what each organization owes, read through the scope door, with its colour.
Nobody writes obligations through the API: the records that do the work fulfil them."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets

from bastion.core.api import ScopedViewSetMixin
from bastion.core.api_docs import BAD_REQUEST, NOT_FOUND

from ..models import Obligation
from .filters import ObligationFilter
from .serializers import ObligationSerializer


@extend_schema_view(
    list=extend_schema(
        summary=_("应办事项列表"),
        description=_("按截止日期排序。提醒状态按今天的日期计算。"),
        responses={200: ObligationSerializer(many=True), 400: BAD_REQUEST},
    ),
    retrieve=extend_schema(
        summary=_("应办事项详情"),
        description=_("提醒状态按今天的日期计算。"),
        responses={200: ObligationSerializer, 404: NOT_FOUND},
    ),
)
class ObligationViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Obligation.objects.all()
    serializer_class = ObligationSerializer
    filterset_class = ObligationFilter

    def decorate_queryset(self, queryset):
        return queryset.select_related("organization", "rule").order_by(
            "due_on", "rule__sort_order", "organization__path", "id"
        )
