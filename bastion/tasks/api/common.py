"""The ``within`` parameter the task viewsets' progress actions document (the viewsets read it
with ``ScopedViewSetMixin.organization_param``: an organization outside the scope is 404)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

from ..selectors_progress import STATE_FILTERS

WITHIN_PARAMETER = OpenApiParameter(
    "within",
    OpenApiTypes.INT,
    description=_("组织编号：只统计承办组织在该组织及其下级中的记录。"),
)
STATE_PARAMETER = OpenApiParameter(
    "state",
    OpenApiTypes.STR,
    enum=[value for value, _label in STATE_FILTERS],
    description=_("承办状态；overdue 为逾期未反馈，late 为逾期反馈。"),
)
