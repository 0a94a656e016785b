"""``rules/``: the work calendar, readable by every signed-in user (rules are not scoped data).
Rules are edited on the pages; the API only reads them."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.exceptions import ValidationError

from bastion.core.api_docs import NOT_FOUND

from ..models import CalendarRule
from .filters import RuleFilter
from .serializers import RuleSerializer

TRUE_VALUES = {"1", "true", "yes", "on"}
FALSE_VALUES = {"", "0", "false", "no", "off"}
ALL_PARAMETER = OpenApiParameter(
    "all",
    OpenApiTypes.BOOL,
    description=_("为 1 时列出每个事项的全部版本（含已停用和未生效的）；默认只列今天在用的版本。"),
)


def show_all(request) -> bool:
    raw = request.query_params.get("all", "").strip().lower()
    if raw in TRUE_VALUES:
        return True
    if raw in FALSE_VALUES:
        return False
    raise ValidationError({"all": [_("参数 all 只能为 1 或 0。")]})


@extend_schema_view(
    list=extend_schema(summary=_("日历事项列表"), parameters=[ALL_PARAMETER]),
    retrieve=extend_schema(
        summary=_("日历事项详情"), responses={200: RuleSerializer, 404: NOT_FOUND}
    ),
)
class RuleViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = CalendarRule.objects.all()
    serializer_class = RuleSerializer
    filterset_class = RuleFilter

    def get_queryset(self):
        rules = CalendarRule.objects.select_related("guide")
        if self.action == "list" and not show_all(self.request):
            rules = rules.in_force(timezone.localdate()).filter(is_active=True)
        return rules.order_by("sort_order", "code", "-effective_from")
