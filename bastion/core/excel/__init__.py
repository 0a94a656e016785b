"""Excel in and out for every importer: safe reading, cell conversion, writing, the registry.

Core knows no domain app. An app describes its sheet as a list of ``Column`` and registers a
runner with ``register_importer``; the background job (``bastion.core.tasks``) finds it by the
``ImportJob.kind``. Every refusal is a dict ``{"row", "column", "message"}`` in Chinese: the Excel
row number (0 for the whole file), the column header ("" when no column) and the reason.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .cells import (
    DATE_FORMATS_TEXT,
    HEADER_ROW,
    MAX_ERRORS,
    CellError,
    Column,
    FileRefused,
    convert_row,
    error,
    header_key,
    is_blank,
    refuse,
    to_choice,
    to_date,
    to_text,
)
from .reading import Sheet, read_sheet, read_upload
from .writer import build_workbook

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

__all__ = [
    "DATE_FORMATS_TEXT", "HEADER_ROW", "MAX_ERRORS", "XLSX_CONTENT_TYPE", "CellError", "Column",
    "FileRefused", "ImportResult", "Importer", "Sheet", "build_workbook", "convert_row", "error",
    "get_importer", "header_key", "is_blank", "read_sheet", "read_upload", "refuse",
    "register_importer", "to_choice", "to_date", "to_text",
]  # fmt: skip


# --- results and the importer registry ----------------------------------------------------


@dataclass
class ImportResult:
    """What an import found and did. ``ok`` is false when any error exists (nothing written)."""

    errors: list[dict] = field(default_factory=list)
    total_rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    preview: list[dict] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> dict:
        return {
            "total_rows": self.total_rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
        }


Runner = Callable[..., ImportResult]


@dataclass(frozen=True)
class Importer:
    kind: str
    label: Any
    permission: str  # e.g. "orgs.import_person": needed somewhere to start an import
    run: Runner  # run(*, actor, file, dry_run, progress) -> ImportResult
    columns: Sequence[Column]
    template: Callable[[], bytes]
    back: str = "home"  # the url name the import pages return to (the list the rows land in)


_importers: dict[str, Importer] = {}
_discovered = False


def register_importer(importer: Importer) -> None:
    _importers[importer.kind] = importer


def get_importer(kind: str) -> Importer:
    """The importer registered for ``kind``; apps register in their ``importers`` module."""
    global _discovered
    if kind not in _importers and not _discovered:
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("importers")
        _discovered = True
    try:
        return _importers[kind]
    except KeyError:
        raise LookupError(kind) from None
