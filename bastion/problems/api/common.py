"""Pieces the problem viewsets share: schema responses, "today" and the colour windows."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse

from bastion.core.api import ScopedViewSetMixin
from bastion.core.api_docs import NOT_FOUND  # noqa: F401 - re-exported to this API

from ..models import OPEN_STATES
from ..selectors import windows

FORBIDDEN = OpenApiResponse(description=_("无权执行此操作"))
BAD_REQUEST = OpenApiResponse(description=_("输入有误，按字段列出原因"))


def is_overdue(problem, today: dt.date) -> bool:
    return problem.state in OPEN_STATES and problem.deadline < today


class ProblemsViewSetMixin(ScopedViewSetMixin):
    # Scoped reads; one "today" and one read of the thresholds per request. (A comment, not a
    # docstring: drf-spectacular would show a docstring as the description.)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["today"] = timezone.localdate()
        if getattr(self, "action", None) in ("list", "retrieve", "transition", "create"):
            context["windows"] = windows(context["today"])
        return context
