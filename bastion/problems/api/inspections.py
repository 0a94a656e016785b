"""``inspections/``: inspections read through the scope door (by the inspecting organization),
with the organizations inspected and how many problems each found; ``POST`` records one."""

from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from ..filters import InspectionFilter
from ..models import Inspection
from ..services import filing
from .common import BAD_REQUEST, FORBIDDEN, NOT_FOUND, ProblemsViewSetMixin
from .serializers import InspectionCreateSerializer, InspectionSerializer


def with_counts(queryset):
    return (
        queryset.select_related("inspecting_org")
        .prefetch_related("inspected")
        .annotate(problem_count=Count("problems"))
        .order_by("-held_on", "-id")
    )


@extend_schema_view(
    list=extend_schema(
        summary=_("检查列表"),
        description=_(
            "检查组织在您管理范围内的检查（自查、互查、巡查、飞行巡查、督导访谈、一线督查、"
            "一线考核），含被检查组织和发现问题数。"
        ),
        responses={200: InspectionSerializer(many=True), 400: BAD_REQUEST},
    ),
    retrieve=extend_schema(
        summary=_("检查详情"),
        description=_("含检查清单、检查情况、被检查组织和发现问题数。"),
        responses={200: InspectionSerializer, 404: NOT_FOUND},
    ),
)
class InspectionViewSet(
    ProblemsViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Inspection.objects.all()
    serializer_class = InspectionSerializer
    filterset_class = InspectionFilter

    def decorate_queryset(self, queryset):
        return with_counts(queryset)

    def get_serializer_class(self):
        return InspectionCreateSerializer if self.action == "create" else InspectionSerializer

    @extend_schema(
        summary=_("登记检查"),
        description=_("以检查组织的名义登记一次检查；之后在问题清单中录入发现的问题。"),
        request=InspectionCreateSerializer,
        responses={201: InspectionSerializer, 400: BAD_REQUEST, 403: FORBIDDEN},
    )
    def create(self, request, *args, **kwargs):
        self.require_permission_anywhere("add")
        serializer = InspectionCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        inspection = filing.inspection_create(actor=request.user, **serializer.validated_data)
        instance = with_counts(Inspection.objects.filter(pk=inspection.pk)).first() or inspection
        data = InspectionSerializer(instance, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED)
