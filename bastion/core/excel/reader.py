"""A fast, streaming reader for the first worksheet of an .xlsx file.

openpyxl's read-only mode builds an object per cell and re-scans the sheet for its size: about
ten seconds for a 60,000-row roster. This reader walks the sheet XML once with ElementTree's C
parser and also reports what read-only mode cannot see: merged cells and formula cells.
It resolves shared strings, inline strings, booleans, numbers and dates (by the cell's number
format, including the Chinese-locale date formats 27–36 and 50–58).
"""

from __future__ import annotations

import datetime as dt
import posixpath
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, field

REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
CJK_DATE_FORMAT_IDS = set(range(27, 37)) | set(range(50, 59))


class UnreadableWorkbook(Exception):
    pass


class TooManyRows(Exception):
    pass


@dataclass
class RawSheet:
    rows: list[tuple[int, list]]  # (Excel row number, values by column index from 0)
    merged: list[str] = field(default_factory=list)  # "A1:B1"
    formulas: list[tuple[int, int]] = field(default_factory=list)  # (row, column index)


_local_names: dict[str, str] = {}


def _local(tag: str) -> str:
    """``{namespace}row`` → ``row`` (both the transitional and the strict namespaces occur)."""
    name = _local_names.get(tag)
    if name is None:
        name = _local_names[tag] = tag.rpartition("}")[2]
    return name


def _open(archive: zipfile.ZipFile, name: str):
    try:
        return archive.open(name)
    except KeyError as exc:
        raise UnreadableWorkbook(name) from exc


def read_first_sheet(archive: zipfile.ZipFile, *, max_rows: int | None = None) -> RawSheet:
    """The first worksheet; ``TooManyRows`` as soon as more than ``max_rows`` rows hold values."""
    sheet_path, date1904 = _first_sheet_path(archive)
    strings = _shared_strings(archive)
    date_styles = _date_styles(archive)
    epoch = dt.datetime(1904, 1, 1) if date1904 else dt.datetime(1899, 12, 30)
    with _open(archive, sheet_path) as stream:
        return _parse_sheet(stream, strings, date_styles, epoch, max_rows)


def _first_sheet_path(archive: zipfile.ZipFile) -> tuple[str, bool]:
    with _open(archive, "xl/workbook.xml") as stream:
        root = ET.parse(stream).getroot()
    sheet = next((e for e in root.iter() if _local(e.tag) == "sheet"), None)
    if sheet is None:
        raise UnreadableWorkbook("no sheet")
    pr = next((e for e in root.iter() if _local(e.tag) == "workbookPr"), None)
    date1904 = pr is not None and pr.get("date1904") in ("1", "true")
    rel_id = sheet.get(f"{REL_NS}id") or sheet.get(
        "{http://purl.oclc.org/ooxml/officeDocument/relationships}id"
    )
    targets = _relationships(archive)
    target = targets.get(rel_id) if rel_id else None
    if target is None:
        raise UnreadableWorkbook("sheet relationship")
    return target, date1904


def _relationships(archive: zipfile.ZipFile) -> dict[str, str]:
    with _open(archive, "xl/_rels/workbook.xml.rels") as stream:
        root = ET.parse(stream).getroot()
    found = {}
    for rel in root:
        target = rel.get("Target", "")
        if target.startswith("/"):
            path = target.lstrip("/")
        else:
            path = posixpath.normpath(posixpath.join("xl", target))
        found[rel.get("Id")] = path
    return found


def _text_of(element) -> str:
    """Text of a string item: its <t>, or the <t> of each rich-text run; phonetic runs skipped."""
    parts = []
    for child in element:
        name = _local(child.tag)
        if name == "t":
            parts.append(child.text or "")
        elif name == "r":
            parts.extend(t.text or "" for t in child if _local(t.tag) == "t")
    return "".join(parts)


def _shared_strings(archive: zipfile.ZipFile) -> list[str]:
    if "xl/sharedStrings.xml" not in archive.namelist():
        return []
    strings = []
    with archive.open("xl/sharedStrings.xml") as stream:
        for _event, element in ET.iterparse(stream):
            if _local(element.tag) == "si":
                strings.append(_text_of(element))
                element.clear()
    return strings


def _date_styles(archive: zipfile.ZipFile) -> set[int]:
    """Indexes of the cell formats (``s`` attribute of a cell) that display a date."""
    from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format

    if "xl/styles.xml" not in archive.namelist():
        return set()
    with archive.open("xl/styles.xml") as stream:
        root = ET.parse(stream).getroot()
    custom = {}
    cell_formats = []
    for element in root:
        name = _local(element.tag)
        if name == "numFmts":
            custom = {int(f.get("numFmtId", -1)): f.get("formatCode", "") for f in element}
        elif name == "cellXfs":
            cell_formats = [int(xf.get("numFmtId", 0)) for xf in element]

    def is_date(format_id: int) -> bool:
        if format_id in CJK_DATE_FORMAT_IDS:
            return True
        code = custom.get(format_id, BUILTIN_FORMATS.get(format_id, ""))
        return bool(code) and is_date_format(code)

    return {index for index, format_id in enumerate(cell_formats) if is_date(format_id)}


_letters_cache: dict[str, int] = {}


def column_index(ref: str) -> int:
    """``"C12"`` → 2."""
    letters = ref.rstrip("0123456789")
    index = _letters_cache.get(letters)
    if index is None:
        index = 0
        for char in letters:
            index = index * 26 + (ord(char) - 64)
        index -= 1
        _letters_cache[letters] = index
    return index


def _parse_sheet(stream, strings, date_styles, epoch, max_rows) -> RawSheet:
    sheet = RawSheet(rows=[])
    row_number = 0
    for _event, element in ET.iterparse(stream):
        name = _local(element.tag)
        if name == "row":
            row_number = int(element.get("r") or row_number + 1)
            values = _parse_row(element, row_number, strings, date_styles, epoch, sheet)
            if values:
                sheet.rows.append((row_number, values))
                if max_rows is not None and len(sheet.rows) > max_rows:
                    raise TooManyRows(max_rows)
            element.clear()
        elif name == "mergeCell":
            sheet.merged.append(element.get("ref", ""))
    return sheet


def _parse_row(row, number, strings, date_styles, epoch, sheet) -> list:
    values: list = []
    position = 0
    for cell in row:
        if _local(cell.tag) != "c":
            continue
        ref = cell.get("r")
        index = column_index(ref) if ref else position
        position = index + 1
        value = _cell_value(cell, number, index, strings, date_styles, epoch, sheet)
        if value is None:
            continue
        if index >= len(values):
            values.extend([None] * (index + 1 - len(values)))
        values[index] = value
    return values


def _cell_value(cell, number, index, strings, date_styles, epoch, sheet):
    kind = cell.get("t", "n")
    raw = None
    for child in cell:
        name = _local(child.tag)
        if name == "v":
            raw = child.text
        elif name == "f":
            sheet.formulas.append((number, index))
        elif name == "is":
            return _text_of(child)
    if raw is None:
        return None
    if kind == "s":
        return strings[int(raw)]
    if kind in ("str", "e"):
        return raw
    if kind == "b":
        return raw == "1"
    if kind == "d":
        return dt.datetime.fromisoformat(raw.rstrip("Z"))
    style = cell.get("s")
    if style is not None and int(style) in date_styles:
        return epoch + dt.timedelta(days=float(raw))
    try:
        return int(raw)
    except ValueError:
        return float(raw)
