"""Helpers every domain service uses: one transaction, the audit actor, bulk audit entries."""

from __future__ import annotations

import functools
import json

from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone


def service(func):
    """Run a service in one transaction with ``actor`` recorded on every audit entry."""

    @functools.wraps(func)
    def wrapper(*args, actor, **kwargs):
        with transaction.atomic(), set_actor(actor):
            return func(*args, actor=actor, **kwargs)

    return wrapper


def _jsonable(value):
    if value is None:
        return "None"
    return str(value)


def _additional_data(obj):
    """What auditlog's own entries hold for ``obj`` (its ``get_additional_data``), so an owner's
    history lists bulk-written rows too."""
    get_additional_data = getattr(obj, "get_additional_data", None)
    return get_additional_data() if callable(get_additional_data) else None


def audit_bulk(*, actor, model, changes_by_object: list[tuple[object, dict, int]]) -> None:
    """Write audit entries for rows written by bulk_create / bulk_update (signals do not fire).

    ``changes_by_object`` holds ``(obj, {field: [before, after]}, action)`` with action one of
    ``LogEntry.Action.CREATE`` / ``UPDATE``.
    """
    content_type = ContentType.objects.get_for_model(model)
    now = timezone.now()
    entries = [
        LogEntry(
            content_type=content_type,
            object_pk=str(obj.pk),
            object_id=obj.pk,
            object_repr=str(obj)[:255],
            action=action,
            changes={k: [_jsonable(a), _jsonable(b)] for k, (a, b) in changes.items()},
            changes_text=json.dumps(changes, ensure_ascii=False, default=str)[:1000],
            actor=actor,
            timestamp=now,
            additional_data=_additional_data(obj),
        )
        for obj, changes, action in changes_by_object
    ]
    LogEntry.objects.bulk_create(entries, batch_size=2000)
