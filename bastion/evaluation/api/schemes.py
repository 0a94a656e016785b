"""``evaluation/schemes/``: the schemes (考评方案) the requester may use, read-only, each with its
indicator tree (a flat list, ``parent`` naming the group above), evaluator groups and title
rules. Schemes are edited on the pages; the API reads them."""

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets

from bastion.core.api import ScopedViewSetMixin
from bastion.core.api_docs import BAD_REQUEST, NOT_FOUND

from ..filters import SchemeFilter
from ..models import Indicator, Scheme
from .serializers import SchemeSerializer


def with_parts(queryset):
    """Indicators, groups and title rules in one query each, however many schemes."""
    indicators = Indicator.objects.select_related("parent").order_by("order", "id")
    return queryset.select_related("owner").prefetch_related(
        Prefetch("indicators", queryset=indicators), "groups", "title_rules"
    )


@extend_schema_view(
    list=extend_schema(
        summary=_("考评方案列表"),
        description=_(
            "您可以使用的考评方案：全公司通用的内置方案、上级组织和本级及下级组织制定的方案，"
            "含指标树、评价主体和称号规则。"
        ),
        responses={200: SchemeSerializer(many=True), 400: BAD_REQUEST},
    ),
    retrieve=extend_schema(
        summary=_("考评方案详情"),
        description=_("指标树以平铺列表给出，parent 为上级指标分组的代码。"),
        responses={200: SchemeSerializer, 404: NOT_FOUND},
    ),
)
class SchemeViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Scheme.objects.all()
    serializer_class = SchemeSerializer
    filterset_class = SchemeFilter

    def decorate_queryset(self, queryset):
        return with_parts(queryset).order_by("code")
