"""Worker heartbeats: each ``manage.py worker`` process says it is alive every few seconds.

One row per (host name, process id), so workers on several machines each keep their own row.
The readiness probe (bastion.core.health) asks for one row younger than
BASTION_READY_WORKER_MAX_AGE; rows of workers silent longer than
BASTION_WORKER_HEARTBEAT_KEEP_SECONDS are deleted by the next beat of any worker.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class WorkerHeartbeat(models.Model):
    hostname = models.CharField(_("主机"), max_length=255)
    pid = models.PositiveIntegerField(_("进程号"))
    worker_id = models.CharField(_("工作进程标识"), max_length=64)
    queues = models.CharField(_("队列"), max_length=255, blank=True)
    started_at = models.DateTimeField(_("启动时间"))
    beat_at = models.DateTimeField(_("最近心跳"), db_index=True)

    class Meta:
        verbose_name = _("后台任务进程心跳")
        verbose_name_plural = _("后台任务进程心跳")
        constraints = [
            models.UniqueConstraint(fields=["hostname", "pid"], name="core_heartbeat_host_pid")
        ]

    def __str__(self):
        return f"{self.hostname}:{self.pid}"


def heartbeat_record(
    *, hostname: str, pid: int, worker_id: str, queues: str, started_at: dt.datetime
) -> WorkerHeartbeat:
    """Write this process's beat and delete the rows of workers long gone."""
    now = timezone.now()
    row, _created = WorkerHeartbeat.objects.update_or_create(
        hostname=hostname[:255],
        pid=pid,
        defaults={
            "worker_id": worker_id[:64],
            "queues": queues[:255],
            "started_at": started_at,
            "beat_at": now,
        },
    )
    keep = dt.timedelta(seconds=settings.BASTION_WORKER_HEARTBEAT_KEEP_SECONDS)
    WorkerHeartbeat.objects.filter(beat_at__lt=now - keep).delete()
    return row


def heartbeat_forget(*, hostname: str, pid: int) -> None:
    """A worker that stops cleanly takes its row with it."""
    WorkerHeartbeat.objects.filter(hostname=hostname[:255], pid=pid).delete()


def latest_heartbeat() -> dt.datetime | None:
    return WorkerHeartbeat.objects.aggregate(latest=models.Max("beat_at"))["latest"]
