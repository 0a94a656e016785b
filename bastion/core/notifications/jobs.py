"""Background delivery of event messages (django-tasks: inline under the test backend, in the
``db_worker`` process otherwise). Queued by ``services.notification_send`` after commit."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django_tasks import task

from .delivery import deliver_event


@task()
def deliver_notifications(ids: list[int], email: bool = True, webhook: bool = False) -> dict:
    """E-mail each of these messages and post the event once to the robot."""
    with translation.override(settings.LANGUAGE_CODE):
        return deliver_event(ids, email=email, webhook=webhook).as_dict()
