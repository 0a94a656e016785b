"""我的任务 of a person: what they themselves must do, gathered from every installed app.

An AppConfig lists ``my_work``: dotted paths to functions ``(user, today) -> list[WorkItem]``
(rounds to rate, a key event to submit, dues owed, answers their organization owes …). The
kernel knows no domain app: it only sorts what the apps hand it, shows the first few on the
home page (``my_tasks_card``, a home widget) and all of them on their own page (``my_work``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.module_loading import import_string

from .alerts import BADGE_CLASS

SHOWN_ON_HOME = 6


@dataclass(frozen=True)
class WorkItem:
    """One thing to do. ``level`` is an alert level of ``core.alerts`` (red when overdue)."""

    label: str
    detail: str = ""
    url: str | None = None
    due_on: dt.date | None = None
    level: str = "green"

    @property
    def badge_class(self) -> str:
        return BADGE_CLASS.get(self.level, "")


def _sort_key(item: WorkItem):
    # Overdue first, then by due date; items without a date after the dated ones.
    return (item.level != "red", item.due_on is None, item.due_on or dt.date.max, item.label)


def work_items(user, today: dt.date | None = None) -> list[WorkItem]:
    if user is None or not user.is_authenticated:
        return []
    today = today or timezone.localdate()
    found: list[WorkItem] = []
    for config in apps.get_app_configs():
        for dotted in getattr(config, "my_work", []):
            found.extend(import_string(dotted)(user, today))
    return sorted(found, key=_sort_key)


def _has_own_record(user) -> bool:
    return getattr(user, "person", None) is not None


def my_tasks_card(request) -> str | None:
    """The home card 我的任务: the first few items and how many more; for a person with
    nothing to do, a line that says so (their home still shows it is their own page)."""
    user = request.user
    items = work_items(user)
    if not items and not _has_own_record(user):
        return None
    return render_to_string(
        "core/_my_tasks_card.html",
        {"items": items[:SHOWN_ON_HOME], "more": max(len(items) - SHOWN_ON_HOME, 0)},
        request=request,
    )


@login_required
def my_work(request):
    """我的任务 as a page: every item, overdue first."""
    return render(request, "core/my_work.html", {"items": work_items(request.user)})
