"""Home page widget of the tasks: what the user's organizations owe — overdue, due soon."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from bastion.core.scope import has_permission_anywhere

from . import selectors


def inbox_summary(request) -> str | None:
    """Counts of the user's inbox (one query), linking to it; nothing for a user who answers
    no task."""
    user = request.user
    if not has_permission_anywhere(user, "tasks.change_assignment"):
        return None
    counts = selectors.inbox_counts(selectors.inbox_assignments(user), timezone.localdate())
    return render_to_string(
        "tasks/_widget.html",
        {
            "counts": counts,
            "soon_days": selectors.due_soon_days(),
            "inbox_url": reverse("tasks:assignment_inbox"),
        },
        request=request,
    )
