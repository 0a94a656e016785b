"""Delivering stored messages on the channels outside the inbox, each at most once.

A channel is claimed by stamping the message (``emailed_at``, ``webhook_at``) before sending, so
two runs never both send; a failed send releases the claim so the next run retries it. A
failing channel is logged and counted; it never stops the other channel or the other people.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from functools import partial

from django.conf import settings
from django.core.mail import get_connection
from django.db.models import Q
from django.utils import timezone

from .channels import event_payload, message_email, post_webhook, webhook_payload
from .models import Notification

logger = logging.getLogger(__name__)


@dataclass
class Delivery:
    """What one delivery did (JSON-friendly: a job returns ``as_dict()``)."""

    emailed: int = 0
    posted: int = 0
    failures: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


def webhook_url() -> str:
    return getattr(settings, "BASTION_WEBHOOK_URL", "") or ""


def deliver_each(notifications, run: Delivery) -> None:
    """E-mail each message to its recipient and post each one to the robot (daily digests:
    every person's digest is their own robot message)."""
    url = webhook_url()
    pending = (
        notifications.filter(recipient__is_active=True)
        .filter(Q(emailed_at__isnull=True) | Q(webhook_at__isnull=True))
        .select_related("recipient__person")
        .order_by("pk")
    )
    with MailSession() as mail:
        for note in pending:
            if note.emailed_at is None and note.recipient.email:
                run.emailed += _deliver(note, "emailed_at", partial(mail.send, note), run, "email")
            if note.webhook_at is None and url:
                send = partial(post_webhook, url, webhook_payload(note))
                run.posted += _deliver(note, "webhook_at", send, run, "webhook")


def deliver_event(ids: list[int], *, email: bool, webhook: bool) -> Delivery:
    """The messages of one event: each by e-mail, and ONE robot message for all of them."""
    run = Delivery()
    notes = list(
        Notification.objects.filter(pk__in=ids, recipient__is_active=True)
        .select_related("recipient__person")
        .order_by("pk")
    )
    if email:
        with MailSession() as mail:
            for note in notes:
                if note.emailed_at is None and note.recipient.email:
                    send = partial(mail.send, note)
                    run.emailed += _deliver(note, "emailed_at", send, run, "email")
    url = webhook_url()
    if webhook and url and notes:
        run.posted += _deliver_once(notes, url, run)
    return run


class MailSession:
    """One SMTP session for a whole run; if it cannot open, each send tries on its own, and a
    dropped session reopens for the next person."""

    def __init__(self):
        self.connection = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.connection is not None:
            _close_quietly(self.connection)

    def send(self, note: Notification) -> None:
        if self.connection is None:
            self.connection = get_connection()
            try:
                self.connection.open()
            except Exception:
                logger.exception("cannot open the mail connection")
        try:
            message_email(note, self.connection).send()
        except Exception:
            _close_quietly(self.connection)
            raise


def _close_quietly(connection) -> None:
    try:
        connection.close()
    except Exception:
        logger.exception("cannot close the mail connection")


def _deliver(note: Notification, stamp: str, send, run: Delivery, channel: str) -> int:
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
            "notification %s: %s to user %s failed: %s", note.pk, channel, note.recipient_id, error
        )
        run.failures.append(f"{note.recipient.get_username()}: {channel}: {error}")
        return 0
    return 1


def _deliver_once(notes: list[Notification], url: str, run: Delivery) -> int:
    """One robot message for the messages of an event not yet posted."""
    stamp = timezone.now()
    ids = [note.pk for note in notes if note.webhook_at is None]
    if not ids:
        return 0
    if not Notification.objects.filter(pk__in=ids, webhook_at__isnull=True).update(
        webhook_at=stamp
    ):
        return 0  # another run posted it
    # Only what this run stamped: a message another run claimed meanwhile is theirs to post.
    mine = set(
        Notification.objects.filter(pk__in=ids, webhook_at=stamp).values_list("pk", flat=True)
    )
    claimed = [note for note in notes if note.pk in mine]
    try:
        post_webhook(url, event_payload(claimed))
    except Exception as error:
        Notification.objects.filter(pk__in=ids, webhook_at=stamp).update(webhook_at=None)
        logger.warning("event %s: webhook failed: %s", notes[0].event, error)
        run.failures.append(f"{notes[0].event}: webhook: {error}")
        return 0
    return 1
