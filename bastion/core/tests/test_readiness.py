"""/healthz is liveness (no database); /readyz is readiness: database, migrations, a worker's beat.

Each failing condition answers 503 and names the check, and nothing else (no host, no error)."""

import datetime as dt
import os
import socket

import pytest
from django.core.management import call_command
from django.db import OperationalError, connection
from django.db.migrations.recorder import MigrationRecorder
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bastion.core import health
from bastion.core.heartbeat import WorkerHeartbeat, heartbeat_record

pytestmark = pytest.mark.django_db

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture(autouse=True)
def migrations_not_yet_known(monkeypatch):
    """Each test starts as a fresh process would: nothing cached about migrations."""
    monkeypatch.setattr(health, "_migrations_applied", False)


def beat(seconds_ago: float, *, host="app1", pid=100):
    row = heartbeat_record(
        hostname=host, pid=pid, worker_id="w", queues="default", started_at=timezone.now()
    )
    WorkerHeartbeat.objects.filter(pk=row.pk).update(
        beat_at=timezone.now() - dt.timedelta(seconds=seconds_ago)
    )


def test_ready_when_database_migrations_and_a_recent_worker_hold(client):
    beat(5)
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "checks": {"database": "ok", "migrations": "ok", "worker": "ok"},
    }
    assert "no-cache" in response["Cache-Control"]


def test_unready_without_any_worker(client):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["worker"] == "none"


@override_settings(BASTION_READY_WORKER_MAX_AGE=60)
def test_unready_when_the_last_beat_is_older_than_the_max_age(client):
    beat(61)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unready",
        "checks": {"database": "ok", "migrations": "ok", "worker": "stale"},
    }
    beat(1, host="app2")  # a second machine's worker is alive: the service is ready
    assert client.get("/readyz").status_code == 200


@override_settings(BASTION_READY_WORKER_MAX_AGE=0)
def test_a_max_age_of_zero_does_not_ask_about_workers(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"]["worker"] == "not_checked"


def test_unready_while_a_migration_is_not_applied(client):
    beat(1)
    MigrationRecorder(connection).record_unapplied("core", "0006_worker_heartbeat")
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["migrations"] == "pending"
    assert "0006" not in response.content.decode()  # states only, no migration names


def test_all_applied_is_remembered_so_later_probes_skip_the_migration_graph(client, monkeypatch):
    beat(1)
    assert client.get("/readyz").status_code == 200

    def graph_loaded(*args, **kwargs):
        raise AssertionError("the migration graph was loaded again")

    monkeypatch.setattr(health, "MigrationExecutor", graph_loaded)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/readyz").status_code == 200
    assert len(ctx.captured_queries) == 2  # SELECT 1 and the newest heartbeat


def test_unready_when_the_database_does_not_answer(client, monkeypatch):
    def refused(*args, **kwargs):
        raise OperationalError("connection to server at 10.0.0.5 refused")

    monkeypatch.setattr(connection, "cursor", refused)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "unready", "checks": {"database": "unreachable"}}
    assert "10.0.0.5" not in response.content.decode()


def test_healthz_answers_while_the_database_is_down(client, monkeypatch):
    def refused(*args, **kwargs):
        raise OperationalError("down")

    monkeypatch.setattr(connection, "cursor", refused)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


# --- manage.py worker: db_worker with a heartbeat --------------------------------------------


# db_worker closes connections between polls, as a request does: outside a test transaction.
@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DB_TASKS)
def test_worker_beats_while_running_and_removes_its_row_when_it_stops(monkeypatch):
    seen = []
    original = WorkerHeartbeat.objects.update_or_create

    def record(**kwargs):
        seen.append((kwargs["hostname"], kwargs["pid"]))
        return original(**kwargs)

    monkeypatch.setattr(WorkerHeartbeat.objects, "update_or_create", record)
    call_command("worker", "--batch", "--no-startup-delay", "--no-reload", "--verbosity", "0")
    assert seen[0] == (socket.gethostname(), os.getpid())
    assert not WorkerHeartbeat.objects.exists()  # a clean stop takes the row with it


@override_settings(TASKS=DB_TASKS, BASTION_WORKER_HEARTBEAT_KEEP_SECONDS=3600)
def test_a_beat_prunes_workers_silent_longer_than_the_keep_time():
    beat(3601, host="gone")
    beat(3599, host="recent")
    beat(0, host="here")
    assert set(WorkerHeartbeat.objects.values_list("hostname", flat=True)) == {"recent", "here"}


def test_one_row_per_host_and_process():
    beat(10, host="app1", pid=1)
    beat(0, host="app1", pid=1)
    beat(0, host="app2", pid=1)
    beat(0, host="app1", pid=2)
    assert WorkerHeartbeat.objects.count() == 3


@override_settings(TASKS=DB_TASKS)
def test_worker_keeps_db_workers_arguments():
    from bastion.core.management.commands.worker import Command

    parser = Command().create_parser("manage.py", "worker")
    options = vars(parser.parse_args(["--queue-name", "default", "--max-tasks", "3"]))
    for name in ("queue_name", "interval", "batch", "max_tasks", "worker_id", "reload"):
        assert name in options
    assert options["heartbeat_seconds"] is None


def test_the_heartbeat_thread_beats_every_interval_until_stopped(monkeypatch):
    """The beat comes from a thread, so a worker busy with a long job still beats."""
    import threading

    from bastion.core.management.commands import worker

    beats, forgotten = [], []
    two = threading.Event()

    def record(**fields):
        beats.append(fields)
        if len(beats) >= 2:
            two.set()

    monkeypatch.setattr(worker, "heartbeat_record", record)
    monkeypatch.setattr(worker, "heartbeat_forget", lambda **identity: forgotten.append(identity))
    monkeypatch.setattr(worker.connections, "close_all", lambda: None)
    heartbeat = worker.Heartbeat(interval=0.01, worker_id="w1", queues="default")
    heartbeat.start()
    assert two.wait(timeout=10)
    heartbeat.stop()
    assert not heartbeat.is_alive()
    assert forgotten == [{"hostname": socket.gethostname(), "pid": os.getpid()}]
    assert {b["worker_id"] for b in beats} == {"w1"}


def test_a_database_hiccup_does_not_stop_the_heartbeat(monkeypatch):
    from bastion.core.management.commands import worker

    def refused(**fields):
        raise OperationalError("server closed the connection")

    monkeypatch.setattr(worker, "heartbeat_record", refused)
    worker.Heartbeat(interval=1, worker_id="w", queues="default").beat()  # logged, not raised
