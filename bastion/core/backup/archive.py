"""The tar archive: members are streamed in and out with their SHA-256 computed on the way, so
neither a large database dump nor the media ever sits whole in memory.

Layout: ``database/<file>`` (one part), ``media/<storage name>`` (one per file), then
``manifest.json`` and ``manifest.sha256`` last, because the manifest lists the checksums of the
parts written before it.
"""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
import time
from pathlib import Path
from typing import IO

from django.utils.translation import gettext as _

from .errors import BackupError

MANIFEST = "manifest.json"
MANIFEST_SHA256 = "manifest.sha256"
DATABASE_DIR = "database/"
MEDIA_DIR = "media/"
CHUNK = 1024 * 1024


class HashingReader(io.RawIOBase):
    """A read-only stream that hashes (and counts) what passes through it."""

    def __init__(self, raw: IO[bytes]):
        self.raw = raw
        self.digest = hashlib.sha256()
        self.size = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.digest.update(data)
        self.size += len(data)
        return data

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    @property
    def sha256(self) -> str:
        return self.digest.hexdigest()


def compressed(path: Path) -> bool:
    return path.name.endswith((".tar.gz", ".tgz"))


class ArchiveWriter:
    """Adds parts to a new archive and remembers each one's size and checksum."""

    def __init__(self, path: Path, *, compress: bool):
        self.path = path
        # Closed by close(): the archive is written across several calls.
        self.tar = tarfile.open(  # noqa: SIM115
            path, "w:gz" if compress else "w", format=tarfile.PAX_FORMAT
        )
        self.parts: list[dict] = []

    def add_stream(self, member: str, stream: IO[bytes], size: int, **extra) -> dict:
        """Copy exactly ``size`` bytes of ``stream`` into the archive as ``member``."""
        info = tarfile.TarInfo(member)
        info.size = size
        info.mtime = int(time.time())
        info.mode = 0o600
        reader = HashingReader(stream)
        self.tar.addfile(info, reader)
        part = {"member": member, "size": size, "sha256": reader.sha256, **extra}
        self.parts.append(part)
        return part

    def add_file(self, member: str, path: Path, **extra) -> dict:
        with path.open("rb") as stream:
            return self.add_stream(member, stream, path.stat().st_size, **extra)

    def add_manifest(self, manifest: dict) -> None:
        data = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
        for member, content in (
            (MANIFEST, data),
            (MANIFEST_SHA256, hashlib.sha256(data).hexdigest().encode()),
        ):
            info = tarfile.TarInfo(member)
            info.size = len(content)
            info.mtime = int(time.time())
            info.mode = 0o600
            self.tar.addfile(info, io.BytesIO(content))

    def close(self) -> None:
        self.tar.close()


class ArchiveReader:
    """Opens an archive written by ``ArchiveWriter`` and refuses anything else."""

    def __init__(self, path: Path):
        self.path = path
        if not path.is_file():
            raise BackupError(_("找不到备份文件：%(path)s。") % {"path": path})
        try:
            self.tar = tarfile.open(path, "r:*")  # noqa: SIM115 - closed by close()
        except (tarfile.TarError, OSError, EOFError) as exc:
            raise BackupError(
                _("%(path)s 不是 Bastion 备份文件（无法作为 tar 归档读取：%(reason)s）。")
                % {"path": path, "reason": exc}
            ) from exc
        try:
            self.members = {m.name: m for m in self.tar.getmembers() if m.isfile()}
        except (tarfile.TarError, OSError, EOFError) as exc:
            self.tar.close()
            raise BackupError(
                _("备份文件不完整或已损坏（%(reason)s），可能在写入或复制时被截断。")
                % {"reason": exc}
            ) from exc
        self.manifest = self._read_manifest()

    def _read_manifest(self) -> dict:
        if MANIFEST not in self.members and any(n.startswith(DATABASE_DIR) for n in self.members):
            raise BackupError(
                _("备份文件不完整：没有清单，可能在写入或复制时被截断。请换用完整的归档。")
            )
        if MANIFEST not in self.members:
            raise BackupError(
                _("%(path)s 不是 Bastion 备份文件：归档中没有 manifest.json。")
                % {"path": self.path}
            )
        data = self.tar.extractfile(self.members[MANIFEST]).read()
        expected = self._small(MANIFEST_SHA256).decode(errors="replace").strip()
        if hashlib.sha256(data).hexdigest() != expected:
            raise BackupError(_("备份文件已损坏：manifest.json 的校验和不符。"))
        try:
            manifest = json.loads(data)
        except ValueError as exc:
            raise BackupError(_("备份文件已损坏：manifest.json 不是有效的 JSON。")) from exc
        if not isinstance(manifest, dict) or manifest.get("format") != "bastion-backup":
            raise BackupError(
                _("%(path)s 不是 Bastion 备份文件：manifest.json 的格式标记不对。")
                % {"path": self.path}
            )
        return manifest

    def _small(self, member: str) -> bytes:
        if member not in self.members:
            raise BackupError(_("备份文件不完整：缺少 %(member)s。") % {"member": member})
        return self.tar.extractfile(self.members[member]).read()

    def open_part(self, part: dict) -> IO[bytes]:
        member = self.members.get(part["member"])
        if member is None:
            raise BackupError(_("备份文件不完整：缺少 %(member)s。") % {"member": part["member"]})
        return self.tar.extractfile(member)

    def verify(self, parts: list[dict], database_copy: Path) -> None:
        """Read every part once and compare size and SHA-256 with the manifest; the database
        part is copied to ``database_copy`` on the way (the loaders need it as a file)."""
        for part in parts:
            is_database = part["member"].startswith(DATABASE_DIR)
            with self.open_part(part) as stream:
                reader = HashingReader(stream)
                if is_database:
                    with database_copy.open("wb") as out:
                        copy_stream(reader, out)
                else:
                    drain(reader)
            if reader.size != part["size"] or reader.sha256 != part["sha256"]:
                raise BackupError(
                    _("备份文件已损坏：%(member)s 的校验和与清单不符，未做任何更改。")
                    % {"member": part["member"]}
                )

    def close(self) -> None:
        self.tar.close()


def copy_stream(source: IO[bytes], target: IO[bytes]) -> None:
    while chunk := source.read(CHUNK):
        target.write(chunk)


def drain(source: IO[bytes]) -> None:
    while source.read(CHUNK):
        pass
