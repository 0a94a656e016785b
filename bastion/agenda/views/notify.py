"""The inbox: each person sees only their own notifications (anyone else's answers 404)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..alerts import BADGE_CLASS
from ..models import Notification
from ..services.notify import notification_mark_read, notifications_mark_all_read

PAGE_SIZE = 20
LEVEL_BADGE = {**BADGE_CLASS, "info": "bg-azure-lt"}


@login_required
def inbox(request):
    notifications = (
        Notification.objects.filter(recipient=request.user)
        .alias(unread=ExpressionWrapper(Q(read_at__isnull=True), output_field=BooleanField()))
        .order_by("-unread", "-created_at", "-id")
        .defer("items")
    )
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    for note in page:
        note.badge = LEVEL_BADGE.get(note.level, LEVEL_BADGE["info"])
    return render(request, "agenda/inbox/list.html", {"page": page})


@login_required
def notification_detail(request, pk):
    note = get_object_or_404(Notification, pk=pk, recipient=request.user)
    notification_mark_read(actor=request.user, notification=note)
    note.badge = LEVEL_BADGE.get(note.level, LEVEL_BADGE["info"])
    sections = note.items if isinstance(note.items, list) else []
    for section in sections:
        section["badge"] = LEVEL_BADGE.get(section.get("level"), LEVEL_BADGE["info"])
        for line in section.get("lines", []):
            line["badge"] = LEVEL_BADGE.get(line.get("level"), LEVEL_BADGE["info"])
    return render(request, "agenda/inbox/detail.html", {"notification": note, "sections": sections})


@login_required
@require_POST
def notification_read_all(request):
    count = notifications_mark_all_read(actor=request.user)
    if count:
        messages.success(request, _("已将 %(n)s 条通知标为已读。") % {"n": count})
    return redirect("agenda:inbox")
