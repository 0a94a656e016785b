"""Excel in and out for every importer: safe reading, cell conversion, writing, the registry.

Core knows no domain app. An app describes its sheet as a list of ``Column``, extends the
importer skeleton ``ExcelImport`` (``importing.py``) and registers its ``run`` with
``register_importer``; the background job (``bastion.core.jobs``) finds it by the
``ImportJob.kind``. Every refusal is a dict ``{"row", "column", "message"}`` in Chinese: the Excel
row number (0 for the whole file), the column header ("" when no column) and the reason.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
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
from .importing import (
    PREVIEW_ROWS,
    ExcelImport,
    ImportResult,
    Row,
    RowErrors,
    chunks,
    display,
)
from .reading import Sheet, read_sheet, read_upload
from .writer import build_workbook, inert_cell, inert_row

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

__all__ = [
    "DATE_FORMATS_TEXT",
    "HEADER_ROW",
    "MAX_ERRORS",
    "PREVIEW_ROWS",
    "XLSX_CONTENT_TYPE",
    "CellError",
    "Column",
    "ExcelImport",
    "FileRefused",
    "ImportResult",
    "Importer",
    "Row",
    "RowErrors",
    "Sheet",
    "build_workbook",
    "chunks",
    "convert_row",
    "display",
    "error",
    "get_importer",
    "header_key",
    "inert_cell",
    "inert_row",
    "is_blank",
    "read_sheet",
    "read_upload",
    "refuse",
    "register_importer",
    "to_choice",
    "to_date",
    "to_text",
]


# --- the importer registry -----------------------------------------------------------------


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
    # template_for(user): the template filled with what ``user`` may import (e.g. their stations)
    template_for: Callable[[Any], bytes] | None = None

    def template_of(self, user) -> bytes:
        """The template ``user`` downloads."""
        return self.template_for(user) if self.template_for else self.template()


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
