"""The media part: every file of ``default_storage``, walked with ``listdir`` so the same code
serves a local ``MEDIA_ROOT`` and S3-compatible storage through django-storages."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from pathlib import Path

from django.core.files import File
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _

from .archive import MEDIA_DIR, ArchiveReader, ArchiveWriter
from .errors import BackupError


def storage_name() -> str:
    cls = default_storage.__class__  # LazyObject answers with the wrapped storage's class
    return f"{cls.__module__}.{cls.__qualname__}"


def walk(directory: str = "") -> Iterator[str]:
    """Every file name under ``directory`` in the storage, in a stable order."""
    try:
        folders, files = default_storage.listdir(directory)
    except FileNotFoundError:  # a FileSystemStorage whose MEDIA_ROOT does not exist yet
        return
    for name in sorted(files):
        yield posixpath.join(directory, name) if directory else name
    for folder in sorted(folders):
        yield from walk(posixpath.join(directory, folder) if directory else folder)


def local_path(name: str) -> Path | None:
    try:
        return Path(default_storage.path(name)).resolve()
    except NotImplementedError:  # remote storage: no local path
        return None


def archive_media(writer: ArchiveWriter) -> tuple[int, int]:
    """Stream every media file into the archive; returns (files, bytes)."""
    files = total = 0
    own_archive = writer.path.resolve()
    for name in walk():
        if local_path(name) == own_archive:  # --output inside MEDIA_ROOT
            continue
        try:
            size = default_storage.size(name)
            with default_storage.open(name, "rb") as stream:
                writer.add_stream(MEDIA_DIR + name, stream, size, kind="media", name=name)
        except FileNotFoundError:  # deleted since the listing: it is not in the database either
            continue
        except OSError as exc:
            raise BackupError(
                _("读取媒体文件 %(name)s 失败（%(reason)s）：文件可能正在被改写，请重新备份。")
                % {"name": name, "reason": exc}
            ) from exc
        files += 1
        total += size
    return files, total


def safe_name(name: str) -> bool:
    normal = posixpath.normpath(name)
    return bool(name) and normal == name and not name.startswith(("/", "../")) and name != ".."


def check_names(parts: list[dict]) -> None:
    for part in parts:
        if not safe_name(part.get("name", "")) or part["member"] != MEDIA_DIR + part["name"]:
            raise BackupError(
                _("备份文件的清单有问题：媒体文件名 %(name)s 不安全，拒绝恢复。")
                % {"name": part.get("name")}
            )


def already_present(parts: list[dict], limit: int = 5) -> list[str]:
    found = []
    for part in parts:
        if default_storage.exists(part["name"]):
            found.append(part["name"])
            if len(found) >= limit:
                break
    return found


def restore_media(reader: ArchiveReader, parts: list[dict]) -> int:
    for part in parts:
        with reader.open_part(part) as stream:
            saved = default_storage.save(part["name"], File(stream, name=part["name"]))
        if saved != part["name"]:
            raise BackupError(
                _("媒体文件 %(name)s 在恢复过程中被其他程序写入，已另存为 %(saved)s。")
                % {"name": part["name"], "saved": saved}
            )
    return len(parts)
