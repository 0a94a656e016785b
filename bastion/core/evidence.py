"""Evidence: files that prove work was done (photos, documents), for any record that carries them.

One abstract model (``EvidenceFile``: the stored file, its original name, its size, when it came),
the upload checks and one scoped download response.

The type is read from the content (magic bytes), never trusted from the name or the browser:
JPEG, PNG, PDF, Office Open XML (a zip whose ``[Content_Types].xml`` names the main part of a
Word, Excel or PowerPoint document) and legacy Word/Excel files (OLE compound header). The
name's extension must agree with the content. Size is capped by ``BASTION_MAX_ATTACHMENT_BYTES``
(default 20 MB). Every refusal names the file in Chinese; the checks write nothing.

A download is served only from a queryset already narrowed to the reader's scope
(``download(rows, pk)``): a file outside it is 404, as its record is.
"""

from __future__ import annotations

import os
import unicodedata
import uuid
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
HEAD_BYTES = 16
# Bytes of [Content_Types].xml read at most: the real file is a few kilobytes.
CONTENT_TYPES_LIMIT = 256 * 1024


class EvidenceKind(models.TextChoices):
    """What a file is, read from its content."""

    PHOTO = "photo", gettext_lazy("照片")
    DOCUMENT = "document", gettext_lazy("文档")


PHOTO = EvidenceKind.PHOTO.value
DOCUMENT = EvidenceKind.DOCUMENT.value


@dataclass(frozen=True)
class FileType:
    code: str
    label: str
    kind: str  # photo / document
    mime: str
    extensions: tuple[str, ...]


JPEG = FileType("jpeg", "JPEG", PHOTO, "image/jpeg", ("jpg", "jpeg"))
PNG = FileType("png", "PNG", PHOTO, "image/png", ("png",))
PDF = FileType("pdf", "PDF", DOCUMENT, "application/pdf", ("pdf",))
DOCX = FileType(
    "docx",
    "Word",
    DOCUMENT,
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ("docx",),
)
XLSX = FileType(
    "xlsx",
    "Excel",
    DOCUMENT,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ("xlsx",),
)
PPTX = FileType(
    "pptx",
    "PowerPoint",
    DOCUMENT,
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ("pptx",),
)
DOC = FileType("doc", "Word 97-2003", DOCUMENT, "application/msword", ("doc",))
XLS = FileType("xls", "Excel 97-2003", DOCUMENT, "application/vnd.ms-excel", ("xls",))

ALL_TYPES = (JPEG, PNG, PDF, DOCX, XLSX, PPTX, DOC, XLS)

# The content type of the main part of each Office Open XML document (macro-free only).
OOXML_MAIN = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": DOCX,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": XLSX,
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": PPTX,
}
OLE_BY_EXTENSION = {"doc": DOC, "xls": XLS}

MAGIC_JPEG = b"\xff\xd8\xff"
MAGIC_PNG = b"\x89PNG\r\n\x1a\n"
MAGIC_PDF = b"%PDF-"
MAGIC_ZIP = b"PK\x03\x04"
MAGIC_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed the checks, with what was learnt about it."""

    upload: object
    original_name: str
    file_type: FileType
    size: int

    @property
    def kind(self) -> str:
        return self.file_type.kind

    @property
    def extension(self) -> str:
        return self.file_type.extensions[0]

    def storage_name(self) -> str:
        """A safe stored name; the original name is kept in the database for downloads."""
        return f"{uuid.uuid4().hex}.{self.extension}"


def max_upload_bytes() -> int:
    return int(getattr(settings, "BASTION_MAX_ATTACHMENT_BYTES", DEFAULT_MAX_BYTES))


def clean_name(name: str) -> str:
    """The bare file name, without folders or control characters (PostgreSQL rejects NUL)."""
    name = os.path.basename((name or "").replace("\\", "/"))
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    return name[:255] or _("未命名文件")


def human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size} B"


def allowed_types_text(types=ALL_TYPES) -> str:
    return "、".join(dict.fromkeys(t.label.split(" ")[0] for t in types))


def accept_attribute(types=ALL_TYPES) -> str:
    """For ``<input type=file accept=...>``: a hint to the browser, not a check."""
    return ",".join(f".{ext}" for t in types for ext in t.extensions)


def _extension(name: str) -> str:
    return os.path.splitext(name)[1].lstrip(".").lower()


def _read_head(upload) -> bytes:
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    return head or b""


def _ooxml_type(upload) -> FileType | None:
    """The document type named by the zip's [Content_Types].xml, or None."""
    try:
        upload.seek(0)
        with zipfile.ZipFile(upload) as archive:
            info = archive.getinfo("[Content_Types].xml")
            if info.file_size > CONTENT_TYPES_LIMIT:
                return None
            text = archive.read(info).decode("utf-8", errors="replace")
    except (KeyError, zipfile.BadZipFile, OSError, EOFError, RuntimeError, ValueError):
        return None
    finally:
        upload.seek(0)
    for main_type, file_type in OOXML_MAIN.items():
        if f'ContentType="{main_type}"' in text or f"ContentType='{main_type}'" in text:
            return file_type
    return None


def detect_type(upload, name: str) -> FileType | None:
    """What the content is, from its first bytes (and, for zip and OLE files, a bit more)."""
    head = _read_head(upload)
    if head.startswith(MAGIC_JPEG):
        return JPEG
    if head.startswith(MAGIC_PNG):
        return PNG
    if head.startswith(MAGIC_PDF):
        return PDF
    if head.startswith(MAGIC_ZIP):
        return _ooxml_type(upload)
    if head.startswith(MAGIC_OLE):
        # Word and Excel 97-2003 share the compound-file header; the name tells them apart.
        return OLE_BY_EXTENSION.get(_extension(name))
    return None


def check_upload(upload, *, types=ALL_TYPES, max_bytes: int | None = None) -> CheckedFile:
    """Check one uploaded file; raise ValidationError with a Chinese message naming it."""
    name = clean_name(getattr(upload, "name", ""))
    limit = max_upload_bytes() if max_bytes is None else max_bytes
    size = getattr(upload, "size", None)
    if size is None:
        raise ValidationError(_("文件“%(name)s”无法读取，请重新上传。") % {"name": name})
    if size == 0:
        raise ValidationError(_("文件“%(name)s”是空文件，请重新上传。") % {"name": name})
    if size > limit:
        raise ValidationError(
            _("文件“%(name)s”大小为 %(size)s，超过上限 %(limit)s。")
            % {"name": name, "size": human_size(size), "limit": human_size(limit)}
        )
    try:
        file_type = detect_type(upload, name)
    except (OSError, ValueError) as exc:
        raise ValidationError(_("文件“%(name)s”无法读取，请重新上传。") % {"name": name}) from exc
    if file_type is None or file_type not in types:
        raise ValidationError(
            _("文件“%(name)s”不是允许的类型（仅限 %(types)s），已拒收。")
            % {"name": name, "types": allowed_types_text(types)}
        )
    if _extension(name) not in file_type.extensions:
        raise ValidationError(
            _("文件“%(name)s”的内容是 %(actual)s 文件，与扩展名不符，请核对后重新上传。")
            % {"name": name, "actual": file_type.label}
        )
    return CheckedFile(upload=upload, original_name=name, file_type=file_type, size=size)


def check_uploads(files, *, types=ALL_TYPES, max_bytes: int | None = None) -> list[CheckedFile]:
    """Check every file and report every bad one at once (nothing is written)."""
    checked, errors = [], []
    for upload in files or ():
        try:
            checked.append(check_upload(upload, types=types, max_bytes=max_bytes))
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    return checked


def type_for_name(name: str) -> FileType | None:
    """The stored file's type from its (safe, generated) extension: for serving downloads."""
    ext = _extension(name)
    for file_type in ALL_TYPES:
        if ext in file_type.extensions:
            return file_type
    return None


# --- downloads --------------------------------------------------------------------------------


def file_response(stored, name: str, *, inline: bool = False) -> FileResponse:
    """Serve a stored upload under its original ``name``: the type from its generated
    extension, never sniffed, sandboxed, so evidence cannot run in the reader's browser."""
    if not stored:
        raise Http404
    file_type = type_for_name(stored.name)
    try:
        handle = stored.open("rb")
    except (FileNotFoundError, OSError, ValueError) as exc:
        raise Http404 from exc
    response = FileResponse(
        handle,
        as_attachment=not inline,
        filename=name or os.path.basename(stored.name),
        content_type=file_type.mime if file_type else "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, max-age=3600"
    return response


def download(rows, pk, *, inline: bool = False) -> FileResponse:
    """The one scoped download: the file of row ``pk`` among ``rows`` (evidence rows already
    narrowed to the reader's scope, e.g. ``ProblemEvidence.objects.restrict(user, "view")``),
    404 for anything else. ``inline`` shows a photo in the page instead of saving it."""
    try:
        row = get_object_or_404(rows, pk=pk)
    except (ValueError, TypeError, ValidationError) as exc:  # not an id at all
        raise Http404 from exc
    return row.response(inline=inline)


# --- the abstract model -----------------------------------------------------------------------


def evidence_upload_to(instance, filename: str) -> str:
    """``<the model's upload_folder>/<generated name>``: the folder names the owning record."""
    return f"{instance.upload_folder.format_map(vars(instance))}/{filename}"


class EvidenceFile(models.Model):
    """A stored evidence file of one record. Concrete models add the record's foreign key and
    name their folder: ``upload_folder = "problems/{problem_id}"`` (formatted with the row's
    attributes). Files are stored under a generated name; the original name serves downloads."""

    upload_folder = "evidence"

    file = models.FileField(gettext_lazy("文件"), upload_to=evidence_upload_to)
    original_name = models.CharField(gettext_lazy("文件名"), max_length=255)
    size = models.PositiveIntegerField(gettext_lazy("大小（字节）"))
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.original_name

    @classmethod
    def from_checked(cls, checked: CheckedFile, **fields):
        """An unsaved row holding ``checked`` (stored under a generated name, nothing else is
        written until the caller saves the row)."""
        row = cls(original_name=checked.original_name, size=checked.size, **fields)
        row.file.save(checked.storage_name(), checked.upload, save=False)
        return row

    @property
    def file_type(self) -> FileType | None:
        return type_for_name(self.file.name)

    @property
    def is_photo(self) -> bool:
        file_type = self.file_type
        return file_type is not None and file_type.kind == PHOTO

    def response(self, *, inline: bool = False) -> FileResponse:
        """This file as a download (or, for a photo with ``inline``, shown in the page)."""
        return file_response(self.file, self.original_name, inline=inline and self.is_photo)
