"""``evaluation/indicators/``: the monthly values of the six benchmark indicators (同业对标指标)
per station, read through the scope door; ``POST`` uploads many at once, all or nothing,
through the same service as the Excel import; ``definitions/`` lists the indicators."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from bastion.core.api import ScopedViewSetMixin
from bastion.core.api_docs import BAD_REQUEST, FORBIDDEN

from ..filters import BenchmarkValueFilter
from ..models import BenchmarkIndicator, BenchmarkValue
from .serializers_benchmarks import (
    BenchmarkIndicatorSerializer,
    BenchmarkUploadResultSerializer,
    BenchmarkUploadSerializer,
    BenchmarkValueSerializer,
)

ROW_KEYS = ("indicator", "organization", "month", "value")


@extend_schema_view(
    list=extend_schema(
        summary=_("同业对标指标值"),
        description=_(
            "管理范围内各供电所每月的同业对标指标值，含指标名称、单位和方向（越高越好或"
            "越低越好）。可按月份、指标、供电所和上级组织筛选。"
        ),
        responses={200: BenchmarkValueSerializer(many=True), 400: BAD_REQUEST},
    ),
)
class BenchmarkValueViewSet(
    ScopedViewSetMixin, mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    queryset = BenchmarkValue.objects.all()
    serializer_class = BenchmarkValueSerializer
    filterset_class = BenchmarkValueFilter

    def decorate_queryset(self, queryset):
        return queryset.select_related("indicator", "organization")

    def get_serializer_class(self):
        return BenchmarkUploadSerializer if self.action == "create" else BenchmarkValueSerializer

    @extend_schema(
        summary=_("批量上传同业对标指标值"),
        description=_(
            '{"rows": [{"indicator": "fee_recovery", "organization": "供电所组织编码", '
            '"month": "2026-10", "value": "99.2"}, …]}：已有的同月同指标值被更新，与已保存的值'
            "相同的记为未变（unchanged），不改动录入人和录入时间。任何一行有误"
            "则整批不保存，并逐行列出原因（第 N 行：…）。需要导入对标指标的权限。"
        ),
        request=BenchmarkUploadSerializer,
        responses={
            201: BenchmarkUploadResultSerializer,
            200: OpenApiResponse(
                BenchmarkUploadResultSerializer, description=_("没有新增：只修改了已有值或值未变")
            ),
            400: BAD_REQUEST,
            403: FORBIDDEN,
        },
    )
    def create(self, request, *args, **kwargs):
        from ..services.benchmarks import benchmark_values_save

        self.require_permission_anywhere("import")
        serializer = BenchmarkUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rows = [{key: row[key] for key in ROW_KEYS} for row in serializer.validated_data["rows"]]
        try:
            counts = benchmark_values_save(actor=request.user, rows=rows, source="api")
        except DjangoValidationError as exc:
            raise ValidationError({"rows": exc.messages}) from None
        answer = {key: counts[key] for key in ("created", "updated", "unchanged")}
        code = status.HTTP_201_CREATED if answer["created"] else status.HTTP_200_OK
        return Response(BenchmarkUploadResultSerializer(answer).data, status=code)

    @extend_schema(
        summary=_("同业对标指标"),
        description=_("六项同业对标指标的代码、名称、单位和方向。"),
        responses={200: BenchmarkIndicatorSerializer(many=True)},
    )
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def definitions(self, request):
        rows = BenchmarkIndicator.objects.order_by("order", "id")
        return Response(BenchmarkIndicatorSerializer(rows, many=True).data)
