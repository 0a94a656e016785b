"""Reading an upload (.xlsx or .csv): size and type checks, then the header found among the
first rows (synonyms accepted) and the data rows below it."""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import bounds
from .cells import HEADER_ROW, MAX_ERRORS, Column, FileRefused, error, header_key, is_blank, refuse
from .csvfile import SNIFF_BYTES, looks_like_text, read_csv
from .reader import RawSheet, TooManyRows, UnreadableWorkbook, WorkbookTooLarge, read_first_sheet
from .synonyms import names_of

CORRUPT = gettext_lazy("文件已损坏，无法读取；请用 Excel 打开后重新保存为 .xlsx。")
UNPACKED_RATIO = 100  # an .xlsx unpacks to a few times its size; far more is a zip bomb
HEADER_SEARCH_ROWS = 10  # a roster's header sits under at most a few title and blank rows


def _name_and_size(file) -> tuple[str, int | None]:
    if isinstance(file, str | os.PathLike):
        return os.fspath(file), os.path.getsize(file)
    return str(getattr(file, "name", "") or ""), getattr(file, "size", None)


XLSX, CSV = "xlsx", "csv"


def read_upload(file, *, max_bytes: int | None = None) -> bytes:
    """Check size and type; return the bytes of a genuine .xlsx workbook or .csv text file, or
    raise FileRefused."""
    return _read(file, max_bytes=max_bytes)[1]


def _read(file, *, max_bytes: int | None = None) -> tuple[str, bytes, str]:
    """(the user's file name, the bytes, ``XLSX`` or ``CSV``) of an upload that passed the
    checks. Messages name ``file.name``: the job passes the user's own name, not ours."""
    max_bytes = max_bytes or settings.BASTION_MAX_UPLOAD_BYTES
    name, size = _name_and_size(file)
    if size is not None and size > max_bytes:
        raise _too_big(size, max_bytes)
    if isinstance(file, str | os.PathLike):
        with open(file, "rb") as handle:
            data = handle.read(max_bytes + 1)
    else:
        if hasattr(file, "seek"):
            file.seek(0)
        data = file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise _too_big(len(data), max_bytes)
    if not data:
        raise refuse(_("文件是空的（0 字节），请选择填写好的 Excel 文件。"))
    kind = _check_type(name, data, max_unpacked=UNPACKED_RATIO * max_bytes)
    return os.path.basename(name), data, kind


def _too_big(size: int, max_bytes: int) -> FileRefused:
    return refuse(
        _("文件大小为 %(size).1f MB，超过了上限 %(max).1f MB；请分成多个文件导入。")
        % {"size": size / 1048576, "max": max_bytes / 1048576}
    )


def _check_type(name: str, data: bytes, *, max_unpacked: int) -> str:
    """By content and name together: an .xlsx must be a workbook, a .csv must be text; a
    renamed .png, .docx or .xls is refused."""
    shown = os.path.basename(name) or "?"
    lower = name.lower()
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise refuse(_("这是旧版 Excel（.xls）文件，请在 Excel 中“另存为” .xlsx 格式后再上传。"))
    if not data.startswith(b"PK\x03\x04"):
        if lower.endswith(".csv") and looks_like_text(data):
            return CSV
        if not name and looks_like_text(data) and _has_delimiter(data):
            return CSV  # a nameless file (a path-less stream): text with columns is a CSV
        if lower.endswith(".csv"):
            raise refuse(
                _("文件“%(name)s”不是文本格式的 CSV 文件；请在 Excel 中另存为 CSV 或 .xlsx。")
                % {"name": shown}
            )
        raise refuse(
            _("文件“%(name)s”不是 Excel 工作簿，只接受 .xlsx 或 .csv 格式。") % {"name": shown}
        )
    if name and not lower.endswith(".xlsx"):
        raise refuse(_("只接受扩展名为 .xlsx 的 Excel 文件，“%(name)s”不是。") % {"name": shown})
    _check_workbook(data, max_unpacked)
    return XLSX


def _has_delimiter(data: bytes) -> bool:
    sample = data[:SNIFF_BYTES]
    return b"\n" in sample and any(mark in sample for mark in (b",", b"\t", b";"))


def _check_workbook(data: bytes, max_unpacked: int) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError) as exc:
        raise refuse(str(CORRUPT)) from exc
    if "xl/workbook.xml" not in names:
        raise refuse(
            _("文件不是 Excel 工作簿（可能是 Word 文档或其他压缩包），只接受 .xlsx 或 .csv 格式。")
        )
    if unpacked > max_unpacked:
        raise refuse(_("文件解压后过大，无法读取；请分成多个文件导入。"))


@dataclass
class Sheet:
    """The first worksheet: the recognised columns in file order and the non-empty data rows
    below the header (``header_row``: the Excel row the header was found in)."""

    columns: list[Column]
    rows: list[tuple[int, tuple]]  # (Excel row number, raw values aligned with ``columns``)
    present: set[str] = field(default_factory=set)
    header_row: int = HEADER_ROW

    def labels(self) -> dict[str, dict[str, str]]:
        return {c.key: c.labels() for c in self.columns if c.kind == "choice"}


def read_sheet(
    file, columns: Sequence[Column], *, max_bytes: int | None = None, max_rows: int | None = None
) -> Sheet:
    """Read the first worksheet (or the CSV file); raise FileRefused naming every file-level
    problem, among them more than ``max_rows`` data rows. Title and blank rows above the
    header are skipped; row numbers stay the file's own."""
    name, data, kind = _read(file, max_bytes=max_bytes)
    try:
        limit = None if max_rows is None else max_rows + HEADER_SEARCH_ROWS
        if kind == CSV:
            raw = read_csv(data, name=name, max_rows=limit)
        else:
            archive = zipfile.ZipFile(io.BytesIO(data))
            raw = read_first_sheet(
                archive, max_rows=limit, max_unpacked_bytes=bounds.max_unpacked_bytes()
            )
    except WorkbookTooLarge as exc:  # a small file that unpacks into millions of rows or strings
        raise bounds.too_large(exc) from None
    except TooManyRows:
        raise _too_many_rows(max_rows) from None
    except (
        UnreadableWorkbook,
        zipfile.BadZipFile,
        ValueError,
        IndexError,
        SyntaxError,
        OverflowError,
    ) as exc:
        # ElementTree's ParseError is a SyntaxError; a bad number or string index a ValueError
        # or IndexError, a date beyond the calendar an OverflowError: all mean the file is not
        # a sound workbook.
        raise refuse(str(CORRUPT)) from exc
    header_row, header = _find_header(raw, columns)
    picked = _match_header(header, columns, header_row)
    _check_merges_and_formulas(raw, header, header_row)
    sheet = _collect_rows(raw, picked, header_row)
    if not sheet.rows:
        raise refuse(
            _("文件只有表头，没有数据行；请从第%(row)d行开始填写数据。") % {"row": header_row + 1}
        )
    if max_rows is not None and len(sheet.rows) > max_rows:
        raise _too_many_rows(max_rows)
    return sheet


def _too_many_rows(max_rows) -> FileRefused:
    return refuse(_("文件的数据超过了%(max)d行的上限；请分成多个文件导入。") % {"max": max_rows})


def _names(columns: Sequence[Column]) -> dict[str, Column]:
    """Header word → column; a column's own header wins over another column's alias."""
    found = {}
    for column in columns:
        for word in names_of(column)[1:]:
            found.setdefault(header_key(word), column)
    found.update((header_key(c.header), c) for c in columns)
    return found


def _find_header(raw: RawSheet, columns: Sequence[Column]) -> tuple[int, list]:
    """(row number, cells) of the header: among the first ``HEADER_SEARCH_ROWS`` rows, the one
    naming the most columns (the first such). Title rows and blank rows above it name none.
    When no row names any column the first non-empty row is taken, so its words are reported."""
    names = _names(columns)
    best: tuple[int, int, list] | None = None  # (columns named, row, cells)
    for number, values in raw.rows:
        if number > HEADER_SEARCH_ROWS:
            break
        named = len({names[k].key for k in map(header_key, values) if k in names})
        if best is None or named > best[0]:
            best = (named, number, values)
    if best is None:
        message = _("工作表的前%(n)d行都是空的，没有找到表头；请使用导入模板，第1行为表头。")
        raise refuse(message % {"n": HEADER_SEARCH_ROWS}, row=HEADER_ROW)
    return best[1], best[2]


def _match_header(header: list, columns: Sequence[Column], row: int) -> list[tuple[int, Column]]:
    names = _names(columns)
    picked: list[tuple[int, Column]] = []
    seen: dict[str, tuple[int, str]] = {}  # column key → (index, header word used)
    problems = []
    for index, value in enumerate(header):
        text = header_key(value)
        if not text:
            continue
        column = names.get(text)
        letter = _letter(index)
        if column is None:
            message = _("第%(letter)s列的表头“%(text)s”不是模板中的列，请改正或删除该列。")
            problems.append(error(row, text, message % {"letter": letter, "text": text}))
        elif column.key in seen:
            first, word = seen[column.key]
            problems.append(error(row, text, _twice(text, word, column, _letter(first), letter)))
        else:
            seen[column.key] = (index, text)
            picked.append((index, column))
    for column in columns:
        if column.required and column.key not in seen:
            message = _("缺少必填列“%(column)s”，请使用导入模板。") % {"column": column.header}
            problems.append(error(row, column.header, message))
    if problems:
        raise FileRefused(problems)
    return picked


def _twice(text: str, word: str, column: Column, first: str, second: str) -> str:
    if text == word:
        message = _("表头“%(text)s”出现了两次（第%(a)s列和第%(b)s列）。")
        return message % {"text": text, "a": first, "b": second}
    message = _("第%(a)s列“%(word)s”和第%(b)s列“%(text)s”都是“%(column)s”列，请删除其中一列。")
    return message % {"word": word, "text": text, "column": column.header, "a": first, "b": second}


def _letter(index: int) -> str:
    """Column index from 0 → Excel letters."""
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def _header_name(header: list, index: int) -> str:
    text = header_key(header[index]) if 0 <= index < len(header) else ""
    return text or _("第%(letter)s列") % {"letter": _letter(index)}


def _check_merges_and_formulas(raw: RawSheet, header: list, header_row: int) -> None:
    """Merged cells in the header row, formulas in it or below. A title above the header may
    be merged (branches centre it over the table): it is not read."""
    from openpyxl.utils.cell import range_boundaries

    problems = []
    for ref in raw.merged:
        try:
            min_col, min_row, _max_col, max_row = range_boundaries(ref)
        except ValueError:
            continue
        if min_row <= header_row <= max_row:
            message = _("表头存在合并单元格（%(ref)s），请取消合并，每列只写一个表头。")
            problems.append(
                error(header_row, _header_name(header, min_col - 1), message % {"ref": ref})
            )
    formulas = [(row, index) for row, index in raw.formulas if row >= header_row]
    for row, index in formulas[:MAX_ERRORS]:
        message = _("单元格 %(cell)s 是公式；导入只接受直接填写的值，请复制后“选择性粘贴为数值”。")
        cell = f"{_letter(index)}{row}"
        problems.append(error(row, _header_name(header, index), message % {"cell": cell}))
    if problems:
        raise FileRefused(problems)


def _collect_rows(raw: RawSheet, picked: list[tuple[int, Column]], header_row: int) -> Sheet:
    indexes = [index for index, _column in picked]
    width = max(indexes) + 1
    collected = []
    for number, values in raw.rows:
        if number <= header_row or all(is_blank(v) for v in values):
            continue
        if len(values) < width:
            values = values + [None] * (width - len(values))
        collected.append((number, tuple(values[i] for i in indexes)))
    columns = [column for _index, column in picked]
    return Sheet(
        columns=columns, rows=collected, present={c.key for c in columns}, header_row=header_row
    )
