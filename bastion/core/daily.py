"""The daily run's registry: what each module does once a day before the digest goes out.

An app declares its jobs on its AppConfig, without importing any other app::

    daily_jobs = ["bastion.problems.services.overdue.problems_overdue_handle"]  # (*, today) -> dict

``run_daily_jobs(today)`` (called by the agenda's ``daily_agenda`` job, before
``send_daily_digests``) runs them in the order of ``INSTALLED_APPS``. A job only sends the
messages that became due (each with a dedupe key, so a second run the same day sends nothing new)
and makes the moves the rules make (an overdue problem escalates); alert colours are computed from
dates when read, never stored by a job. One job failing is logged and reported; the others run.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.apps import apps
from django.conf import settings
from django.utils import translation
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


def daily_jobs() -> list[tuple[str, object]]:
    return [
        (dotted, import_string(dotted))
        for config in apps.get_app_configs()
        for dotted in getattr(config, "daily_jobs", ())
    ]


def run_daily_jobs(today: dt.date) -> dict[str, dict]:
    """``{job's dotted path: what it reported}``; a failed job reports ``{"error": …}``."""
    results: dict[str, dict] = {}
    with translation.override(settings.LANGUAGE_CODE):
        for dotted, job in daily_jobs():
            try:
                results[dotted] = job(today=today) or {}
            except Exception as error:  # one module's failure never stops the others
                logger.exception("daily job %s failed", dotted)
                results[dotted] = {"error": str(error)}
    return results
