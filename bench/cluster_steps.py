"""The steps of load_50 that run inside Django (``python bench/cluster.py _<step> out.json …``),
on the scratch database the environment names (bench/cluster.py starts them)."""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bastion.settings_bench")
django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db.models import Count, F, Value  # noqa: E402
from django.db.models.functions import Concat  # noqa: E402
from django.urls import reverse  # noqa: E402

from bench.dataset import BENCH_PASSWORD, BENCH_USERNAME, REFERENCE_DAY  # noqa: E402
from bench.dataset_db import read_meta  # noqa: E402

NOTES_TO_READ = 2
IMPORT_PEOPLE = 500
OVERDUE_TODAY = 300  # a roster of this many people: validated, then committed, by the workers


def migrate() -> dict:
    """The dataset was built by an older checkout, perhaps: bring its schema up to date."""
    from django.apps import apps
    from django.core.management.color import no_style
    from django.db import connection

    call_command("migrate", interactive=False, verbosity=0)
    # The dataset went in by bulk insert with its own ids: every table's id sequence must start
    # after them, or the load's first new problem collides with problem 1.
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), apps.get_models()):
            cursor.execute(sql)
    return {}


def prepare(tmp: str) -> dict:
    """Session, ids and URLs for the mix; messages for the writes to mark read; the roster."""
    from django.test import Client

    from bastion.core.notifications.models import Notification
    from bastion.core.notifications.services import notification_send
    from bastion.orgs.importers import export_people_xlsx
    from bastion.orgs.models import Organization, Person

    m = read_meta()["manifest"]
    user = get_user_model().objects.get(username=BENCH_USERNAME)
    settled = _a_normal_day()
    # Everyone gets mail (the generated accounts have no address): each message e-mailed is
    # then counted at the SMTP sink, and "sent once" is checked for every one of them.
    addressed = (
        get_user_model()
        .objects.filter(email="")
        .update(email=Concat(F("username"), Value("@bench.invalid")))
    )
    client = Client()
    client.force_login(user)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    notes = notification_send(
        actor=None,
        recipients=[user],
        event="bench.load",
        title="load_50",
        dedupe_key=f"bench.load:{time.time_ns()}",
        channels=(),
    )
    for n in range(NOTES_TO_READ - len(notes)):
        notification_send(actor=None, recipients=[user], event="bench.load", title=f"load_50 {n}")
    note_ids = list(
        Notification.objects.filter(recipient=user, event="bench.load").values_list("pk", flat=True)
    )
    county = Organization.objects.get(pk=m["county_id"])
    roster = Path(tmp) / "roster.xlsx"
    people = Person.objects.filter(organization__path__startswith=county.path).order_by("pk")
    first = list(people.values_list("pk", flat=True)[:IMPORT_PEOPLE])
    roster.write_bytes(export_people_xlsx(Person.objects.filter(pk__in=first), actor=user))
    return {
        "username": BENCH_USERNAME,
        "password": BENCH_PASSWORD,
        "cookie": cookie,
        "day": REFERENCE_DAY.isoformat(),
        "overdue_moved_ahead": settled,
        "addressed": addressed,
        "county_id": m["county_id"],
        "quarter": m.get("bulletin_quarter"),
        "roster": str(roster),
        "static_root": str(settings.STATIC_ROOT),
        "media_probe": f"{settings.MEDIA_URL}problems/bulletins/1/bulletin.docx",
        "notification_ids": note_ids[:NOTES_TO_READ],
        "pages": [
            ("home", reverse("home")),
            ("inbox", reverse("inbox")),
            ("person_detail", reverse("orgs:person_detail", args=[m["person_id"]])),
            ("people_county", f"{reverse('orgs:person_list')}?within={m['county_id']}"),
            ("problem_list_county", f"{reverse('problems:problem_list')}?within={m['county_id']}"),
            ("board_county", f"{reverse('agenda:board')}?org={m['county_id']}"),
            ("org_tree", reverse("orgs:tree")),
            ("annual_map", f"{reverse('agenda:annual_map')}?org={m['station_id']}"),
        ],
        "api_reads": [
            ("api_notifications", "/api/v1/notifications/?unread=1"),
            ("api_problems_county", f"/api/v1/problems/?within={m['county_id']}"),
        ],
        "problem": {
            "description": "压测录入：班前会安全交底记录不全",
            "organization": m["station_id"],
            "category": "safety",
            "tier": 1,
            "found_on": REFERENCE_DAY.isoformat(),
            "responsible_org": m["station_id"],
            "deadline": (REFERENCE_DAY + dt.timedelta(days=30)).isoformat(),
        },
    }


def _a_normal_day() -> int:
    """The generated dataset has 13,000 overdue problems that no daily run ever handled (a live
    site escalates and tells them as each deadline passes). Leave ``OVERDUE_TODAY`` of them
    overdue, a busy day's worth, and move the others' deadlines a month ahead; how many moved."""
    from bastion.problems.models import Problem
    from bastion.problems.services.overdue import NOT_RECTIFIED

    overdue = Problem.objects.filter(state__in=NOT_RECTIFIED, deadline__lt=REFERENCE_DAY)
    keep = list(overdue.order_by("pk").values_list("pk", flat=True)[:OVERDUE_TODAY])
    ahead = REFERENCE_DAY + dt.timedelta(days=30)
    return overdue.exclude(pk__in=keep).update(deadline=ahead)


def jobs(data_json: str) -> dict:
    """A person's import (upload → validated by a worker → confirmed → committed by a worker)
    and a bulletin request, queued while the load runs."""
    from django.core.files import File

    from bastion.core.jobs import import_job_commit, import_job_create
    from bastion.core.models import ImportJob
    from bastion.orgs.models import Organization
    from bastion.problems.services.bulletins import bulletin_request

    data = json.loads(data_json)
    user = get_user_model().objects.get(username=BENCH_USERNAME)
    bulletin = bulletin_request(
        actor=user,
        organization=Organization.objects.get(pk=data["county_id"]),
        quarter=data["quarter"],
    )
    with open(data["roster"], "rb") as handle:
        job = import_job_create(
            actor=user, kind="people", uploaded_file=File(handle, name="名册.xlsx")
        )
    job = _wait(job, {ImportJob.Status.VALIDATING})
    if job.status == ImportJob.Status.READY:
        job = _wait(import_job_commit(actor=user, job=job), set(ImportJob.IN_PROGRESS))
    return {"import_job": job.pk, "import_status": job.status, "bulletin": bulletin.pk}


def _wait(job, while_in: set, timeout: float = 600):
    deadline = time.monotonic() + timeout
    while job.status in while_in and time.monotonic() < deadline:
        time.sleep(0.5)
        job.refresh_from_db()
    return job


def drain(timeout: str) -> dict:
    """Wait (at most ``timeout`` seconds) until the workers have run every queued job."""
    from django_tasks_db.models import DBTaskResult

    started = time.monotonic()
    pending = DBTaskResult.objects.filter(status__in=["READY", "RUNNING"])
    while pending.exists() and time.monotonic() < started + float(timeout):
        time.sleep(1)
    # drained False: what follows was counted before the queue was empty
    return {"drained": not pending.exists(), "drain_seconds": round(time.monotonic() - started)}


def check(sinks_json: str) -> dict:
    """Which jobs ran, by how many workers, and what went out twice."""
    from django_tasks_db.models import DBTaskResult

    sinks = json.loads(sinks_json)
    tasks = _tasks(DBTaskResult)
    delivered, detail = _deliveries(sinks)
    detail.update(_keyed_duplicates())
    detail["tasks_run_by_more_than_one_worker"] = tasks.pop("run_twice")
    detail["escalated_twice"] = _escalated_twice()
    duplicates = sum(value if isinstance(value, int) else len(value) for value in detail.values())
    return {
        "jobs": tasks,
        "delivered": delivered,
        "duplicates": duplicates,
        "duplicate_detail": detail,
    }


def _tasks(DBTaskResult) -> dict:  # noqa: N803 - a model class
    from bastion.core.models import ImportJob
    from bastion.problems.models import Bulletin

    by_path: dict[str, dict] = {}
    run_twice = 0
    for row in DBTaskResult.objects.order_by("enqueued_at"):
        name = row.task_path.rsplit(".", 1)[-1]
        entry = by_path.setdefault(name, {"queued": 0})
        entry["queued"] += 1
        entry[row.status.lower()] = entry.get(row.status.lower(), 0) + 1
        run_twice += len(row.worker_ids) > 1
        if row.status == "FAILED":
            entry.setdefault("errors", []).append(row.exception_class_path)
        if name == "daily_agenda" and row.status == "SUCCESSFUL":
            entry.setdefault("digests_created_per_run", []).append(
                row.return_value["digests"]["created"]
            )
    by_path["run_twice"] = run_twice
    by_path["import_jobs"] = dict(ImportJob.objects.values_list("status").annotate(n=Count("pk")))
    by_path["bulletins"] = dict(Bulletin.objects.values_list("status").annotate(n=Count("pk")))
    return by_path


def _deliveries(sinks: dict) -> tuple[dict, dict]:
    """E-mails and robot posts received against those the database says were sent: each
    stamp is one send, so anything received beyond the stamps went out twice."""
    from bastion.core.notifications.models import Notification

    notes = Notification.objects.all()
    emailed = notes.filter(emailed_at__isnull=False).count()
    digests_posted = notes.filter(digest_on__isnull=False, webhook_at__isnull=False).count()
    # An event's messages share the stamp of their one robot post.
    events_posted = (
        notes.filter(digest_on__isnull=True, webhook_at__isnull=False)
        .values("webhook_at")
        .distinct()
        .count()
    )
    mail, robot = sinks["mail"], sinks["robot"]
    delivered = {
        "messages": notes.count(),
        "digests": notes.filter(digest_on__isnull=False).count(),
        "emails_sent": emailed,
        "emails_received": mail["received"],
        "robot_posts_sent": digests_posted + events_posted,
        "robot_posts_received": robot["received"],
    }
    detail = {
        "emails_beyond_sent": max(0, mail["received"] - emailed),
        "robot_posts_beyond_sent": max(0, robot["received"] - digests_posted - events_posted),
    }
    return delivered, detail


def _keyed_duplicates() -> dict:
    """The database's own guarantees, checked anyway: one message per key and person, one
    digest per person and day."""
    from bastion.core.notifications.models import Notification

    keyed = (
        Notification.objects.exclude(dedupe_key="")
        .values("recipient_id", "dedupe_key")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count()
    )
    digests = (
        Notification.objects.filter(digest_on__isnull=False)
        .values("recipient_id", "digest_on")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count()
    )
    return {"messages_per_key_and_person": keyed, "digests_per_person_and_day": digests}


def _escalated_twice() -> int:
    """An overdue problem's escalation (one history line per deadline) recorded twice."""
    from bastion.problems.models import ProblemEvent

    return (
        ProblemEvent.objects.filter(reason__startswith="逾期", from_state=F("to_state"))
        .values("problem_id", "reason")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count()
    )
