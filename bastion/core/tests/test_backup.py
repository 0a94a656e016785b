"""``manage.py backup`` and ``manage.py restore``: a round trip into a new database and a new media
folder (the restore runs in a subprocess, as an operator runs it, with ``DATABASE_URL`` and
``MEDIA_ROOT`` pointing at the new places), and every refusal, which must change nothing.

Runs on the current connection's vendor: SQLite, or PostgreSQL when ``DATABASE_URL`` says so (the
new database is then ``<test database>_restore``, created and dropped here)."""

import hashlib
import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
from contextlib import closing
from pathlib import Path
from urllib.parse import quote

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from bastion.core.backup.state import model_tables, row_counts
from bastion.core.testing_seeds import seed_default_roles
from bastion.orgs.models import Organization, Person

ROOT = Path(__file__).resolve().parents[3]
EVIDENCE = "evidence/2026/三会一课-会议照片.jpg"
PHOTO = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 64


@pytest.fixture
def media(tmp_path, settings):
    """A media folder of this test's own, holding one evidence file."""
    settings.MEDIA_ROOT = tmp_path / "media"
    default_storage.save(EVIDENCE, ContentFile(PHOTO))
    return settings.MEDIA_ROOT


def make_backup(directory: Path) -> tuple[Path, dict]:
    out = io.StringIO()
    call_command("backup", "--output", str(directory), stdout=out)
    assert "备份完成" in out.getvalue()
    (archive,) = directory.glob("bastion-backup-*.tar")
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    return archive, manifest


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- the new database of the round trip ----------------------------------------------------------


def postgres_url(name: str) -> str:
    settings = connection.settings_dict
    user = quote(settings["USER"] or "", safe="")
    password = f":{quote(settings['PASSWORD'], safe='')}" if settings.get("PASSWORD") else ""
    host = settings["HOST"] or "localhost"
    port = f":{settings['PORT']}" if settings.get("PORT") else ""
    return f"postgres://{user}{password}@{host}{port}/{name}"


def postgres_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(postgres_url("postgres"), autocommit=True) as admin:
        admin.execute(sql)


@pytest.fixture
def new_database(tmp_path):
    """The URL of a database nobody has used yet."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    name = f"{connection.settings_dict['NAME']}_restore"
    postgres_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    postgres_admin(f'CREATE DATABASE "{name}"')
    yield postgres_url(name)
    postgres_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def counts_in(url: str, tables: list[str]) -> dict[str, int]:
    if url.startswith("sqlite:"):
        with closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as db:
            return row_counts(db.cursor(), tables)
    import psycopg

    with psycopg.connect(url) as db, db.cursor() as cursor:
        return row_counts(cursor, tables)


def manage(*args: str, database_url: str, media_root: Path) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bastion.settings",
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": str(media_root),
    }
    return subprocess.run(  # noqa: S603 - this interpreter, this project's manage.py
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


# --- the round trip ------------------------------------------------------------------------------


@pytest.fixture
def migrated_roles(transactional_db):
    """The round trip commits (the restore runs in another process, reading this database), so
    it runs as a transactional test; an earlier one on this worker may have flushed the roles
    and rules the migrations seeded: they are replayed first. (No serialized rollback: its
    reload collides with the content types a plain flush re-creates.)"""
    seed_default_roles()


@pytest.mark.xdist_group("backup")
@pytest.mark.django_db(transaction=True)
def test_backup_then_restore_into_a_new_installation_keeps_every_row_and_file(
    migrated_roles, personas, media, new_database, tmp_path
):
    archive, manifest = make_backup(tmp_path / "backups")

    with connection.cursor() as cursor:
        live = row_counts(cursor, sorted(manifest["row_counts"]))
    assert manifest["row_counts"] == live
    assert set(manifest["row_counts"]) == set(model_tables())
    assert manifest["row_counts"][Organization._meta.db_table] == 7
    assert manifest["row_counts"][Person._meta.db_table] == 5
    assert manifest["database"]["vendor"] == connection.vendor
    assert manifest["migrations"]["core"].startswith("00")
    (photo,) = [p for p in manifest["parts"] if p.get("name") == EVIDENCE]
    assert photo["sha256"] == hashlib.sha256(PHOTO).hexdigest()

    restored_media = tmp_path / "restored-media"
    result = manage(
        "restore", str(archive), "--yes", database_url=new_database, media_root=restored_media
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "恢复完成" in result.stdout
    assert counts_in(new_database, sorted(live)) == live
    assert sha256(restored_media / EVIDENCE) == sha256(media / EVIDENCE)


@pytest.mark.xdist_group("backup")
@pytest.mark.django_db(transaction=True)
def test_a_compressed_archive_restores_too(migrated_roles, people, media, new_database, tmp_path):
    archive = tmp_path / "nightly.tar.gz"
    call_command("backup", "--output", str(archive), stdout=io.StringIO())
    with tarfile.open(archive, "r:gz") as tar:
        assert "manifest.json" in tar.getnames()

    result = manage(
        "restore",
        str(archive),
        "--yes",
        database_url=new_database,
        media_root=tmp_path / "restored-media",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    tables = [Person._meta.db_table, Organization._meta.db_table]
    assert counts_in(new_database, tables) == {
        Person._meta.db_table: 5,
        Organization._meta.db_table: 7,
    }


# --- refusals: each one leaves the target as it was ----------------------------------------------


def rewrite(archive: Path, member: str, change) -> Path:
    """A copy of ``archive`` with ``change(bytes) -> bytes`` applied to one member (and the
    manifest's own checksum recomputed when the manifest is the member changed)."""
    target = archive.with_name("changed-" + archive.name)
    with tarfile.open(archive) as src, tarfile.open(target, "w") as dst:
        contents = {m.name: (m, src.extractfile(m).read()) for m in src.getmembers()}
        info, data = contents[member]
        contents[member] = (info, change(data))
        if member == "manifest.json":
            info, _ = contents["manifest.sha256"]
            digest = hashlib.sha256(contents[member][1]).hexdigest().encode()
            contents["manifest.sha256"] = (info, digest)
        for info, data in contents.values():
            info.size = len(data)
            dst.addfile(info, io.BytesIO(data))
    return target


def restore_refused(archive: Path) -> str:
    with pytest.raises(CommandError) as refused:
        call_command("restore", str(archive), "--yes", stdout=io.StringIO())
    return str(refused.value)


def test_restore_refuses_an_installation_that_has_accounts(personas, media, tmp_path):
    archive, _ = make_backup(tmp_path)
    users = get_user_model().objects.count()

    message = restore_refused(archive)

    assert "不是空的" in message
    assert get_user_model().objects.count() == users == 6


def test_restore_refuses_to_overwrite_media_files(db, media, tmp_path):
    archive, _ = make_backup(tmp_path)

    message = restore_refused(archive)

    assert "媒体" in message
    assert "拒绝覆盖" in message


def test_restore_refuses_a_corrupted_archive_and_writes_nothing(db, media, tmp_path, settings):
    archive, _ = make_backup(tmp_path)
    corrupted = rewrite(archive, f"media/{EVIDENCE}", lambda data: data[:-1] + b"!")
    settings.MEDIA_ROOT = tmp_path / "empty-media"
    organizations = Organization.objects.count()

    message = restore_refused(corrupted)

    assert "已损坏" in message
    assert EVIDENCE in message
    assert not (tmp_path / "empty-media").exists()
    assert Organization.objects.count() == organizations


def test_restore_refuses_an_archive_of_another_database_vendor(db, media, tmp_path, settings):
    archive, _ = make_backup(tmp_path)
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"

    def change_vendor(data: bytes) -> bytes:
        manifest = json.loads(data)
        manifest["database"]["vendor"] = other
        return json.dumps(manifest).encode()

    settings.MEDIA_ROOT = tmp_path / "empty-media"
    message = restore_refused(rewrite(archive, "manifest.json", change_vendor))

    assert "跨数据库类型的恢复不在 restore 命令的范围内" in message


def test_restore_refuses_an_archive_from_a_newer_release(db, media, tmp_path, settings):
    archive, _ = make_backup(tmp_path)

    def newer(data: bytes) -> bytes:
        manifest = json.loads(data)
        manifest["migrations"]["core"] = "9999_from_the_future"
        return json.dumps(manifest).encode()

    settings.MEDIA_ROOT = tmp_path / "empty-media"
    message = restore_refused(rewrite(archive, "manifest.json", newer))

    assert "更新版本" in message
    assert "core.9999_from_the_future" in message


def test_restore_refuses_a_file_that_is_not_an_archive(db, tmp_path):
    junk = tmp_path / "bastion-backup-20260101-020000.tar"
    junk.write_bytes(b"PK\x03\x04 this is a zip file, not a tar" * 20)

    assert "不是 Bastion 备份文件" in restore_refused(junk)


def test_restore_refuses_a_tar_without_a_manifest(db, tmp_path):
    foreign = tmp_path / "photos.tar"
    with tarfile.open(foreign, "w") as tar:
        info = tarfile.TarInfo("photo.jpg")
        info.size = len(PHOTO)
        tar.addfile(info, io.BytesIO(PHOTO))

    assert "没有 manifest.json" in restore_refused(foreign)


def test_restore_refuses_a_truncated_archive(db, media, tmp_path, settings):
    archive, _ = make_backup(tmp_path)
    cut = tmp_path / "cut.tar"
    cut.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    settings.MEDIA_ROOT = tmp_path / "empty-media"

    message = restore_refused(cut)

    assert "不完整" in message or "已损坏" in message
    assert not (tmp_path / "empty-media").exists()


def test_restore_refuses_a_missing_file(db, tmp_path):
    assert "找不到备份文件" in restore_refused(tmp_path / "nowhere.tar")


def test_restore_without_yes_asks_and_a_script_is_refused(db, media, tmp_path, settings):
    archive, _ = make_backup(tmp_path)
    settings.MEDIA_ROOT = tmp_path / "empty-media"

    with pytest.raises(CommandError) as refused:
        call_command("restore", str(archive), stdout=io.StringIO())

    assert "--yes" in str(refused.value)
