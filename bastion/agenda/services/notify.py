"""Notifications: one daily digest per person (inbox, e-mail, webhook), not one per item.

``send_daily_digests`` is run once a day by the ``daily_agenda`` job. It creates at most one
digest per person and day (the database enforces it), then delivers every digest of the day that
still has a channel to go: a second run the same day creates nothing and sends nothing again,
but retries a channel that failed. A failing channel is logged and counted; it never stops the
other channel or the other people.

The only message sent per event is ``notify_meeting_returned`` (a meeting record sent back to
the person who recorded it), in the inbox only.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import asdict, dataclass, field
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import get_connection
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from bastion.orgs.models import Role

from ..models import Notification, NotificationLevel
from .notify_channels import digest_email, post_webhook, webhook_payload
from .notify_digest import ACT_PERMISSIONS, ITEM_LEVELS, build_digest, meeting_url

__all__ = [
    "DigestRun",
    "build_digest",
    "digest_create",
    "digest_recipients",
    "notification_mark_read",
    "notifications_mark_all_read",
    "notify_meeting_returned",
    "send_daily_digests",
]

logger = logging.getLogger(__name__)


@dataclass
class DigestRun:
    """What one run did; returned by the job (JSON) and printed by the command."""

    day: str
    created: int = 0
    emailed: int = 0
    posted: int = 0
    failures: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


def digest_recipients():
    """Active users holding, somewhere, a role that can act on the calendar."""
    role_ids = [
        role.pk
        for role in Role.objects.only("id", "permissions")
        if set(role.permissions or ()) & set(ACT_PERMISSIONS)
    ]
    return (
        get_user_model()
        .objects.filter(is_active=True, role_assignments__role_id__in=role_ids)
        .distinct()
        .order_by("pk")
    )


def send_daily_digests(today: dt.date | None = None) -> DigestRun:
    today = today or timezone.localdate()
    run = DigestRun(day=today.isoformat())
    with translation.override(settings.LANGUAGE_CODE):
        done = set(
            Notification.objects.filter(digest_on=today).values_list("recipient_id", flat=True)
        )
        for user in digest_recipients():
            if user.pk in done:
                continue
            try:
                if digest_create(user=user, today=today) is not None:
                    run.created += 1
            except Exception as error:  # one person's digest never stops the others
                logger.exception("daily digest for user %s failed", user.pk)
                run.failures.append(f"{user.get_username()}: digest: {error}")
        deliver_digests(today, run)
    return run


def digest_create(*, user, today: dt.date) -> Notification | None:
    """Store ``user``'s digest for ``today``; None when there is nothing or it already exists."""
    sections = build_digest(user, today)
    if not sections:
        return None
    level, body = digest_summary(sections)
    try:
        with transaction.atomic():
            return Notification.objects.create(
                recipient=user,
                level=level,
                title=_("每日工作提醒（%(day)s）") % {"day": today.isoformat()},
                body=body,
                items=sections,
                digest_on=today,
            )
    except IntegrityError:  # another run made it first
        return None


def digest_summary(sections: list[dict]) -> tuple[str, str]:
    """The digest's colour (its worst item) and a one-line summary of its counts."""
    counts = dict.fromkeys(ITEM_LEVELS, 0)
    reviews = 0
    extra_parts, extra_levels = [], set()
    for section in sections:
        if section["group"] in counts:
            counts[section["group"]] += section["total"]
        elif section["group"] == "branches":
            for level in ITEM_LEVELS:
                counts[level] += section["totals"][level]
        elif section["group"] == "review":
            reviews = section["total"]
        else:  # a section another app contributes (``digest_sources``), e.g. overdue tasks
            extra_parts.append(f"{section['title']} {section.get('count_text', '')}".strip())
            extra_levels.add(section.get("level"))
    labels = {
        "red": _("红色告警 %(n)s 项"),
        "yellow": _("黄色提醒 %(n)s 项"),
        "green": _("今日绿色通知 %(n)s 项"),
    }
    parts = [labels[level] % {"n": counts[level]} for level in ITEM_LEVELS if counts[level]]
    if reviews:
        parts.append(_("待审核会议记录 %(n)s 条") % {"n": reviews})
    parts += extra_parts
    level = next(
        (level for level in ITEM_LEVELS if counts[level] or level in extra_levels),
        NotificationLevel.INFO,
    )
    return level, _("，").join(parts)


# --- delivery -----------------------------------------------------------------------------


def deliver_digests(today: dt.date, run: DigestRun) -> None:
    """Send the day's digests on every channel they have not reached yet."""
    webhook_url = getattr(settings, "BASTION_WEBHOOK_URL", "") or ""
    pending = (
        Notification.objects.filter(digest_on=today, recipient__is_active=True)
        .filter(Q(emailed_at__isnull=True) | Q(webhook_at__isnull=True))
        .select_related("recipient")
        .order_by("pk")
    )
    connection = None
    try:
        for note in pending:
            if note.emailed_at is None and note.recipient.email:
                connection = connection or _open_mail_connection()
                send = partial(_send_email, note, connection)
                run.emailed += _deliver(note, "emailed_at", send, run, "email")
            if note.webhook_at is None and webhook_url:
                send = partial(_post_webhook, note, webhook_url)
                run.posted += _deliver(note, "webhook_at", send, run, "webhook")
    finally:
        if connection is not None:
            _close_quietly(connection)


def _send_email(note: Notification, connection) -> None:
    try:
        digest_email(note, connection).send()
    except Exception:
        _close_quietly(connection)  # a dropped SMTP session reopens for the next person
        raise


def _close_quietly(connection) -> None:
    try:
        connection.close()
    except Exception:
        logger.exception("cannot close the mail connection")


def _post_webhook(note: Notification, url: str) -> None:
    post_webhook(url, webhook_payload(note))


def _open_mail_connection():
    """One SMTP session for the whole run; if it cannot open, each send tries on its own."""
    connection = get_connection()
    try:
        connection.open()
    except Exception:
        logger.exception("cannot open the mail connection")
    return connection


def _deliver(note: Notification, stamp: str, send, run: DigestRun, channel: str) -> int:
    """Claim the channel (so two runs never both send), send, release the claim on failure."""
    claimed = Notification.objects.filter(pk=note.pk, **{f"{stamp}__isnull": True}).update(
        **{stamp: timezone.now()}
    )
    if not claimed:
        return 0
    try:
        send()
    except Exception as error:
        Notification.objects.filter(pk=note.pk).update(**{stamp: None})
        logger.warning(
            "digest %s: %s to user %s failed: %s", note.pk, channel, note.recipient_id, error
        )
        run.failures.append(f"{note.recipient.get_username()}: {channel}: {error}")
        return 0
    return 1


# --- the one event message and the inbox writes -------------------------------------------


def notify_meeting_returned(meeting) -> Notification | None:
    """Tell the person who recorded ``meeting`` that it was sent back, and why."""
    recipient = meeting.recorded_by
    if recipient is None or not recipient.is_active:
        return None
    with translation.override(settings.LANGUAGE_CODE):
        title = _("会议记录被退回：%(meeting)s") % {"meeting": meeting.topic}
        body = _("原因：%(reason)s") % {"reason": meeting.review_note or _("未填写")}
    return Notification.objects.create(
        recipient=recipient,
        level=NotificationLevel.INFO,
        title=title[:200],
        body=body,
        url=meeting_url(meeting.pk, meeting.organization_id),
    )


def notification_mark_read(*, actor, notification: Notification) -> None:
    if notification.recipient_id != actor.pk or notification.read_at is not None:
        return
    notification.read_at = timezone.now()
    Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
        read_at=notification.read_at
    )


def notifications_mark_all_read(*, actor) -> int:
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).update(
        read_at=timezone.now()
    )
