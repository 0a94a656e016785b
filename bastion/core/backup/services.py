"""Back up the installation into one archive; restore an archive into an empty installation.

A restore refuses, before it changes anything, unless: the file is a Bastion archive, its
database vendor is the target's, it comes from this release or an older one, every part's
checksum verifies, and the target is empty (no row in the user table, none of the archive's
media files present). Then it loads the database, restores the media, checks the row counts
against the manifest, and runs ``migrate`` to bring an older archive up to date.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.translation import gettext as _

from . import database, media
from .archive import ArchiveReader, ArchiveWriter, compressed
from .errors import BackupError
from .state import quote, row_counts, unknown_migrations

FORMAT_VERSION = 1
VENDOR_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


@dataclass
class BackupResult:
    path: Path
    manifest: dict
    seconds: float = 0.0


def archive_path(output: Path | None, now) -> Path:
    name = f"bastion-backup-{timezone.localtime(now):%Y%m%d-%H%M%S}.tar"
    if output is None:
        return Path.cwd() / name
    if output.name.endswith((".tar", ".tar.gz", ".tgz")) and not output.is_dir():
        output.parent.mkdir(parents=True, exist_ok=True)
        return output
    output.mkdir(parents=True, exist_ok=True)
    return output / name


def backup_create(*, output: Path | None = None) -> BackupResult:
    """Write one archive: database snapshot, media files, manifest (last)."""
    started = timezone.now()
    path = archive_path(output, started)
    partial = path.with_name(path.name + ".partial")
    try:
        writer = ArchiveWriter(partial, compress=compressed(path))
        try:
            with tempfile.TemporaryDirectory(prefix="bastion-backup-") as scratch:
                dump_file = Path(scratch) / "database"
                snapshot = database.dump(dump_file)
                writer.add_file(database.DUMP_MEMBER[snapshot.vendor], dump_file, kind="database")
            files, size = media.archive_media(writer)
            manifest = {
                "format": "bastion-backup",
                "format_version": FORMAT_VERSION,
                "created_at": timezone.localtime(started).isoformat(),
                "database": {"vendor": snapshot.vendor, "tool": snapshot.tool},
                "migrations": snapshot.migrations,
                "row_counts": snapshot.row_counts,
                "media": {"storage": media.storage_name(), "files": files, "bytes": size},
                "parts": writer.parts,
            }
            writer.add_manifest(manifest)
        finally:
            writer.close()
        partial.replace(path)  # a finished archive appears under its name, never a partial one
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return BackupResult(path, manifest, (timezone.now() - started).total_seconds())


# --- restore ------------------------------------------------------------------------------------


@dataclass
class RestorePlan:
    reader: ArchiveReader
    manifest: dict
    database_part: dict
    media_parts: list[dict]
    scratch: tempfile.TemporaryDirectory
    database_copy: Path
    report: dict = field(default_factory=dict)

    def close(self) -> None:
        self.reader.close()
        self.scratch.cleanup()


def restore_prepare(*, archive: Path) -> RestorePlan:
    """Every check of a restore; nothing in the target is changed. The caller must ``close()``."""
    reader = ArchiveReader(archive)
    try:
        manifest = reader.manifest
        check_format(manifest)
        check_vendor(manifest)
        check_release(manifest)
        parts = manifest["parts"]
        database_parts = [p for p in parts if p.get("kind") == "database"]
        media_parts = [p for p in parts if p.get("kind") == "media"]
        if len(database_parts) != 1:
            raise BackupError(_("备份文件的清单有问题：应当正好有一个数据库部分。"))
        media.check_names(media_parts)
        check_target_empty(media_parts)
        scratch = tempfile.TemporaryDirectory(prefix="bastion-restore-")
        copy = Path(scratch.name) / "database"
        try:
            reader.verify(database_parts + media_parts, copy)
        except BaseException:
            scratch.cleanup()
            raise
    except BaseException:
        reader.close()
        raise
    return RestorePlan(reader, manifest, database_parts[0], media_parts, scratch, copy)


def check_format(manifest: dict) -> None:
    version = manifest.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise BackupError(
            _("备份文件格式版本 %(version)s 比本程序支持的（%(supported)s）新：请先升级 Bastion。")
            % {"version": version, "supported": FORMAT_VERSION}
        )
    for key in ("database", "row_counts", "parts", "migrations"):
        if key not in manifest:
            raise BackupError(_("备份文件的清单不完整：缺少 %(key)s。") % {"key": key})


def check_vendor(manifest: dict) -> None:
    archived = manifest["database"].get("vendor")
    if archived != database.vendor():
        raise BackupError(
            _(
                "备份来自 %(archived)s 数据库，当前安装使用 %(target)s："
                "跨数据库类型的恢复不在 restore 命令的范围内。请在 %(archived)s 上恢复。"
            )
            % {
                "archived": VENDOR_NAMES.get(archived, archived),
                "target": VENDOR_NAMES.get(database.vendor(), database.vendor()),
            }
        )


def check_release(manifest: dict) -> None:
    unknown = unknown_migrations(manifest["migrations"])
    if unknown:
        raise BackupError(
            _("备份来自更新版本的 Bastion（本程序没有迁移 %(names)s）：请先升级 Bastion 再恢复。")
            % {"names": "、".join(unknown[:5])}
        )


def check_target_empty(media_parts: list[dict]) -> None:
    """Empty = the user table is missing or has no row (a fresh ``migrate`` is fine), and no
    file of the archive already exists in the media storage."""
    table = get_user_model()._meta.db_table
    with connection.cursor() as cursor:
        if table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608
            users = cursor.fetchone()[0]
            if users:
                raise BackupError(
                    _(
                        "目标安装不是空的（已有 %(users)s 个用户账号），拒绝覆盖。"
                        "请在新建的空数据库上恢复（只执行过 migrate 也算空）。"
                    )
                    % {"users": users}
                )
    present = media.already_present(media_parts)
    if present:
        raise BackupError(
            _("目标媒体存储中已有备份里的文件（如 %(names)s），拒绝覆盖。请使用空的媒体目录。")
            % {"names": "、".join(present)}
        )


def restore_apply(*, plan: RestorePlan) -> dict:
    """Load the database, restore media, compare counts, then migrate."""
    database.load(plan.database_copy)
    mismatches = count_mismatches(plan.manifest["row_counts"])
    if mismatches:
        raise BackupError(
            _("恢复后的行数与清单不符：%(tables)s。") % {"tables": "；".join(mismatches[:10])}
        )
    files = media.restore_media(plan.reader, plan.media_parts)
    before = len(MigrationRecorder(connection).applied_migrations())
    call_command("migrate", interactive=False, verbosity=0)
    after = len(MigrationRecorder(connection).applied_migrations())
    return {
        "vendor": plan.manifest["database"]["vendor"],
        "created_at": plan.manifest.get("created_at"),
        "tables": len(plan.manifest["row_counts"]),
        "rows": sum(plan.manifest["row_counts"].values()),
        "media_files": files,
        "migrations_applied": after - before,
    }


def count_mismatches(expected: dict[str, int]) -> list[str]:
    connection.close()  # the loaders replaced the database under any open connection
    with connection.cursor() as cursor:
        actual = row_counts(cursor, sorted(expected))
    return [
        _("%(table)s 应为 %(expected)s 行，实为 %(actual)s 行")
        % {"table": table, "expected": count, "actual": actual[table]}
        for table, count in sorted(expected.items())
        if actual[table] != count
    ]
