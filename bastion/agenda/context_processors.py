"""``unread_notifications`` for the bell in the top bar: one COUNT query, only if a template
reads it, and none for anonymous visitors. Add ``bastion.agenda.context_processors.inbox`` to
``TEMPLATES[...]["OPTIONS"]["context_processors"]``."""

from django.utils.functional import SimpleLazyObject


def inbox(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def unread() -> int:
        from .models import Notification

        return Notification.objects.filter(recipient=user, read_at__isnull=True).count()

    return {"unread_notifications": SimpleLazyObject(unread)}
