"""The daily digest: one message per person and day listing what every module has for them.

The registry. Any app adds a section without importing another app, by declaring on its
AppConfig::

    digest_sources = ["bastion.tasks.digest.items"]          # (user, today) -> list[section]
    digest_recipients = ["bastion.agenda.services.notify_digest.digest_recipients"]
                                                              # () -> queryset of users

A source returns the sections it has for one person (``[]`` for nothing). A section is
``{"group", "title", "count_text", "level", "total", "lines", "more"}`` and may add
``"summary"``, its phrase in the digest's one-line body (default: ``title count_text``); a line
is ``{"level", "org", "text", "date", "note", "url"}``. Sources run in the order of
``INSTALLED_APPS``. The people who get a digest are the union of every app's
``digest_recipients`` (active accounts only); someone with nothing in any section gets none.

``send_daily_digests(today)`` is run once a day (the agenda's ``daily_agenda`` job). It creates
at most one digest per person and day (the database enforces it), then delivers every digest of
the day that still has a channel to go: a second run the same day creates nothing and sends
nothing again, but retries a channel that failed.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from .delivery import Delivery, deliver_each
from .models import Notification, NotificationLevel

logger = logging.getLogger(__name__)

EVENT = "core.digest"
SEVERITY = ("red", "yellow", "green")  # worst first


def max_lines(default: int = 20) -> int:
    """How many lines one section lists (``BASTION_DIGEST_MAX_LINES``); the rest is counted."""
    return max(1, int(getattr(settings, "BASTION_DIGEST_MAX_LINES", default)))


def section(*, group: str, title: str, level: str, total: int, lines: list[dict]) -> dict:
    """A digest section in the registry's shape: ``total`` items, the first ``lines`` listed."""
    return {
        "group": group,
        "title": title,
        "count_text": _("%(n)s 项") % {"n": total},
        "level": level,
        "total": total,
        "lines": lines,
        "more": total - len(lines),
    }


def deadline_note(deadline: dt.date, today: dt.date, *, due_today: str) -> str:
    """已逾期 N 天 after the deadline, ``due_today`` (今天截止, 今天到期) on it,
    还剩 N 天 before."""
    if today > deadline:
        return _("已逾期 %(days)s 天") % {"days": (today - deadline).days}
    left = (deadline - today).days
    return due_today if left == 0 else _("还剩 %(days)s 天") % {"days": left}


@dataclass
class DigestRun(Delivery):
    """What one run did; returned by the job (JSON) and printed by the command."""

    day: str = ""
    created: int = 0


def digest_sources() -> list:
    return [
        import_string(dotted)
        for config in apps.get_app_configs()
        for dotted in getattr(config, "digest_sources", ())
    ]


def digest_recipients():
    """Active users some app wants a digest for (ordered by id)."""
    queries = [
        Q(pk__in=import_string(dotted)().values("pk"))
        for config in apps.get_app_configs()
        for dotted in getattr(config, "digest_recipients", ())
    ]
    users = get_user_model().objects.filter(is_active=True)
    if not queries:
        return users.none()
    return users.filter(reduce(or_, queries)).order_by("pk")


def build_digest(user, today: dt.date) -> list[dict]:
    """The sections of ``user``'s digest for ``today``; an empty list when there is nothing."""
    sections: list[dict] = []
    for source in digest_sources():
        sections.extend(source(user, today))
    return sections


def digest_summary(sections: list[dict]) -> tuple[str, str]:
    """The digest's colour (its worst section) and its one-line body."""
    levels = {section.get("level") for section in sections}
    level = next((level for level in SEVERITY if level in levels), NotificationLevel.INFO)
    parts = [
        section.get("summary") or f"{section['title']} {section.get('count_text', '')}".strip()
        for section in sections
    ]
    return level, _("，").join(parts)


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
                event=EVENT,
                level=level,
                title=_("每日工作提醒（%(day)s）") % {"day": today.isoformat()},
                body=body,
                items=sections,
                digest_on=today,
            )
    except IntegrityError:  # another run made it first
        return None


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
        deliver_each(Notification.objects.filter(digest_on=today), run)
    return run
