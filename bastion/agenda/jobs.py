"""Background jobs of the agenda (django-tasks): the daily run that cron starts.

``daily_agenda`` makes sure the year's obligations exist (and next year's from December 1, so
January's green notices can start in December), runs every module's daily jobs (the kernel's
registry ``bastion.core.daily``: the agenda's term and dues alarms, overdue problems, closing
scoring windows …), then sends the day's digests. Alert colours are never stored by a job: they
are computed from the dates when read.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import task

from bastion.core.daily import run_daily_jobs
from bastion.core.notifications.digest import send_daily_digests

from .services.obligations import generate_year

NEXT_YEAR_FROM_MONTH = 12


def years_to_generate(today: dt.date) -> list[int]:
    if today.month >= NEXT_YEAR_FROM_MONTH:
        return [today.year, today.year + 1]
    return [today.year]


@task()
def daily_agenda(today_iso: str | None = None) -> dict:
    today = dt.date.fromisoformat(today_iso) if today_iso else timezone.localdate()
    generated = {}
    for year in years_to_generate(today):
        result = generate_year(year)
        generated[str(year)] = {"created": result.created, "fulfilled": result.fulfilled}
    jobs = run_daily_jobs(today)
    return {"generated": generated, "jobs": jobs, "digests": send_daily_digests(today).as_dict()}
