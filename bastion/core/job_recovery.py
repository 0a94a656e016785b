"""Background import jobs that recover: a run whose worker died is noticed, failed with a
Chinese message, and can be retried; stored uploads are not kept longer than needed.

A run beats (``ImportJob.heartbeat_at``) at its start, every few hundred rows and at its end
(``bastion.core.jobs``). It is given up as dead when:

- it started but has been silent for ``BASTION_JOB_STALE_MINUTES`` (a worker killed mid-run;
  the longest silent stretch of a healthy run, the commit's one transaction, takes well under a
  minute for the largest file allowed), or
- it was queued ``BASTION_JOB_QUEUE_MINUTES`` ago and no worker ever picked it up (no
  ``db_worker`` running, or a queue far behind).

This is checked whenever a job's status is read (``import_job_refresh``) and by the daily run
(``import_jobs_tidy``). Nothing was written by a dead run: the importer writes in one
transaction, which dies with its worker.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .jobs import commit_import_job, import_job_discard_file, next_run, validate_import_job
from .models import ImportJob

logger = logging.getLogger(__name__)


def _minutes(name: str) -> int:
    return int(getattr(settings, name))


def _message(text: str) -> list[dict]:
    return [{"row": 0, "column": "", "message": text}]


def silent_message(minutes: int) -> str:
    return _("后台任务中断（超过%(n)d分钟没有进展），未写入任何数据，请重试。") % {"n": minutes}


def unstarted_message(minutes: int) -> str:
    return _(
        "后台任务排队超过%(n)d分钟仍未开始（后台处理程序可能没有运行），未写入任何数据；"
        "请重试，如仍不开始请联系管理员。"
    ) % {"n": minutes}


def import_jobs_expire(*, now: dt.datetime | None = None, jobs=None) -> int:
    """Fail every run among ``jobs`` (all jobs by default) whose worker is given up as dead;
    how many were failed."""
    now = now or timezone.now()
    jobs = (ImportJob.objects.all() if jobs is None else jobs).filter(
        status__in=ImportJob.IN_PROGRESS
    )
    silent, unstarted = _minutes("BASTION_JOB_STALE_MINUTES"), _minutes("BASTION_JOB_QUEUE_MINUTES")
    failed = {"status": ImportJob.Status.FAILED, "finished_at": now}
    count = jobs.filter(heartbeat_at__lt=now - dt.timedelta(minutes=silent)).update(
        errors=_message(silent_message(silent)), **failed
    )
    queued_before = now - dt.timedelta(minutes=unstarted)
    never = jobs.filter(
        Q(queued_at__lt=queued_before) | Q(queued_at__isnull=True, created_at__lt=queued_before),
        heartbeat_at__isnull=True,
    )
    count += never.update(errors=_message(unstarted_message(unstarted)), **failed)
    if count:
        logger.warning("%d import job(s) given up: their worker stopped", count)
    return count


def import_job_refresh(job: ImportJob) -> ImportJob:
    """``job`` as it stands now, a dead run failed first: a status page never waits forever."""
    if job.in_progress and import_jobs_expire(jobs=ImportJob.objects.filter(pk=job.pk)):
        job.refresh_from_db()
    return job


def import_job_retry(*, actor, job: ImportJob) -> ImportJob:
    """Run the failed stage of ``job`` again from its stored file; only its creator may."""
    if job.created_by_id != actor.pk:
        raise PermissionDenied(_("只能重试自己上传的导入任务。"))
    if job.status != ImportJob.Status.FAILED:
        raise ValidationError(_("只有失败的导入任务可以重试。"))
    if not job.file:
        raise ValidationError(_("上传的文件已删除，无法重试；请重新上传。"))
    commit = job.stage == ImportJob.Stage.COMMIT
    status = ImportJob.Status.QUEUED if commit else ImportJob.Status.VALIDATING
    retried = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.FAILED).update(
        status=status, errors=[], processed_rows=0, **next_run(job.stage)
    )
    if not retried:  # someone (the same user in another tab) retried it first
        raise ValidationError(_("该导入任务已在重试。"))
    job.refresh_from_db()
    (commit_import_job if commit else validate_import_job).enqueue(job.pk, job.attempt)
    job.refresh_from_db()
    return job


def import_jobs_tidy(*, today: dt.date) -> dict:
    """The daily run: fail dead runs; delete the files that waited ``BASTION_IMPORT_KEEP_DAYS``
    for a confirmation or a retry that never came (the page keeps what was found)."""
    expired = import_jobs_expire()
    days = _minutes("BASTION_IMPORT_KEEP_DAYS")
    cutoff = timezone.now() - dt.timedelta(days=days)
    waiting = ImportJob.objects.exclude(file="").filter(
        Q(status=ImportJob.Status.READY) | Q(status=ImportJob.Status.FAILED),
        created_at__lt=cutoff,
    )
    message = _("预览超过%(n)d天未确认导入，上传的文件已删除；请重新上传。") % {"n": days}
    discarded = 0
    for job in waiting.only("pk", "file", "status"):
        if job.status == ImportJob.Status.READY:
            ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.READY).update(
                status=ImportJob.Status.FAILED, errors=_message(message), finished_at=timezone.now()
            )
        import_job_discard_file(job)
        discarded += 1
    return {"expired": expired, "files_deleted": discarded}
