"""Shared helpers of the meeting tests: real tiny files, a meeting recorded through the service."""

from __future__ import annotations

import datetime as dt
import io
import struct
import zipfile
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from bastion.agenda.services.meetings import meeting_record

WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


def last_year() -> int:
    """Every date of last year is in the past: meetings may be held then, obligations are due."""
    return timezone.localdate().year - 1


def day(month: int, dom: int, year: int | None = None) -> dt.date:
    return dt.date(year or last_year(), month, dom)


def png_bytes() -> bytes:
    """A real 1×1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def jpeg_bytes() -> bytes:
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"


def pdf_bytes() -> bytes:
    return b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def ooxml_bytes(main_type: str = WORD_MAIN, part: str = "/word/document.xml") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="{part}" ContentType="{main_type}"/></Types>',
        )
        archive.writestr(part.lstrip("/"), "<document/>")
    return buffer.getvalue()


def ole_bytes() -> bytes:
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def photo(name: str = "现场.png"):
    return upload(name, png_bytes(), "image/png")


def record(actor, org, *, kind="branch_assembly", held_on=None, attendance=(), **fields):
    return meeting_record(
        actor=actor,
        organization=org,
        kind=kind,
        topic=fields.pop("topic", "学习贯彻会议精神"),
        held_on=held_on or day(2, 10),
        attendance=attendance,
        **fields,
    )
