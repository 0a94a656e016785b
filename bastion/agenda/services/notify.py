"""The agenda's messages, sent through the kernel's one service
(``bastion.core.notifications.services.notification_send``).

Per event: ``notify_meeting_returned`` (a meeting record sent back to the person who recorded
it), in the inbox only, once per sending back. Term and dues alarms are the daily job's
(``alarms.agenda_alarms_handle``). The daily digest's agenda sections are
``notify_digest.agenda_sections``, registered on ``AgendaConfig``; storing and sending digests
is the kernel's (``bastion.core.notifications.digest.send_daily_digests``).
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from bastion.core.notifications.models import Notification, NotificationLevel
from bastion.core.notifications.services import notification_send

from .notify_digest import meeting_url

EVENT_MEETING_RETURNED = "agenda.meeting_returned"


def returned_key(meeting) -> str:
    """One message per sending back: the meeting and the moment it was reviewed."""
    when = meeting.reviewed_at.isoformat() if meeting.reviewed_at else ""
    return f"{EVENT_MEETING_RETURNED}:{meeting.pk}:{when}"


def notify_meeting_returned(meeting, *, actor=None) -> Notification | None:
    """Tell the person who recorded ``meeting`` that it was sent back, and why."""
    recipient = meeting.recorded_by
    if recipient is None or not recipient.is_active:
        return None
    with translation.override(settings.LANGUAGE_CODE):
        title = _("会议记录被退回：%(meeting)s") % {"meeting": meeting.topic}
        body = _("原因：%(reason)s") % {"reason": meeting.review_note or _("未填写")}
    notes = notification_send(
        actor=actor if actor is not None else meeting.reviewed_by,
        recipients=[recipient],
        event=EVENT_MEETING_RETURNED,
        title=title,
        body=body,
        url=meeting_url(meeting.pk, meeting.organization_id),
        level=NotificationLevel.INFO,
        subjects=[meeting],
        dedupe_key=returned_key(meeting),
        channels=(),
    )
    return notes[0] if notes else None
