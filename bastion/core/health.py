"""Probes for monitors, load balancers and deploy scripts; no sign-in, nothing secret in them.

- ``/healthz`` (liveness): the process answers requests. It asks no database, so a database
  outage does not make a supervisor restart every app server.
- ``/readyz`` (readiness): this server can do real work: the database answers, every migration
  of this release is applied, and a background worker beat within BASTION_READY_WORKER_MAX_AGE
  seconds (0: workers not asked). 200 when all hold, 503 with the failing checks named otherwise.

The answers name checks and states only, never hosts, errors or migration names.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from .heartbeat import latest_heartbeat

logger = logging.getLogger(__name__)

OK = "ok"
# Loading the migration graph reads every migration file: done until it says "all applied",
# then never again in this process (a release's code does not gain migrations while running).
_migrations_applied = False


@never_cache
def healthz(request):
    return JsonResponse({"status": OK})


def database_state() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.warning("readiness: database unreachable", exc_info=True)
        return "unreachable"
    return OK


def migrations_state() -> str:
    global _migrations_applied
    if _migrations_applied:
        return OK
    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError:
        logger.warning("readiness: migrations not readable", exc_info=True)
        return "unknown"
    if plan:
        return "pending"
    _migrations_applied = True
    return OK


def worker_state() -> str:
    max_age = settings.BASTION_READY_WORKER_MAX_AGE
    if not max_age:
        return "not_checked"
    try:
        latest = latest_heartbeat()
    except DatabaseError:
        logger.warning("readiness: heartbeats not readable", exc_info=True)
        return "unknown"
    if latest is None:
        return "none"
    if timezone.now() - latest > dt.timedelta(seconds=max_age):
        return "stale"
    return OK


@never_cache
def readyz(request):
    checks = {"database": database_state()}
    if checks["database"] == OK:
        checks["migrations"] = migrations_state()
        checks["worker"] = worker_state()
    ready = all(state in {OK, "not_checked"} for state in checks.values())
    return JsonResponse(
        {"status": "ready" if ready else "unready", "checks": checks},
        status=200 if ready else 503,
    )
