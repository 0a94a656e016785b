"""Pieces both importers share: error collection, progress ticks, key prefetching, previews."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from bastion.core.excel import MAX_ERRORS, CellError, Column, error, to_text

PREVIEW_ROWS = 20
PROGRESS_EVERY = 1000
CHUNK = 2000  # well under SQLite's bound-parameter limit


class Errors:
    """Row errors in file order; rows with any error are remembered so they are not written."""

    def __init__(self):
        self.items: list[dict] = []
        self.bad_rows: set[int] = set()
        self.truncated = False

    def add(self, row: int, column: str, message) -> None:
        self.bad_rows.add(row)
        if len(self.items) < MAX_ERRORS:
            self.items.append(error(row, column, message))
        elif not self.truncated:
            self.truncated = True
            self.items.append(
                error(
                    0, "", _("错误超过%(n)d条，其余未列出；请先改正以上错误。") % {"n": MAX_ERRORS}
                )
            )

    def add_model_errors(self, row: int, exc: ValidationError, headers: dict[str, str]) -> None:
        for field, messages in exc.message_dict.items():
            self.add(row, headers.get(field, ""), " ".join(str(m) for m in messages))

    def sorted(self) -> list[dict]:
        return sorted(self.items, key=lambda e: e["row"])


def ticker(progress: Callable[[int, int], None] | None, total: int) -> Callable[[int], None]:
    """Call ``progress`` every PROGRESS_EVERY rows (and at the start)."""
    if progress is None:
        return lambda index: None
    progress(0, total)

    def tick(index: int) -> None:
        if index and index % PROGRESS_EVERY == 0:
            progress(index, total)

    return tick


def chunks(values: Sequence, size: int = CHUNK) -> Iterable[Sequence]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def raw_keys(sheet, key: str, normalize=lambda v: v) -> list[str]:
    """Every non-empty value of one column, for prefetching the rows they point at."""
    columns = sheet.columns
    index = next((i for i, c in enumerate(columns) if c.key == key), None)
    if index is None:
        return []
    found = set()
    for _number, raw in sheet.rows:
        try:
            text = to_text(raw[index], columns[index])
        except CellError:
            continue
        if text:
            found.add(normalize(text))
    return sorted(found)


def display(value, column: Column) -> str:
    if value is None:
        return ""
    if column.kind == "choice":
        return column.label_of(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def preview_row(number: int, action: str, values: dict[str, str]) -> dict:
    """``_row`` and ``_action`` (create / update / unchanged / error) beside the cell texts."""
    return {"_row": number, "_action": action, **values}
