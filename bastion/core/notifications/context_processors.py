"""``unread_notifications`` for the bell in the top bar: one COUNT query, only if a template
reads it, and none for anonymous visitors. Listed in ``TEMPLATES[...]["OPTIONS"]
["context_processors"]`` as ``bastion.core.notifications.context_processors.inbox``."""

from django.utils.functional import SimpleLazyObject

from .selectors import unread_count


def inbox(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(user))}
