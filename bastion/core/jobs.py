"""Background jobs for Excel imports: validate an upload (preview), then commit it.

Both run through Django's task API (django-tasks): inline under the test ImmediateBackend, in the
``db_worker`` process otherwise. Progress is written to the ``ImportJob`` row outside any
transaction so a polling page sees it; the importer itself writes everything in one transaction.

Each queued run has a number (``attempt``) and beats (``heartbeat_at``) as it progresses; a run
only writes to its job while it is the latest, so a retried job is never overwritten by a worker
that comes back late (``bastion.core.job_recovery`` notices silent runs and retries them). The
stored upload is deleted as soon as nothing needs it: when the file is refused, and once done.
"""

from __future__ import annotations

import logging
import os
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from .excel import get_importer
from .models import ImportJob
from .scope import has_permission_anywhere

logger = logging.getLogger(__name__)
PROGRESS_EVERY = 1000


def import_job_create(*, actor, kind: str, uploaded_file) -> ImportJob:
    """Store the upload as an ImportJob and queue its validation."""
    importer = get_importer(kind)
    if not has_permission_anywhere(actor, importer.permission):
        raise PermissionDenied(_("您没有导入权限。"))
    original = os.path.basename(getattr(uploaded_file, "name", "") or "upload")[:255]
    job = ImportJob(kind=kind, original_name=original, created_by=actor, queued_at=timezone.now())
    # The stored name is ours: the user's file name only survives in ``original_name``.
    suffix = os.path.splitext(original)[1].lower()[:10]
    job.file.save(f"{uuid.uuid4().hex}{suffix}", uploaded_file, save=False)
    job.save()
    validate_import_job.enqueue(job.pk, job.attempt)
    job.refresh_from_db()
    return job


def import_job_commit(*, actor, job: ImportJob) -> ImportJob:
    """Queue the write of a validated job; only its creator may, and only once."""
    if job.created_by_id != actor.pk:
        raise PermissionDenied(_("只能确认自己上传的导入任务。"))
    if not job.file:
        raise ValidationError(_("上传的文件已删除，请重新上传。"))
    queued = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.READY).update(
        status=ImportJob.Status.QUEUED, processed_rows=0, **next_run(ImportJob.Stage.COMMIT)
    )
    if not queued:
        raise ValidationError(_("该导入任务当前不能确认导入（可能已导入或仍在校验）。"))
    job.refresh_from_db()
    commit_import_job.enqueue(job.pk, job.attempt)
    job.refresh_from_db()
    return job


def next_run(stage: str) -> dict:
    """The fields that queue a new run of ``stage`` (its number one more than the last)."""
    return {
        "stage": stage,
        "attempt": F("attempt") + 1,
        "queued_at": timezone.now(),
        "heartbeat_at": None,
        "finished_at": None,
    }


@task()
def validate_import_job(job_id: int, attempt: int | None = None) -> str:
    if not _beat(job_id, attempt):
        return "superseded"
    return _run(job_id, dry_run=True)


@task()
def commit_import_job(job_id: int, attempt: int | None = None) -> str:
    if not _claim_commit(job_id, attempt):
        return "superseded"
    return _run(job_id, dry_run=False)


def _claim_commit(job_id: int, attempt: int | None) -> int:
    """Move the queued commit to running: only one run of it ever does, whichever worker
    picks it up twice (a queued run delivered again, two workers) — the import writes once."""
    rows = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED)
    if attempt is not None:
        rows = rows.filter(attempt=attempt)
    return rows.update(status=ImportJob.Status.RUNNING, heartbeat_at=timezone.now())


def _beat(job_id: int, attempt: int | None, **fields) -> int:
    """Show progress of run ``attempt`` (the latest run when None); 0 when that run is no
    longer the job's latest or no longer in progress (retried, or given up as dead)."""
    rows = ImportJob.objects.filter(pk=job_id, status__in=ImportJob.IN_PROGRESS)
    if attempt is not None:
        rows = rows.filter(attempt=attempt)
    return rows.update(heartbeat_at=timezone.now(), **fields)


def _run(job_id: int, *, dry_run: bool) -> str:
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)

    def progress(processed: int, total: int) -> None:
        _beat(job_id, job.attempt, processed_rows=processed, total_rows=total)

    try:
        importer = get_importer(job.kind)
        with job.file.open("rb") as handle:
            # Messages about the file name the user's own file, not our stored copy.
            upload = File(handle, name=job.original_name)
            # A commit is checked against the preview it confirms (nothing changed meanwhile).
            validated = {} if dry_run else _validated_state(job)
            result = importer.run(
                actor=job.created_by, file=upload, dry_run=dry_run, progress=progress, **validated
            )
    except Exception:
        logger.exception("import job %s failed", job_id)
        message = _("导入时发生系统错误，未写入任何数据；请稍后重试或联系管理员。")
        _finish(
            job,
            ImportJob.Status.FAILED,
            errors=[{"row": 0, "column": "", "message": message}],
        )
        return ImportJob.Status.FAILED
    if not result.ok:
        status = ImportJob.Status.INVALID
    else:
        status = ImportJob.Status.READY if dry_run else ImportJob.Status.DONE
    _finish(
        job,
        status,
        errors=result.errors,
        preview=result.preview,
        summary=result.summary(),
        total_rows=result.total_rows,
        processed_rows=result.total_rows,
    )
    return status


def _validated_state(job: ImportJob) -> dict:
    """The preview's fingerprint of the records it would update, for the commit to compare."""
    fingerprint = (job.summary or {}).get("fingerprint")
    return {"fingerprint": fingerprint} if fingerprint else {}


def _finish(job: ImportJob, status: str, **fields) -> None:
    """End this run (unless a later one replaced it); a refused file, or one fully imported,
    is no longer needed and is deleted (the page keeps the errors, preview and counts)."""
    now = timezone.now()
    if status in (ImportJob.Status.DONE, ImportJob.Status.FAILED):
        fields["finished_at"] = now
    ended = ImportJob.objects.filter(pk=job.pk, attempt=job.attempt).update(
        status=status, heartbeat_at=now, **fields
    )
    if ended and status in (ImportJob.Status.INVALID, ImportJob.Status.DONE):
        import_job_discard_file(job)


def import_job_discard_file(job: ImportJob) -> None:
    """Delete the stored upload of ``job`` (an uploaded roster holds ID numbers: keep it no
    longer than needed)."""
    name = job.file.name
    if not name:
        return
    ImportJob.objects.filter(pk=job.pk).update(file="")
    try:
        job.file.storage.delete(name)
    except OSError:  # already gone, or the storage refuses: the row no longer points at it
        logger.warning("could not delete the file of import job %s", job.pk, exc_info=True)
    job.file.name = ""
