"""Reading the inbox: a person's own messages, the unread count, and read receipts.

Every message reaches only its recipient: ``inbox(user)`` is the one queryset pages and the API
start from (someone else's message is 404).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import BooleanField, Count, ExpressionWrapper, Max, Min, Q

from .models import Notification, NotificationSubject


def inbox(user):
    """``user``'s own messages, unread first, newest first."""
    if user is None or not user.is_authenticated:
        return Notification.objects.none()
    return (
        Notification.objects.filter(recipient=user)
        .alias(unread=ExpressionWrapper(Q(read_at__isnull=True), output_field=BooleanField()))
        .order_by("-unread", "-created_at", "-id")
    )


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


@dataclass(frozen=True)
class Receipt:
    """Who was told about one object, and who has read it."""

    told: int
    read: int
    first_read_at: object = None
    last_read_at: object = None

    @property
    def all_read(self) -> bool:
        return self.told > 0 and self.read == self.told


def receipts(*, event: str, kind: str, object_ids) -> dict[int, Receipt]:
    """Per object id (of model label ``kind``): the messages of ``event`` about it and how many
    were read. One query for any number of objects; objects nobody was told of are absent."""
    rows = (
        NotificationSubject.objects.filter(
            kind=kind, object_id__in=list(object_ids), notification__event=event
        )
        .values("object_id")
        .annotate(
            told=Count("notification__recipient", distinct=True),
            read=Count(
                "notification__recipient",
                filter=Q(notification__read_at__isnull=False),
                distinct=True,
            ),
            first_read_at=Min("notification__read_at"),
            last_read_at=Max("notification__read_at"),
        )
        .order_by()
    )
    return {
        row["object_id"]: Receipt(
            told=row["told"],
            read=row["read"],
            first_read_at=row["first_read_at"],
            last_read_at=row["last_read_at"],
        )
        for row in rows
    }
