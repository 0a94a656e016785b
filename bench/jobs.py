"""The jobs ``make bench`` times: append a ``Job`` to ``JOBS`` to time one more.

Each job runs in its own process on a throw-away copy of a dataset's database (``dataset``), so it
may write freely. ``prepare`` is not timed (build inputs, clear rows); ``run`` is timed with
``time.perf_counter``; ``check`` then raises ``AssertionError`` if the job did not do its work, so a
fast failure never passes for a fast job. A job whose code does not exist yet raises ``Skip``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any


class Skip(Exception):  # noqa: N818 - reads as "skip this job"
    """The job cannot run yet (its code is missing); the message says why."""


@dataclass(frozen=True)
class Job:
    name: str
    prepare: Callable[[SimpleNamespace], Any]
    run: Callable[[Any], Any]
    check: Callable[[Any, Any], None]
    target_seconds: float
    dataset: str = "large"
    target_mb: float | None = None  # memory the run takes above the idle worker (run_mb)


# --- import_people_60000 ---------------------------------------------------------------------


def source_hash(package: str) -> str:
    digest = hashlib.sha256()
    for path in sorted(Path(package).rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def prepare_people_import(ctx: SimpleNamespace) -> SimpleNamespace:
    """Export every person to the import template (cached), then delete them all."""
    try:
        from bastion.orgs import importers
        from bastion.orgs.importers import export_people_xlsx, run_import  # noqa: F401
    except ImportError as exc:
        raise Skip(f"bastion.orgs.importers not ready: {exc}") from exc
    from django.db import connection

    from bastion.orgs.models import CommitteeMember, Person

    key = f"{ctx.version}-{source_hash(Path(importers.__file__).parent)}"
    path = ctx.cache_dir / f"people-{ctx.manifest.people}-{key}.xlsx"
    if not path.exists():
        for old in ctx.cache_dir.glob("people-*.xlsx"):
            old.unlink()
        data = export_people_xlsx(Person.objects.order_by("pk"), actor=ctx.actor)
        path.write_bytes(data)
    with connection.cursor() as cursor:  # the scratch copy only: no audit, no signals needed
        cursor.execute(f"DELETE FROM {CommitteeMember._meta.db_table}")
        cursor.execute(f"DELETE FROM {Person._meta.db_table}")
    return SimpleNamespace(path=path, actor=ctx.actor, expected=ctx.manifest.people)


def run_people_import(state: SimpleNamespace):
    from django.core.files import File

    from bastion.orgs.importers import run_import

    with state.path.open("rb") as handle:
        return run_import(
            kind="people", actor=state.actor, file=File(handle, name="people.xlsx"), dry_run=False
        )


def check_people_import(state: SimpleNamespace, result) -> None:
    from bastion.orgs.models import Person

    errors = getattr(result, "errors", None)
    assert not errors, f"the import reported errors, first: {list(errors)[:3]}"
    count = Person.objects.count()
    assert count == state.expected, f"{count} people after the import, expected {state.expected}"


# --- import_bomb_refused ---------------------------------------------------------------------


def prepare_bomb(ctx: SimpleNamespace) -> SimpleNamespace:
    """A crafted 78 KB .xlsx (a million empty rows, 1.65 million shared strings: 64 MB
    unpacked) uploaded as a people import; the worker's validation run is what is timed."""
    from django.core.files import File

    from bastion.core.jobs import import_job_create
    from bastion.core.tests.bombs import write_xlsx_bomb_file
    from bastion.orgs.models import Person

    path = ctx.cache_dir / "bomb-78k.xlsx"
    if not path.exists():
        write_xlsx_bomb_file(path)
    with path.open("rb") as handle:
        job = import_job_create(
            actor=ctx.actor, kind="people", uploaded_file=File(handle, name="名册.xlsx")
        )
    return SimpleNamespace(job=job, people=Person.objects.count(), size=path.stat().st_size)


def run_bomb(state: SimpleNamespace):
    from bastion.core.jobs import validate_import_job

    return validate_import_job.call(state.job.pk, state.job.attempt)


def check_bomb(state: SimpleNamespace, result) -> None:
    from bastion.core.models import ImportJob
    from bastion.orgs.models import Person

    job = ImportJob.objects.get(pk=state.job.pk)
    assert result == ImportJob.Status.INVALID, f"the run ended {result!r}, not refused"
    message = job.errors[0]["message"] if job.errors else ""
    assert "上限" in message or "过多" in message, f"refused for another reason: {message}"
    assert not job.file, "the refused upload was kept"
    assert Person.objects.count() == state.people, "people changed"
    assert 70_000 < state.size < 90_000, f"the crafted file is {state.size} bytes, not ~78 KB"


# --- obligations_year_3000 ---------------------------------------------------------------------


def prepare_obligations_year(ctx: SimpleNamespace) -> SimpleNamespace:
    """Delete the dataset's obligations: the run generates the year again from nothing."""
    try:
        from bastion.agenda.services.obligations import generate_year  # noqa: F401
    except ImportError as exc:
        raise Skip(f"bastion.agenda.services.obligations not ready: {exc}") from exc
    from django.db import connection

    from bastion.agenda.models import Obligation

    year = getattr(ctx.manifest, "obligations_year", None)
    if year is None:
        raise Skip("the dataset has no obligations (build_obligations did not run)")
    with connection.cursor() as cursor:  # the scratch copy only
        cursor.execute(f"DELETE FROM {Obligation._meta.db_table}")
    return SimpleNamespace(year=year, expected=ctx.manifest.obligations)


def run_obligations_year(state: SimpleNamespace):
    from bastion.agenda.services.obligations import generate_year

    return generate_year(state.year)


def check_obligations_year(state: SimpleNamespace, result) -> None:
    from bastion.agenda.models import Obligation

    count, expected = Obligation.objects.count(), state.expected
    assert count == expected, f"{count} obligations after generation, expected {expected}"
    assert result.created == expected, f"created {result.created}, expected {expected}"


# --- dispatch_3000 ------------------------------------------------------------------------------


def prepare_dispatch(ctx: SimpleNamespace) -> SimpleNamespace:
    """A draft task sheet of the root, due in a month: the run pushes it to every organization."""
    try:
        from bastion.tasks.services.flow import recipients_query, task_dispatch  # noqa: F401
    except ImportError as exc:
        raise Skip(f"bastion.tasks.services.flow not ready: {exc}") from exc
    import datetime as dt

    from django.utils import timezone

    from bastion.orgs.models import Organization
    from bastion.tasks.models import FeedbackField, Task

    root = Organization.objects.get(pk=ctx.manifest.root_id)
    task = Task.objects.create(
        title="关于开展主题党日活动情况的调查",
        issuer=root,
        due_on=timezone.localdate() + dt.timedelta(days=30),
        created_by=ctx.actor,
    )
    FeedbackField.objects.create(task=task, label="参加人数", kind="number", position=1)
    recipients = recipients_query(issuer=root)
    return SimpleNamespace(
        task=task, actor=ctx.actor, recipients=recipients, expected=recipients.count()
    )


def run_dispatch(state: SimpleNamespace):
    from bastion.tasks.services.flow import task_dispatch

    return task_dispatch(task=state.task, actor=state.actor, recipients=state.recipients)


def check_dispatch(state: SimpleNamespace, result) -> None:
    count = state.task.assignments.count()
    assert state.expected > 0, "no recipients"
    assert result == state.expected, f"dispatch said {result}, expected {state.expected}"
    assert count == state.expected, f"{count} assignments, expected {state.expected}"
    state.task.refresh_from_db()
    assert state.task.status == "dispatched", state.task.status


# --- bulletin_province -------------------------------------------------------------------------


def prepare_bulletin(ctx: SimpleNamespace) -> SimpleNamespace:
    """A queued bulletin of the root for the dataset's quarter: the run writes its Word and
    Excel files (the job's body, called directly: no worker in the bench)."""
    try:
        from bastion.problems.jobs import generate_bulletin  # noqa: F401
    except ImportError as exc:
        raise Skip(f"bastion.problems.jobs not ready: {exc}") from exc
    from bastion.problems.models import Bulletin

    quarter = getattr(ctx.manifest, "bulletin_quarter", None)
    if quarter is None:
        raise Skip("the dataset has no problems (build_problems did not run)")
    bulletin = Bulletin.objects.create(
        organization_id=ctx.manifest.root_id, quarter=quarter, created_by=ctx.actor
    )
    return SimpleNamespace(bulletin_id=bulletin.pk)


def run_bulletin(state: SimpleNamespace):
    from bastion.problems.jobs import generate_bulletin

    return generate_bulletin.call(state.bulletin_id)


def check_bulletin(state: SimpleNamespace, result) -> None:
    import io

    from openpyxl import load_workbook

    from bastion.problems.models import Bulletin

    bulletin = Bulletin.objects.get(pk=state.bulletin_id)
    assert bulletin.status == "done", f"status {bulletin.status}: {bulletin.error}"
    assert bulletin.docx and bulletin.xlsx, "files missing"
    book = load_workbook(io.BytesIO(bulletin.xlsx.read()), read_only=True)
    units = list(book["各单位整改情况"].iter_rows(values_only=True))
    assert len(units) > 2, "no unit rows in the workbook"


# --- round_3000 ---------------------------------------------------------------------------------


def prepare_round(ctx: SimpleNamespace) -> SimpleNamespace:
    """The dataset's monthly round (every organization × 20 indicators), its results wiped."""
    try:
        from bastion.evaluation.services.rounds import round_results_compute  # noqa: F401
    except ImportError as exc:
        raise Skip(f"bastion.evaluation not ready: {exc}") from exc
    from bastion.evaluation.models import Round, Target

    round_id = getattr(ctx.manifest, "evaluation_round_id", None)
    if round_id is None:
        raise Skip("the dataset has no evaluation round (build_evaluation did not run)")
    Target.objects.filter(round_id=round_id).update(total=None, rank=None, contributions={})
    return SimpleNamespace(
        round=Round.objects.get(pk=round_id), expected=ctx.manifest.evaluation_targets
    )


def run_round(state: SimpleNamespace):
    from bastion.evaluation.services.rounds import round_results_compute

    return round_results_compute(actor=None, round_=state.round)


def check_round(state: SimpleNamespace, result) -> None:
    from bastion.evaluation.models import Target

    targets = Target.objects.filter(round=state.round)
    assert result == state.expected, f"computed {result}, expected {state.expected}"
    assert not targets.filter(total__isnull=True).exists(), "targets left without a total"
    assert targets.filter(rank=1).exists(), "nobody ranked first"
    sample = targets.first().contributions
    assert len(sample) == 22, f"{len(sample)} contributions (20 indicators + 2 groups expected)"


# --- accounts_open_60000 --------------------------------------------------------------------


def prepare_accounts_open(ctx: SimpleNamespace) -> SimpleNamespace:
    """Every person of the dataset without an account, as on the day of the rollout."""
    from bastion.orgs.models import Person

    Person.objects.update(user=None)
    return SimpleNamespace(actor=ctx.actor, expected=Person.objects.count())


def run_accounts_open(state: SimpleNamespace):
    from bastion.accounts.services import accounts_bulk_open
    from bastion.orgs.models import Person

    return accounts_bulk_open(actor=state.actor, people=Person.objects.all(), description="bench")


def check_accounts_open(state: SimpleNamespace, result) -> None:
    from bastion.accounts.models import ActivationCode
    from bastion.orgs.models import Person

    assert result.count == state.expected, f"{result.count} opened, {state.expected} expected"
    assert not Person.objects.filter(user__isnull=True).exists(), "people left without account"
    assert ActivationCode.objects.count() >= state.expected, "codes missing"


JOBS: list[Job] = [
    Job("round_3000", prepare=prepare_round, run=run_round, check=check_round, target_seconds=5.0),
    Job(
        "import_people_60000",
        prepare=prepare_people_import,
        run=run_people_import,
        check=check_people_import,
        target_seconds=60,
    ),
    Job(
        "import_bomb_refused",
        prepare=prepare_bomb,
        run=run_bomb,
        check=check_bomb,
        target_seconds=5,
        target_mb=100,
    ),
    Job(
        "obligations_year_3000",
        prepare=prepare_obligations_year,
        run=run_obligations_year,
        check=check_obligations_year,
        target_seconds=10,
    ),
    Job(
        "dispatch_3000",
        prepare=prepare_dispatch,
        run=run_dispatch,
        check=check_dispatch,
        target_seconds=1,
    ),
    Job(
        "bulletin_province",
        prepare=prepare_bulletin,
        run=run_bulletin,
        check=check_bulletin,
        target_seconds=10,
    ),
    Job(
        "accounts_open_60000",
        prepare=prepare_accounts_open,
        run=run_accounts_open,
        check=check_accounts_open,
        target_seconds=60,
    ),
]


# --- backup_restore -----------------------------------------------------------------------------


def prepare_backup_restore(ctx: SimpleNamespace) -> SimpleNamespace:
    """A scratch folder with a few evidence files as the media (the dataset has rows, not
    files), and an empty target database: a new SQLite file, or ``<scratch db>_restore``."""
    import shutil

    from django.db import connection
    from django.test import override_settings

    try:
        from bastion.core.backup.services import backup_create  # noqa: F401
    except ImportError as exc:
        raise Skip(f"bastion.core.backup not ready: {exc}") from exc
    work = ctx.cache_dir.parent / "backup_restore"
    shutil.rmtree(work, ignore_errors=True)
    media = work / "media"
    for n in range(200):  # 200 photos of 64 KB: the media path is exercised, not dominant
        path = media / "evidence" / f"{n % 10}" / f"photo-{n}.jpg"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(hashlib.sha256(str(n).encode()).digest() * 2048)
    override_settings(MEDIA_ROOT=media).enable()  # this worker process only
    if connection.vendor == "sqlite":
        target = {"BENCH_DB": str(work / "restored.sqlite3")}
    else:
        target = {"BENCH_DATABASE_URL": _restore_database_create()}
    return SimpleNamespace(
        work=work,
        target=target,
        people=ctx.manifest.people,
        organizations=ctx.manifest.organizations,
    )


def _postgres_url(name: str) -> str:
    from urllib.parse import quote

    from django.db import connection

    s = connection.settings_dict
    password = f":{quote(s['PASSWORD'], safe='')}" if s.get("PASSWORD") else ""
    port = f":{s['PORT']}" if s.get("PORT") else ""
    user = quote(s.get("USER") or "", safe="")
    return f"postgres://{user}{password}@{s.get('HOST') or 'localhost'}{port}/{name}"


def _restore_database_create() -> str:
    import psycopg
    from django.db import connection

    name = f"{connection.settings_dict['NAME']}_restore"
    with psycopg.connect(_postgres_url("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    return _postgres_url(name)


def run_backup_restore(state: SimpleNamespace) -> SimpleNamespace:
    """``manage.py backup`` here, then ``manage.py restore --yes`` in a new process pointed at
    the empty database and a new media folder, as an operator restores onto a new server."""
    import io
    import os
    import subprocess
    import sys
    import time

    from django.core.management import call_command

    started = time.perf_counter()
    call_command("backup", "--output", str(state.work / "archives"), stdout=io.StringIO())
    (archive,) = (state.work / "archives").glob("bastion-backup-*.tar")
    backed_up = time.perf_counter() - started
    env = {k: v for k, v in os.environ.items() if k not in ("BENCH_DB", "BENCH_DATABASE_URL")}
    env.update(state.target, MEDIA_ROOT=str(state.work / "restored-media"))
    env["DJANGO_SETTINGS_MODULE"] = "bastion.settings_bench"
    restore = subprocess.run(  # noqa: S603 - this interpreter, this project's manage.py
        [sys.executable, "manage.py", "restore", str(archive), "--yes"],
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    restored = time.perf_counter() - started - backed_up
    print(  # the split, for the log: the job's figure is the sum
        f"backup_restore: backup {backed_up:.1f} s, restore {restored:.1f} s,"
        f" archive {archive.stat().st_size / 2**20:.0f} MB",
        file=sys.stderr,
    )
    return SimpleNamespace(archive=archive, restore=restore)


def check_backup_restore(state: SimpleNamespace, result: SimpleNamespace) -> None:
    import shutil

    try:
        output = result.restore.stdout + result.restore.stderr
        assert result.restore.returncode == 0, f"restore failed: {output[-500:]}"
        assert "恢复完成" in output, output[-500:]
        people, organizations = _restored_counts(state.target)
        assert people == state.people, f"{people} people restored, expected {state.people}"
        assert organizations == state.organizations, f"{organizations} organizations restored"
        restored = state.work / "restored-media" / "evidence" / "3" / "photo-3.jpg"
        assert restored.read_bytes() == hashlib.sha256(b"3").digest() * 2048, "photo differs"
    finally:
        if "BENCH_DATABASE_URL" in state.target:
            import psycopg

            name = state.target["BENCH_DATABASE_URL"].rsplit("/", 1)[1]
            with psycopg.connect(_postgres_url("postgres"), autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(state.work, ignore_errors=True)


def _restored_counts(target: dict) -> tuple[int, int]:
    from bastion.orgs.models import Organization, Person

    tables = [Person._meta.db_table, Organization._meta.db_table]
    sql = [f'SELECT COUNT(*) FROM "{table}"' for table in tables]
    if "BENCH_DB" in target:
        import sqlite3

        with sqlite3.connect(target["BENCH_DB"]) as db:
            counts = [db.execute(q).fetchone()[0] for q in sql]
        db.close()
    else:
        import psycopg

        with psycopg.connect(target["BENCH_DATABASE_URL"]) as db:
            counts = [db.execute(q).fetchone()[0] for q in sql]
    return counts[0], counts[1]


JOBS.append(
    Job(
        "backup_restore",
        prepare=prepare_backup_restore,
        run=run_backup_restore,
        check=check_backup_restore,
        target_seconds=120,
    )
)
