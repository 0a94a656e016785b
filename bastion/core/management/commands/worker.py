"""``manage.py worker``: django_tasks_db's ``db_worker`` that also writes a heartbeat.

Same arguments as ``db_worker`` (``--queue-name``, ``--interval``, ``--batch``, ``--max-tasks``,
``--worker-id``, ``--reload``…) plus ``--heartbeat-seconds``. Run one or more on any number of
machines (deploy/systemd/bastion-worker.service): the database hands each job to one of them.

The beat comes from a thread, not from the polling loop, so that a worker busy with a long import
still counts as alive for /readyz; a worker whose process died stops beating and its row ages.
"""

from __future__ import annotations

import logging
import os
import socket
import threading

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connections
from django.utils import timezone
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand
from django_tasks_db.management.commands.db_worker import valid_interval

from bastion.core.heartbeat import heartbeat_forget, heartbeat_record

logger = logging.getLogger(__name__)


class Heartbeat(threading.Thread):
    """Writes this process's row every ``interval`` seconds until stopped."""

    def __init__(self, *, interval: float, worker_id: str, queues: str):
        super().__init__(name="bastion-worker-heartbeat", daemon=True)
        self.interval = interval
        self.identity = {"hostname": socket.gethostname(), "pid": os.getpid()}
        self.fields = {"worker_id": worker_id, "queues": queues, "started_at": timezone.now()}
        self.stopped = threading.Event()

    def write(self) -> None:
        heartbeat_record(**self.identity, **self.fields)

    def beat(self) -> None:
        close_old_connections()  # a connection the database dropped is reopened, not reused
        try:
            self.write()
        except DatabaseError:
            # The database may be away for a moment (failover, restart): try at the next beat.
            logger.warning("worker heartbeat not written", exc_info=True)

    def run(self) -> None:
        try:
            while not self.stopped.wait(self.interval):
                self.beat()
        finally:
            connections.close_all()  # this thread's own connection

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=10)
        try:
            heartbeat_forget(**self.identity)
        except DatabaseError:
            logger.warning("worker heartbeat not removed", exc_info=True)


class Command(DbWorkerCommand):
    help = "运行后台任务进程（db_worker），并定时写入心跳供就绪检查 /readyz 使用"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--heartbeat-seconds",
            type=valid_interval,
            default=None,
            help="Seconds between heartbeats (default: BASTION_WORKER_HEARTBEAT_SECONDS)",
        )

    def handle(self, *args, **options):
        interval = options.pop("heartbeat_seconds", None)
        if interval is None:
            interval = settings.BASTION_WORKER_HEARTBEAT_SECONDS
        # With --reload the first process only watches files and restarts a child that runs
        # the jobs (and beats); the watcher itself does no work worth reporting.
        watcher_only = (
            options.get("reload")
            and not options.get("batch")
            and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true"
        )
        if watcher_only or not interval:
            return super().handle(*args, **options)
        heartbeat = Heartbeat(
            interval=interval, worker_id=options["worker_id"], queues=options["queue_name"]
        )
        heartbeat.write()  # at once: a worker that cannot reach the database fails here, loudly
        heartbeat.start()
        try:
            return super().handle(*args, **options)
        finally:
            heartbeat.stop()
