"""Background jobs for Excel imports: validate an upload (preview), then commit it.

Both run through Django's task API (django-tasks): inline under the test ImmediateBackend, in the
``db_worker`` process otherwise. Progress is written to the ``ImportJob`` row outside any
transaction so a polling page sees it; the importer itself writes everything in one transaction.
"""

from __future__ import annotations

import logging
import os
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
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
    job = ImportJob(kind=kind, original_name=original, created_by=actor)
    # The stored name is ours: the user's file name only survives in ``original_name``.
    suffix = os.path.splitext(original)[1].lower()[:10]
    job.file.save(f"{uuid.uuid4().hex}{suffix}", uploaded_file, save=False)
    job.save()
    validate_import_job.enqueue(job.pk)
    job.refresh_from_db()
    return job


def import_job_commit(*, actor, job: ImportJob) -> ImportJob:
    """Queue the write of a validated job; only its creator may, and only once."""
    if job.created_by_id != actor.pk:
        raise PermissionDenied(_("只能确认自己上传的导入任务。"))
    queued = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.READY).update(
        status=ImportJob.Status.QUEUED, processed_rows=0
    )
    if not queued:
        raise ValidationError(_("该导入任务当前不能确认导入（可能已导入或仍在校验）。"))
    commit_import_job.enqueue(job.pk)
    job.refresh_from_db()
    return job


@task()
def validate_import_job(job_id: int) -> str:
    return _run(job_id, dry_run=True)


@task()
def commit_import_job(job_id: int) -> str:
    ImportJob.objects.filter(pk=job_id).update(status=ImportJob.Status.RUNNING)
    return _run(job_id, dry_run=False)


def _run(job_id: int, *, dry_run: bool) -> str:
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)

    def progress(processed: int, total: int) -> None:
        ImportJob.objects.filter(pk=job_id).update(processed_rows=processed, total_rows=total)

    try:
        importer = get_importer(job.kind)
        with job.file.open("rb") as handle:
            # Messages about the file name the user's own file, not our stored copy.
            upload = File(handle, name=job.original_name)
            result = importer.run(
                actor=job.created_by, file=upload, dry_run=dry_run, progress=progress
            )
    except Exception:
        logger.exception("import job %s failed", job_id)
        message = _("导入时发生系统错误，未写入任何数据；请稍后重试或联系管理员。")
        _finish(
            job_id, ImportJob.Status.FAILED, errors=[{"row": 0, "column": "", "message": message}]
        )
        return ImportJob.Status.FAILED
    if not result.ok:
        status = ImportJob.Status.INVALID
    else:
        status = ImportJob.Status.READY if dry_run else ImportJob.Status.DONE
    _finish(
        job_id,
        status,
        errors=result.errors,
        preview=result.preview,
        summary=result.summary(),
        total_rows=result.total_rows,
        processed_rows=result.total_rows,
    )
    return status


def _finish(job_id: int, status: str, **fields) -> None:
    if status in (ImportJob.Status.DONE, ImportJob.Status.FAILED):
        fields["finished_at"] = timezone.now()
    ImportJob.objects.filter(pk=job_id).update(status=status, **fields)
