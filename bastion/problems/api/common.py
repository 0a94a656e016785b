"""Pieces the problem viewsets share: schema responses, "today" and the colour windows."""

from __future__ import annotations

import datetime as dt

from bastion.core.api import ScopedViewSetMixin
from bastion.core.api_docs import BAD_REQUEST, FORBIDDEN, NOT_FOUND  # noqa: F401 - re-exported

from ..models import OPEN_STATES
from ..selectors import windows


def is_overdue(problem, today: dt.date) -> bool:
    return problem.state in OPEN_STATES and problem.deadline < today


class ProblemsViewSetMixin(ScopedViewSetMixin):
    # Scoped reads; one "today" and one read of the thresholds per request. (A comment, not a
    # docstring: drf-spectacular would show a docstring as the description.)

    def get_serializer_context(self):
        context = super().get_serializer_context()  # with "today"
        if getattr(self, "action", None) in ("list", "retrieve", "transition", "create"):
            context["windows"] = windows(context["today"])
        return context
