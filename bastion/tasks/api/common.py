"""Pieces both task viewsets share: schema responses, "today", the ``within`` parameter."""

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError

from bastion.core.api import ScopedViewSetMixin
from bastion.core.api_docs import BAD_REQUEST, FORBIDDEN, NOT_FOUND  # noqa: F401 - re-exported
from bastion.orgs.models import Organization

WITHIN_PARAMETER = OpenApiParameter(
    "within",
    OpenApiTypes.INT,
    description=_("组织编号：只统计承办组织在该组织及其下级中的记录。"),
)


class TasksViewSetMixin(ScopedViewSetMixin):
    # Scoped reads and one "today" per request. (A comment, not a docstring: drf-spectacular
    # would show a docstring as the description.)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["today"] = timezone.localdate()
        return context

    def within_org(self):
        """The ``within`` query parameter as an organization in the reader's scope, or None."""
        raw = self.request.query_params.get("within", "").strip()
        if not raw:
            return None
        found = None
        if raw.isdigit():
            found = Organization.objects.restrict(self.request.user, "view").filter(pk=raw).first()
        if found is None:
            raise ValidationError(
                {
                    "within": [
                        gettext("编号为 %(pk)s 的组织不存在或不在您的管理范围内。") % {"pk": raw}
                    ]
                }
            )
        return found
