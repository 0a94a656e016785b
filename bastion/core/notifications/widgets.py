"""The home page's first widget: the viewer's unread messages.

Listed first in ``CoreConfig.home_widgets`` (the kernel comes first among the installed apps, so
its widget opens the page). Each line links to the message's page in the inbox, whose opening
marks it read (``views.notification_detail``); "全部标为已读" posts to the inbox's own action.
Nothing is shown when every message is read. Two queries at most, whatever the inbox holds.
"""

from __future__ import annotations

from django.template.loader import render_to_string

from . import selectors
from .views import badge

SHOWN = 5


def unread(request) -> str | None:
    """The newest unread messages of the viewer (at most ``SHOWN``) and how many there are."""
    user = request.user
    if user is None or not user.is_authenticated:
        return None
    notes = list(
        selectors.inbox(user)
        .filter(read_at__isnull=True)
        .only("id", "level", "title", "created_at", "read_at")[:SHOWN]
    )
    if not notes:
        return None
    total = selectors.unread_count(user) if len(notes) == SHOWN else len(notes)
    for note in notes:
        note.badge = badge(note.level)
    return render_to_string(
        "core/notifications/_widget.html",
        {"notes": notes, "total": total, "more": total - len(notes)},
        request=request,
    )
