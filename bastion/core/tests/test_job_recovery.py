"""Jobs that recover: a run whose worker died is noticed (on reading its page, by the daily
run), failed with a Chinese message and retried by its creator; no page polls forever; an
upload is deleted once refused or imported."""

import datetime as dt
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation

from bastion.core.daily import run_daily_jobs
from bastion.core.job_recovery import import_job_retry, import_jobs_tidy
from bastion.core.jobs import import_job_commit, import_job_create, validate_import_job
from bastion.core.models import ImportJob
from bastion.orgs.models import Person
from bastion.orgs.tests.test_excel_people import row, workbook


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


def ago(**delta) -> dt.datetime:
    return timezone.now() - dt.timedelta(**delta)


def upload(rows=None, name="名册.xlsx"):
    data = workbook(rows or [row(工号="N1"), row(姓名="赵七", 工号="N2")])
    return SimpleUploadedFile(name, data)


@pytest.fixture
def ready(personas):
    """A validated job of secretary_a, waiting for the confirmation."""
    job = import_job_create(actor=personas.secretary_a, kind="people", uploaded_file=upload())
    assert job.status == ImportJob.Status.READY and job.file
    return job


def kill_worker(job: ImportJob, *, status=ImportJob.Status.RUNNING, **fields) -> ImportJob:
    """The job as a worker killed mid-run leaves it."""
    fields = {"stage": ImportJob.Stage.COMMIT, "heartbeat_at": ago(minutes=6), **fields}
    ImportJob.objects.filter(pk=job.pk).update(status=status, processed_rows=600, **fields)
    job.refresh_from_db()
    return job


def test_a_run_records_its_heartbeat_and_number(ready):
    assert ready.heartbeat_at is not None and ready.attempt == 1 and ready.queued_at
    assert ready.stage == ImportJob.Stage.VALIDATE


def test_a_silent_run_is_failed_when_its_page_is_read(client, personas, ready):
    kill_worker(ready)
    client.force_login(personas.secretary_a)
    page = client.get(reverse("orgs:import_job", args=[ready.pk])).content.decode()
    ready.refresh_from_db()
    assert ready.status == ImportJob.Status.FAILED
    message = "后台任务中断（超过5分钟没有进展），未写入任何数据，请重试。"
    assert ready.errors[0]["message"] == message and message in page
    assert 'data-testid="import-retry"' in page and 'hx-get="' not in page


def test_the_polling_fragment_stops_once_the_run_is_given_up(client, personas, ready):
    kill_worker(ready)
    client.force_login(personas.secretary_a)
    response = client.get(reverse("orgs:import_progress", args=[ready.pk]))
    assert response["HX-Refresh"] == "true" and "hx-get" not in response.content.decode()


def test_a_run_still_beating_is_left_alone(client, personas, ready):
    kill_worker(ready, heartbeat_at=ago(minutes=1))
    client.force_login(personas.secretary_a)
    page = client.get(reverse("orgs:import_job", args=[ready.pk])).content.decode()
    ready.refresh_from_db()
    assert ready.status == ImportJob.Status.RUNNING and "every 1s" in page


def test_polling_stops_after_the_maximum_time_even_while_beating(client, personas, ready):
    kill_worker(ready, heartbeat_at=ago(seconds=10), queued_at=ago(minutes=31))
    client.force_login(personas.secretary_a)
    page = client.get(reverse("orgs:import_job", args=[ready.pk])).content.decode()
    assert 'data-polling="0"' in page and "hx-get" not in page
    assert 'data-testid="import-polling-stopped"' in page


@override_settings(BASTION_JOB_QUEUE_MINUTES=60)
def test_a_run_never_picked_up_is_failed_by_the_daily_run(ready):
    kill_worker(ready, status=ImportJob.Status.QUEUED, heartbeat_at=None, queued_at=ago(hours=2))
    fresh = import_job_create(actor=ready.created_by, kind="people", uploaded_file=upload())
    kill_worker(fresh, status=ImportJob.Status.QUEUED, heartbeat_at=None, queued_at=ago(minutes=5))
    report = run_daily_jobs(timezone.localdate())
    assert report["bastion.core.job_recovery.import_jobs_tidy"]["expired"] == 1
    ready.refresh_from_db()
    fresh.refresh_from_db()
    assert ready.status == ImportJob.Status.FAILED and "排队超过60分钟仍未开始" in str(ready.errors)
    assert fresh.status == ImportJob.Status.QUEUED


def test_the_creator_retries_a_dead_commit_from_the_stored_file(client, personas, ready):
    before = Person.objects.count()
    kill_worker(ready)
    client.force_login(personas.secretary_a)
    client.get(reverse("orgs:import_job", args=[ready.pk]))  # noticed: failed
    response = client.post(reverse("orgs:import_retry", args=[ready.pk]))
    assert response.status_code == 302
    ready.refresh_from_db()
    assert ready.status == ImportJob.Status.DONE and ready.attempt == 2 and not ready.errors
    assert Person.objects.count() == before + 2


def test_a_dead_validation_is_retried_as_a_validation(personas):
    job = import_job_create(actor=personas.secretary_a, kind="people", uploaded_file=upload())
    kill_worker(job, status=ImportJob.Status.VALIDATING, stage=ImportJob.Stage.VALIDATE)
    import_jobs_tidy(today=timezone.localdate())
    job.refresh_from_db()
    assert import_job_retry(actor=personas.secretary_a, job=job).status == ImportJob.Status.READY


@pytest.mark.parametrize("persona", ["secretary_b", "company"])
def test_only_the_creator_may_retry(client, personas, ready, persona):
    kill_worker(ready, heartbeat_at=ago(hours=1))
    import_jobs_tidy(today=timezone.localdate())
    client.force_login(getattr(personas, persona))
    assert client.post(reverse("orgs:import_retry", args=[ready.pk])).status_code == 404
    ready.refresh_from_db()
    assert ready.status == ImportJob.Status.FAILED and ready.attempt == 1


def test_a_late_worker_never_overwrites_a_newer_run(ready):
    ImportJob.objects.filter(pk=ready.pk).update(attempt=2, status=ImportJob.Status.VALIDATING)
    assert validate_import_job.call(ready.pk, 1) == "superseded"
    ready.refresh_from_db()
    assert ready.status == ImportJob.Status.VALIDATING and ready.attempt == 2


def test_a_refused_upload_is_deleted(personas):
    bad = upload([row(工号="N1", 组织编码="C-B-1")])
    before = _stored_imports()
    job = import_job_create(actor=personas.secretary_a, kind="people", uploaded_file=bad)
    assert job.status == ImportJob.Status.INVALID and not job.file and job.errors
    assert _stored_imports() == before


def test_an_imported_upload_is_deleted_once_done(personas, ready):
    path = ready.file.path
    assert os.path.exists(path)
    import_job_commit(actor=personas.secretary_a, job=ready)
    ready.refresh_from_db()
    assert ready.status == ImportJob.Status.DONE and not ready.file and not os.path.exists(path)
    assert ready.summary["created"] == 2  # the page keeps what was done


def test_an_upload_never_confirmed_is_deleted_after_the_keeping_days(ready):
    path = ready.file.path
    ImportJob.objects.filter(pk=ready.pk).update(created_at=ago(days=8))
    assert import_jobs_tidy(today=timezone.localdate())["files_deleted"] == 1
    ready.refresh_from_db()
    assert ready.status == ImportJob.Status.FAILED and not ready.can_retry
    assert "超过7天未确认" in ready.errors[0]["message"] and not os.path.exists(path)


def _stored_imports() -> set[str]:
    from django.conf import settings

    folder = os.path.join(settings.MEDIA_ROOT, "imports")
    return {os.path.join(root, name) for root, _dirs, names in os.walk(folder) for name in names}
