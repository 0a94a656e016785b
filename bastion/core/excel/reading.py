"""Reading an upload: size and type checks, then the first worksheet under known headers."""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .cells import HEADER_ROW, MAX_ERRORS, Column, FileRefused, error, header_key, is_blank, refuse
from .reader import RawSheet, TooManyRows, UnreadableWorkbook, read_first_sheet

CORRUPT = gettext_lazy("文件已损坏，无法读取；请用 Excel 打开后重新保存为 .xlsx。")
UNPACKED_RATIO = 100  # an .xlsx unpacks to a few times its size; far more is a zip bomb


def _name_and_size(file) -> tuple[str, int | None]:
    if isinstance(file, str | os.PathLike):
        return os.fspath(file), os.path.getsize(file)
    return str(getattr(file, "name", "") or ""), getattr(file, "size", None)


def read_upload(file, *, max_bytes: int | None = None) -> bytes:
    """Check size and type; return the bytes of a genuine .xlsx workbook or raise FileRefused."""
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
    _check_type(name, data, max_unpacked=UNPACKED_RATIO * max_bytes)
    return data


def _too_big(size: int, max_bytes: int) -> FileRefused:
    return refuse(
        _("文件大小为 %(size).1f MB，超过了上限 %(max).1f MB；请分成多个文件导入。")
        % {"size": size / 1048576, "max": max_bytes / 1048576}
    )


def _check_type(name: str, data: bytes, *, max_unpacked: int) -> None:
    """By content, not by name: a renamed .csv, .png, .docx or .xls is refused."""
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise refuse(_("这是旧版 Excel（.xls）文件，请在 Excel 中“另存为” .xlsx 格式后再上传。"))
    if not data.startswith(b"PK\x03\x04"):
        raise refuse(
            _("文件“%(name)s”不是 Excel 工作簿，只接受 .xlsx 格式。")
            % {"name": os.path.basename(name) or "?"}
        )
    if name and not name.lower().endswith(".xlsx"):
        raise refuse(
            _("只接受扩展名为 .xlsx 的 Excel 文件，“%(name)s”不是。")
            % {"name": os.path.basename(name)}
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError) as exc:
        raise refuse(str(CORRUPT)) from exc
    if "xl/workbook.xml" not in names:
        raise refuse(
            _("文件不是 Excel 工作簿（可能是 Word 文档或其他压缩包），只接受 .xlsx 格式。")
        )
    if unpacked > max_unpacked:
        raise refuse(_("文件解压后过大，无法读取；请分成多个文件导入。"))


@dataclass
class Sheet:
    """The first worksheet: the recognised columns in file order and the non-empty data rows."""

    columns: list[Column]
    rows: list[tuple[int, tuple]]  # (Excel row number, raw values aligned with ``columns``)
    present: set[str] = field(default_factory=set)

    def labels(self) -> dict[str, dict[str, str]]:
        return {c.key: c.labels() for c in self.columns if c.kind == "choice"}


def read_sheet(
    file, columns: Sequence[Column], *, max_bytes: int | None = None, max_rows: int | None = None
) -> Sheet:
    """Read the first worksheet; raise FileRefused naming every file-level problem, among them
    more than ``max_rows`` data rows."""
    data = read_upload(file, max_bytes=max_bytes)
    try:
        limit = None if max_rows is None else max_rows + HEADER_ROW
        raw = read_first_sheet(zipfile.ZipFile(io.BytesIO(data)), max_rows=limit)
    except TooManyRows:
        raise refuse(
            _("文件的数据超过了%(max)d行的上限；请分成多个文件导入。") % {"max": max_rows}
        ) from None
    except (UnreadableWorkbook, zipfile.BadZipFile, ValueError, IndexError, SyntaxError) as exc:
        # ElementTree's ParseError is a SyntaxError; a bad number or string index a ValueError
        # or IndexError: all mean the file is not a sound workbook.
        raise refuse(str(CORRUPT)) from exc
    header = raw.rows[0][1] if raw.rows and raw.rows[0][0] == HEADER_ROW else []
    if all(is_blank(v) for v in header):
        raise refuse(_("工作表第1行应为表头，但它是空的；请使用导入模板。"), row=HEADER_ROW)
    picked = _match_header(header, columns)
    _check_merges_and_formulas(raw, header)
    sheet = _collect_rows(raw, picked)
    if not sheet.rows:
        raise refuse(_("文件只有表头，没有数据行；请从第2行开始填写数据。"))
    return sheet


def _match_header(header: list, columns: Sequence[Column]) -> list[tuple[int, Column]]:
    by_header = {c.header: c for c in columns}
    picked: list[tuple[int, Column]] = []
    seen: dict[str, int] = {}
    problems = []
    for index, value in enumerate(header):
        text = header_key(value)
        if not text:
            continue
        column = by_header.get(text)
        letter = _letter(index)
        if column is None:
            message = _("第%(letter)s列的表头“%(text)s”不是模板中的列，请改正或删除该列。")
            problems.append(error(HEADER_ROW, text, message % {"letter": letter, "text": text}))
        elif text in seen:
            message = _("表头“%(text)s”出现了两次（第%(a)s列和第%(b)s列）。")
            values = {"text": text, "a": _letter(seen[text]), "b": letter}
            problems.append(error(HEADER_ROW, text, message % values))
        else:
            seen[text] = index
            picked.append((index, column))
    for column in columns:
        if column.required and column.header not in seen:
            message = _("缺少必填列“%(column)s”，请使用导入模板。") % {"column": column.header}
            problems.append(error(HEADER_ROW, column.header, message))
    if problems:
        raise FileRefused(problems)
    return picked


def _letter(index: int) -> str:
    """Column index from 0 → Excel letters."""
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def _header_name(header: list, index: int) -> str:
    text = header_key(header[index]) if 0 <= index < len(header) else ""
    return text or _("第%(letter)s列") % {"letter": _letter(index)}


def _check_merges_and_formulas(raw: RawSheet, header: list) -> None:
    from openpyxl.utils.cell import range_boundaries

    problems = []
    for ref in raw.merged:
        try:
            min_col, min_row, _max_col, max_row = range_boundaries(ref)
        except ValueError:
            continue
        if min_row <= HEADER_ROW <= max_row:
            message = _("表头存在合并单元格（%(ref)s），请取消合并，每列只写一个表头。")
            problems.append(
                error(HEADER_ROW, _header_name(header, min_col - 1), message % {"ref": ref})
            )
    for row, index in raw.formulas[:MAX_ERRORS]:
        message = _("单元格 %(cell)s 是公式；导入只接受直接填写的值，请复制后“选择性粘贴为数值”。")
        cell = f"{_letter(index)}{row}"
        problems.append(error(row, _header_name(header, index), message % {"cell": cell}))
    if problems:
        raise FileRefused(problems)


def _collect_rows(raw: RawSheet, picked: list[tuple[int, Column]]) -> Sheet:
    indexes = [index for index, _column in picked]
    width = max(indexes) + 1
    collected = []
    for number, values in raw.rows:
        if number <= HEADER_ROW or all(is_blank(v) for v in values):
            continue
        if len(values) < width:
            values = values + [None] * (width - len(values))
        collected.append((number, tuple(values[i] for i in indexes)))
    columns = [column for _index, column in picked]
    return Sheet(columns=columns, rows=collected, present={c.key for c in columns})
