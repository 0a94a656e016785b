"""The inbox pages (消息中心): each person sees only their own messages (anyone else's: 404)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import selectors
from .services import notification_mark_read, notifications_mark_all_read

PAGE_SIZE = 20
SENDER = "actor__person__organization"  # the sender is shown by name and organization
LEVEL_BADGE = {
    "red": "bg-red text-red-fg",
    "yellow": "bg-yellow text-yellow-fg",
    "green": "bg-green-lt",
    "info": "bg-azure-lt",
}


def badge(level) -> str:
    return LEVEL_BADGE.get(level, LEVEL_BADGE["info"])


@login_required
def inbox(request):
    notifications = selectors.inbox(request.user).defer("items").select_related(SENDER)
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    for note in page:
        note.badge = badge(note.level)
    return render(request, "core/notifications/list.html", {"page": page})


@login_required
def notification_detail(request, pk):
    note = get_object_or_404(selectors.inbox(request.user).select_related(SENDER), pk=pk)
    notification_mark_read(actor=request.user, notification=note)
    note.badge = badge(note.level)
    sections = note.items if isinstance(note.items, list) else []
    for section in sections:
        section["badge"] = badge(section.get("level"))
        for line in section.get("lines", []):
            line["badge"] = badge(line.get("level"))
    context = {"notification": note, "sections": sections}
    return render(request, "core/notifications/detail.html", context)


@login_required
@require_POST
def notification_read_all(request):
    count = notifications_mark_all_read(actor=request.user)
    if count:
        messages.success(request, _("已将 %(n)s 条通知标为已读。") % {"n": count})
    return redirect("inbox")
