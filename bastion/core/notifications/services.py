"""The one notification service every module calls.

``notification_send(*, actor, recipients, event, title, ...)`` puts one message in each
recipient's inbox and queues its delivery on the other channels::

    from bastion.core.notifications.services import Recipient, notification_send

    notification_send(
        actor=request.user,              # who caused it; None for a job
        recipients=[user, 42, Recipient(7, body="…", items=[…], subjects=[assignment])],
        event="problems.assigned",       # what happened: "<app>.<event>", kept on the row
        title=_("问题已分派：%(title)s") % {...},
        body="", url=problem.get_absolute_url(),
        level=NotificationLevel.YELLOW,  # green / yellow / red / info (default)
        items=[section, ...],            # sections shaped as the digest's (digest.py)
        subjects=[problem],              # what it is about: read receipts (selectors.receipts)
        dedupe_key=f"problems.assigned:{problem.pk}",
        channels=("email",),             # besides the inbox: "email", "webhook"
    )

Rules:

* **One message per person per event.** Recipients may repeat (users, ids or ``Recipient``);
  each person gets one message. With a ``dedupe_key``, a person who already has a message with
  that key gets nothing more, ever (the database enforces it): build the key from what makes
  the event one event (``tasks.dispatched:<task id>``, ``tasks.reminder:<task id>:<day>``).
* **Per-person content.** A ``Recipient`` overrides ``title``, ``body``, ``url``, ``items``,
  ``level`` and ``subjects`` for that person (a county secretary's message lists the 30
  stations they answer for; a station's lists one).
* **Inbox always, in bulk.** Inactive accounts are skipped. All rows are one bulk insert (and
  one for the subjects) inside the caller's transaction: a constant number of queries for 5 or
  3,000 recipients, and nothing is sent if the caller's write rolls back.
* **Other channels after commit.** ``"email"`` mails each person who has an address;
  ``"webhook"`` posts ONE robot message for the whole event (the robot speaks to a group chat)
  when ``BASTION_WEBHOOK_URL`` is set. Both run as the background job
  ``jobs.deliver_notifications`` once the transaction commits. Pass ``channels=()`` for inbox
  only (personal matters that must not reach a group chat never pass ``"webhook"``).

``notification_mark_read`` and ``notifications_mark_all_read`` are the inbox's own writes.
Who must act on an organization is answered by ``holders.targets_by_holder``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from .models import Notification, NotificationLevel, NotificationSubject

CHANNELS = ("email", "webhook")
_muted: ContextVar[bool] = ContextVar("bastion_notifications_muted", default=False)
BATCH = 1000
TITLE_MAX = 200


@dataclass
class Recipient:
    """One person and what differs in their message (None: the event's value)."""

    user: object  # a user or a user id
    title: str | None = None
    body: str | None = None
    url: str | None = None
    level: str | None = None
    items: list | None = None
    subjects: Iterable = field(default_factory=tuple)


def notification_send(
    *,
    actor,
    recipients: Iterable,
    event: str,
    title: str,
    body: str = "",
    url: str = "",
    level: str = NotificationLevel.INFO,
    items: list | tuple = (),
    subjects: Iterable = (),
    dedupe_key: str = "",
    channels: Collection[str] = ("email",),
) -> list[Notification]:
    """Store one message per recipient (see the module docstring); return the new messages."""
    unknown = set(channels) - set(CHANNELS)
    if unknown:
        raise ValueError(f"unknown notification channels: {sorted(unknown)}")
    if _muted.get():
        return []
    people = _by_person(recipients)
    if not people:
        return []
    with transaction.atomic():
        people = _active(people)
        if dedupe_key:
            for user_id in _already_told(dedupe_key):
                people.pop(user_id, None)
        if not people:
            return []
        common = {"actor": actor, "event": event, "title": title, "body": body, "url": url}
        common.update(level=level, items=list(items), subjects=list(subjects))
        notes = _insert(people, common, dedupe_key)
        if channels and notes:
            ids = [note.pk for note in notes]
            email, webhook = "email" in channels, "webhook" in channels
            transaction.on_commit(lambda: _enqueue(ids, email=email, webhook=webhook))
    return notes


@contextmanager
def notifications_muted():
    """Record without telling: inside it, ``notification_send`` sends nothing.

    For history loaded after the fact (the demo company's past year of rounds, a backfill of
    last year's records): what happened months ago is nobody's to do today, and a flood of
    old news would bury the one message that is.
    """
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


def notification_mark_read(*, actor, notification: Notification) -> None:
    """The recipient opened it; only the first opening counts, nobody else's opening does."""
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


# --- the parts of a send ------------------------------------------------------------------


def _by_person(recipients: Iterable) -> dict[int, Recipient]:
    """One entry per person; a later ``Recipient`` for the same person replaces an earlier
    plain one. Users (not ids) that are inactive are dropped here without a query."""
    people: dict[int, Recipient] = {}
    for entry in recipients:
        if entry is None:
            continue
        one = entry if isinstance(entry, Recipient) else Recipient(user=entry)
        user = one.user
        if isinstance(user, models.Model):
            if not user.is_active:
                continue
            user_id = user.pk
        else:
            user_id = int(user)
        if user_id not in people or isinstance(entry, Recipient):
            people[user_id] = one
    return people


def _active(people: dict[int, Recipient]) -> dict[int, Recipient]:
    active = set(
        get_user_model()
        .objects.filter(pk__in=list(people), is_active=True)
        .values_list("pk", flat=True)
    )
    return {user_id: one for user_id, one in people.items() if user_id in active}


def _already_told(dedupe_key: str) -> set[int]:
    return set(
        Notification.objects.filter(dedupe_key=dedupe_key)
        .exclude(dedupe_key="")
        .values_list("recipient_id", flat=True)
    )


INSERT_TRIES = 5


def _insert(people: dict[int, Recipient], common: dict, dedupe_key: str) -> list[Notification]:
    """Bulk-insert the messages and their subjects; a message that another send created in the
    meantime (same key, same person) is left out, never duplicated. Each try is a savepoint,
    so a lost race leaves the caller's transaction usable; several sends racing (two workers
    and a person's click) each get another try with the people still untold."""
    for tries_left in range(INSERT_TRIES - 1, -1, -1):
        try:
            with transaction.atomic():
                return _insert_rows(people, common, dedupe_key)
        except IntegrityError:
            if not dedupe_key or not tries_left:
                raise
            for user_id in _already_told(dedupe_key):
                people.pop(user_id, None)
            if not people:
                return []
    return []  # not reached: the last try returns or raises


def _insert_rows(people: dict[int, Recipient], common: dict, dedupe_key: str):
    notes, subjects_of = [], []
    for user_id, one in sorted(people.items()):
        notes.append(
            Notification(
                recipient_id=user_id,
                actor=common["actor"],
                event=common["event"],
                dedupe_key=dedupe_key,
                level=_pick(one.level, common["level"]),
                title=str(_pick(one.title, common["title"]))[:TITLE_MAX],
                body=str(_pick(one.body, common["body"])),
                url=str(_pick(one.url, common["url"]))[:300],
                items=_pick(one.items, common["items"]),
            )
        )
        subjects_of.append([*common["subjects"], *one.subjects])
    Notification.objects.bulk_create(notes, batch_size=BATCH)  # SQLite and PostgreSQL set ids
    rows = [
        NotificationSubject(notification=note, kind=kind, object_id=object_id)
        for note, subjects in zip(notes, subjects_of, strict=True)
        for kind, object_id in map(_subject, subjects)
    ]
    NotificationSubject.objects.bulk_create(rows, batch_size=BATCH)
    return notes


def _pick(own, default):
    return default if own is None else own


def _subject(subject) -> tuple[str, int]:
    """A model instance, or ``(kind, id)`` with ``kind`` a model label such as
    ``tasks.assignment``."""
    if isinstance(subject, models.Model):
        return subject._meta.label_lower, subject.pk
    kind, object_id = subject
    return str(kind), int(object_id)


def _enqueue(ids: list[int], *, email: bool, webhook: bool) -> None:
    from .jobs import deliver_notifications

    deliver_notifications.enqueue(ids, email=email, webhook=webhook)
