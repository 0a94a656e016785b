"""The importer skeleton every Excel importer extends.

One run: read the upload (size, type, unpacked size and row count bounded) → validate every row,
reporting progress → a preview of the first rows → commit everything in one transaction, or
nothing when any row is refused. An importer subclasses ``ExcelImport``, names its ``columns``
and fills in the hooks; the loop, the error list, the preview and the commit live only here::

    class PaymentsImport(ExcelImport):
        columns = COLUMNS

        def prepare(self): ...            # read what the rows point at, once
        def validate_row(self, row): ...  # report problems with self.errors.add(...)
        def counts(self): ...             # what the commit would create / update
        def fingerprint(self): ...        # the state of the records it would update
        def commit_rows(self): ...        # write; runs inside one transaction

    register_importer(Importer(kind=..., run=PaymentsImport.run, ...))

Every message names the Excel row and the column header, in Chinese. What was accepted but
changed on the way (a 15-digit ID number made 18 digits) is a *warning*: same shape as an error,
shown in the preview, nothing refused.

A preview is a promise: the commit writes what it showed. The validating run records the
``fingerprint`` of the records the rows would update; the commit run (given that fingerprint)
recomputes it inside its transaction and writes nothing when someone changed them meanwhile.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import bounds
from .cells import MAX_ERRORS, CellError, Column, FileRefused, convert_row, error, to_text
from .reading import read_sheet

PREVIEW_ROWS = 20
PROGRESS_EVERY = 1000
MAX_WARNINGS = 1000
CHUNK = 2000  # keys per query, well under SQLite's bound-parameter limit

Progress = Callable[[int, int], None]


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
    warnings: list[dict] = field(default_factory=list)  # accepted, but changed: tell the user
    fingerprint: str = ""  # of the records the commit would update ("" when none)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> dict:
        summary = {
            "total_rows": self.total_rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
        }
        if self.warnings:
            summary["warnings"] = self.warnings
        if self.fingerprint:
            summary["fingerprint"] = self.fingerprint
        return summary


class StalePreview(Exception):
    """The records a validated file would update changed after the preview."""


STALE = gettext_lazy(
    "数据已变化，请重新校验：校验之后，文件要更新的%(what)s已被他人修改，未写入任何数据。"
    "请重新上传文件，核对新的预览后再确认导入。"
)


class RowErrors:
    """Refusals in file order, each (row, column, message) once; the rows that have any are
    remembered so that nothing of them is written. Past ``MAX_ERRORS`` one line says so."""

    def __init__(self):
        self.items: dict[tuple, dict] = {}
        self.bad_rows: set[int] = set()
        self.truncated = False

    def add(self, row: int, column: str, message) -> None:
        self.bad_rows.add(row)
        found = error(row, column, message)
        key = (row, found["column"], found["message"])
        if key in self.items:
            return
        if len(self.items) < MAX_ERRORS:
            self.items[key] = found
        elif not self.truncated:
            self.truncated = True
            note = _("错误超过%(n)d条，其余未列出；请先改正以上错误。") % {"n": MAX_ERRORS}
            self.items[(0, "", note)] = error(0, "", note)

    def add_validation(self, row: int, column: str, exc: ValidationError) -> None:
        self.add(row, column, " ".join(str(m) for m in exc.messages))

    def add_model_errors(self, row: int, exc: ValidationError, headers: dict[str, str]) -> None:
        """A model's ``full_clean`` errors, each under the header of its field's column."""
        for name, messages in exc.message_dict.items():
            self.add(row, headers.get(name, ""), " ".join(str(m) for m in messages))

    def sorted(self) -> list[dict]:
        return sorted(self.items.values(), key=lambda e: e["row"])

    def __bool__(self) -> bool:
        return bool(self.items)


class RowWarnings:
    """What was accepted but changed (e.g. a 15-digit ID number upgraded), in file order."""

    def __init__(self):
        self.items: list[dict] = []

    def add(self, row: int, column: str, message) -> None:
        if len(self.items) < MAX_WARNINGS:
            self.items.append(error(row, column, message))
        elif len(self.items) == MAX_WARNINGS:
            note = _("提示超过%(n)d条，其余未列出。") % {"n": MAX_WARNINGS}
            self.items.append(error(0, "", note))

    def sorted(self) -> list[dict]:
        return sorted(self.items, key=lambda e: e["row"])


@dataclass
class Row:
    """One data row: its Excel number, the raw cells, the converted values, and the keys of
    the columns whose cells were refused (already reported)."""

    number: int
    raw: tuple
    data: dict
    refused: set[str]

    @property
    def ok(self) -> bool:
        return not self.refused


def chunks(values: Sequence, size: int = CHUNK) -> Iterable[Sequence]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def display(value, column: Column) -> str:
    """A converted value as the preview shows it: choices by their Chinese label."""
    if value is None:
        return ""
    if column.kind == "choice":
        return column.label_of(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


class ExcelImport:
    """The skeleton; see the module's docstring. Subclasses set ``columns`` (or override
    ``sheet_columns`` when the columns come from the database) and the hooks."""

    columns: Sequence[Column] = ()
    progress_every = PROGRESS_EVERY
    max_rows: int | None = None  # None: settings.BASTION_IMPORT_MAX_ROWS
    max_bytes: int | None = None  # None: settings.BASTION_MAX_UPLOAD_BYTES
    conflict_reason = gettext_lazy("可能有人同时修改了数据")  # said when the database refuses
    updated_what = gettext_lazy("记录")  # "…要更新的人员已被他人修改"

    def __init__(self, actor, sheet):
        self.actor = actor
        self.sheet = sheet
        self.labels = sheet.labels()
        self.present = sheet.present
        self.errors = RowErrors()
        self.warnings = RowWarnings()
        self.preview: list[dict] = []
        self.prepare()

    # --- the run -------------------------------------------------------------------------------

    @classmethod
    def sheet_columns(cls) -> Sequence[Column]:
        return cls.columns

    @classmethod
    def run(
        cls,
        *,
        actor,
        file,
        dry_run: bool = False,
        progress: Progress | None = None,
        fingerprint: str | None = None,
    ) -> ImportResult:
        """Validate ``file`` (an upload, a binary file object or a path) and, unless a row is
        refused or ``dry_run``, write it all in one transaction. ``progress(processed, total)``
        is called at the start, every ``progress_every`` rows and at the end. ``fingerprint``:
        the validated preview's; when the records to update no longer match it, nothing is
        written."""
        try:
            sheet = read_sheet(
                file,
                cls.sheet_columns(),
                max_bytes=cls.max_bytes,
                max_rows=cls.max_rows or bounds.max_rows(),
            )
        except FileRefused as exc:
            return ImportResult(errors=exc.errors, dry_run=dry_run)
        job = cls(actor, sheet)
        try:
            job.validate(progress)
        except PermissionDenied as exc:
            return ImportResult(errors=[error(0, "", str(exc))], dry_run=dry_run)
        result = job.result(dry_run)
        if result.ok and not dry_run:
            job.commit(result, expected=fingerprint)
        return result

    def validate(self, progress: Progress | None) -> None:
        rows = self.sheet.rows
        total = len(rows)
        if progress:
            progress(0, total)
        if self.before_rows():
            for index, (number, raw) in enumerate(rows):
                if progress and index and index % self.progress_every == 0:
                    progress(index, total)
                self.validate_row(self.read_row(number, raw))
            self.after_rows()
        if progress:
            progress(total, total)

    def result(self, dry_run: bool) -> ImportResult:
        errors = self.errors.sorted()
        return ImportResult(
            errors=errors,
            total_rows=len(self.sheet.rows),
            preview=self.preview_rows(),
            dry_run=dry_run,
            warnings=self.warnings.sorted(),
            # A preview records what it would update; a commit compares inside its transaction.
            fingerprint=(self.fingerprint() or "") if dry_run and not errors else "",
            **self.counts(),
        )

    def commit(self, result: ImportResult, *, expected: str | None = None) -> None:
        """All or nothing: any refusal while writing rolls everything back and is reported;
        so is a change, since the preview, to the records the file updates."""
        try:
            with transaction.atomic():
                if expected is not None and (self.fingerprint() or "") != expected:
                    raise StalePreview
                counts = self.commit_rows()
        except StalePreview:
            self._refused_while_writing(result, str(STALE) % {"what": self.updated_what})
        except IntegrityError:
            message = _("写入时与系统中的数据冲突（%(reason)s），未写入任何数据；请重新导入。")
            self._refused_while_writing(result, message % {"reason": self.conflict_reason})
        except (ValidationError, PermissionDenied) as exc:
            messages = getattr(exc, "messages", None) or [str(exc)]
            message = _("写入时出错，未写入任何数据：%(m)s") % {"m": " ".join(messages)}
            self._refused_while_writing(result, message)
        else:
            for name, value in (counts or {}).items():
                setattr(result, name, value)

    @staticmethod
    def _refused_while_writing(result: ImportResult, message: str) -> None:
        result.errors = [error(0, "", message)]
        result.created = result.updated = 0

    # --- hooks ---------------------------------------------------------------------------------

    def prepare(self) -> None:
        """Read what the rows refer to, in a few queries, before any row is checked."""

    def before_rows(self) -> bool:
        """False skips the rows (after reporting why, e.g. a sheet with no value column)."""
        return True

    def read_row(self, number: int, raw: tuple) -> Row:
        """Convert the cells by their columns; each refused cell is reported here."""
        data, problems = convert_row(self.sheet.columns, raw, self.labels)
        for column, message in problems:
            self.errors.add(number, column.header, message)
        return Row(number, raw, data, {column.key for column, _message in problems})

    def validate_row(self, row: Row) -> None:
        raise NotImplementedError

    def after_rows(self) -> None:
        """Checks across rows, once every row has been read."""

    def counts(self) -> dict:
        """``created`` / ``updated`` / ``unchanged`` as the commit would make them."""
        return {}

    def fingerprint(self) -> str | None:
        """The state, read from the database now, of the records the rows would update, e.g.
        ``digest(pk, updated_at)`` of each; None when the import only creates. Called once the
        rows are validated, and again inside the commit's transaction."""
        return None

    def commit_rows(self) -> dict | None:
        """Write; runs inside the transaction. May return the counts actually written."""
        raise NotImplementedError

    def preview_values(self, data: dict, *context) -> dict[str, str]:
        """The preview's cells of one row, by column header."""
        return {c.header: display(data.get(c.key), c) for c in self.sheet.columns}

    def preview_rows(self) -> list[dict]:
        return self.preview

    # --- helpers -------------------------------------------------------------------------------

    @staticmethod
    def digest(items: Iterable) -> str:
        """A short stable hash of ``items`` (sorted first, so the order they come in is moot)."""
        hashed = hashlib.sha256()
        for item in sorted(items):
            hashed.update(repr(item).encode())
            hashed.update(b"\n")
        return hashed.hexdigest()[:32]

    def add_preview(self, number: int, action: str, data: dict, *context) -> None:
        """``action``: create / update / unchanged / error; only the first rows are kept."""
        if len(self.preview) < PREVIEW_ROWS:
            values = self.preview_values(data, *context)
            self.preview.append({"_row": number, "_action": action, **values})

    def mark_preview_error(self, number: int) -> None:
        for entry in self.preview:
            if entry["_row"] == number:
                entry["_action"] = "error"

    def column_values(self, key: str, normalize=lambda value: value) -> list[str]:
        """Every non-empty value of one column, to read the rows they point at in bulk."""
        columns = self.sheet.columns
        index = next((i for i, c in enumerate(columns) if c.key == key), None)
        if index is None:
            return []
        found = set()
        for _number, raw in self.sheet.rows:
            try:
                text = to_text(raw[index], columns[index])
            except CellError:
                continue
            if text:
                found.add(normalize(text))
        return sorted(found)
