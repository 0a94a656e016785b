"""A fast, streaming and bounded reader for the first worksheet of an .xlsx file.

openpyxl's read-only mode builds an object per cell and re-scans the sheet for its size: about
ten seconds for a 60,000-row roster. This reader walks the sheet XML once with ElementTree's C
parser and also reports what read-only mode cannot see: merged cells and formula cells.
It resolves shared strings, inline strings, booleans, numbers and dates (by the cell's number
format, including the Chinese-locale date formats 27–36 and 50–58).

A small file may unpack into millions of rows or strings (a "zip bomb"), so everything is
bounded by ``Limits`` and refused as soon as a bound is passed, never after: every ``<row>``
element counts (blank ones too), every byte that leaves the decompressor counts (whatever the
zip declares), the shared strings are counted (entries and characters), and each element is
detached from the tree once read, so memory stays flat however long a part is.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, field

REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
STRICT_REL_NS = "{http://purl.oclc.org/ooxml/officeDocument/relationships}"
CJK_DATE_FORMAT_IDS = set(range(27, 37)) | set(range(50, 59))
EVENTS = ("start", "end")
READ_CHUNK = 64 * 1024
# Small feeds keep expat's event queue in cache: ~20 % faster than iterparse's 16 KB.
FEED_CHUNK = 4 * 1024
PRESCAN_CHUNK = 1024 * 1024
# A cell holds at most 32,767 characters (about 96 KB in UTF-8): a longer run of text or
# attribute without a tag is no spreadsheet, only a way to make the parser hold it all.
MAX_TEXT_RUN = 1024 * 1024
# Elements inside one row or one string: a row of 16,384 styled empty cells is still allowed.
MAX_ELEMENTS_PER_RECORD = 50_000
MAX_COLUMNS = 256  # a value right of column IV is refused, naming its cell
MAX_MERGES = 10_000
# Elements of the small parts (workbook, its relationships, styles): an awful styles.xml with
# Excel's 64,000 formats holds a few hundred thousand.
MAX_PART_ELEMENTS = 1_000_000
KEPT_FORMULAS = 1_000  # the first formula cells are enough to name them in the refusal
# Bounds in proportion to the row bound (``Limits``), each generous for a real roster.
CELLS_PER_ROW = 32  # stored cell slots: a wide sparse sheet cannot fill memory
ELEMENTS_PER_ROW = 48  # sheet elements (a cell with a value takes 2 or 3)
STRINGS_PER_ROW = 8  # shared-string entries (a roster has ~6 distinct texts a row)
STRING_CHARS_PER_ROW = 256  # shared-string characters (~150 in a roster)


class UnreadableWorkbook(Exception):
    pass


class WorkbookTooLarge(Exception):
    """A bound of ``Limits`` was passed; ``limit`` is the bound, ``where`` a cell when known."""

    def __init__(self, limit: int, where: str = ""):
        super().__init__(limit, where)
        self.limit = limit
        self.where = where


class TooManyRows(Exception):
    """More rows than allowed (any reader: .xlsx or .csv)."""


class SheetTooLong(TooManyRows, WorkbookTooLarge):
    """More ``<row>`` elements in the sheet than allowed, blank rows included."""


class UnpackedTooLarge(WorkbookTooLarge):
    """More bytes out of the decompressor (or declared by the zip) than allowed."""


class TooManyStrings(WorkbookTooLarge):
    """The shared-strings table has too many entries or characters."""


class TooManyCells(WorkbookTooLarge):
    """A value too far right, too many cells in all, or a row or string with too many parts."""


@dataclass(frozen=True)
class Limits:
    """Bounds of one read; ``None`` leaves one open (tests and trusted files only)."""

    max_rows: int | None = None  # <row> elements, blank ones included
    max_unpacked_bytes: int | None = None  # bytes out of the decompressor, all parts together

    @property
    def max_cells(self) -> int | None:
        return None if self.max_rows is None else max(self.max_rows, 1000) * CELLS_PER_ROW

    @property
    def max_elements(self) -> int | None:
        return None if self.max_rows is None else max(self.max_rows, 1000) * ELEMENTS_PER_ROW

    @property
    def max_strings(self) -> int | None:
        return None if self.max_rows is None else max(self.max_rows, 1000) * STRINGS_PER_ROW

    @property
    def max_string_chars(self) -> int | None:
        return None if self.max_rows is None else max(self.max_rows, 1000) * STRING_CHARS_PER_ROW


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


class _Budget:
    """Bytes out of the decompressor, all parts of one workbook together."""

    def __init__(self, limit: int | None):
        self.limit = limit
        self.spent = 0

    def spend(self, count: int) -> None:
        self.spent += count
        if self.limit is not None and self.spent > self.limit:
            raise UnpackedTooLarge(self.limit)


class _BoundedStream:
    """A zip member read through the budget; a DTD (never in OOXML, the door to entity
    expansion) or an endless run of text without a tag is refused as it streams in."""

    def __init__(self, raw, budget: _Budget):
        self._raw = raw
        self._budget = budget
        self._run = 0  # bytes since the last "<"
        self._tail = b""

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            parts = []
            while chunk := self.read(READ_CHUNK):
                parts.append(chunk)
            return b"".join(parts)
        data = self._raw.read(min(size, READ_CHUNK))
        self._budget.spend(len(data))
        self._check(data)
        return data

    def _check(self, data: bytes) -> None:
        if b"<!DOCTYPE" in self._tail + data[:16] or b"<!DOCTYPE" in data:
            raise UnreadableWorkbook("DTD")
        self._tail = data[-16:]
        last_tag = data.rfind(b"<")
        self._run = self._run + len(data) if last_tag < 0 else len(data) - last_tag - 1
        if self._run > MAX_TEXT_RUN:
            raise TooManyCells(MAX_TEXT_RUN)

    def close(self) -> None:
        self._raw.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _open(archive: zipfile.ZipFile, name: str, budget: _Budget) -> _BoundedStream:
    try:
        return _BoundedStream(archive.open(name), budget)
    except KeyError as exc:
        raise UnreadableWorkbook(name) from exc


def _has(archive: zipfile.ZipFile, name: str) -> bool:
    try:
        archive.getinfo(name)
    except KeyError:
        return False
    return True


def _check_declared(archive: zipfile.ZipFile, limits: Limits) -> None:
    """Refuse at once what the zip itself declares too large (it may lie the other way: the
    budget then counts the real bytes)."""
    limit = limits.max_unpacked_bytes
    if limit is not None and sum(info.file_size for info in archive.infolist()) > limit:
        raise UnpackedTooLarge(limit)


def _count_elements(archive, name: str, budget: _Budget, limit: int, refusal: Exception) -> None:
    """Count the elements of part ``name`` in its raw bytes (every start tag has one "<" that
    no end tag "</" has) and raise ``refusal`` past ``limit``: the parser costs a few
    microseconds an element, this pass a few milliseconds a megabyte, so a part crafted to
    hold millions of tiny elements is refused before it is parsed. Its bytes are counted on a
    budget of their own (the same bound): the parse counts them again."""
    scan = _Budget(budget.limit)
    count = 0
    with _open(archive, name, scan) as stream:
        while chunk := stream.read(PRESCAN_CHUNK):
            count += chunk.count(b"<") - chunk.count(b"</")
            if count > limit:
                raise refusal


def _open_small(archive: zipfile.ZipFile, name: str, budget: _Budget) -> _BoundedStream:
    _count_elements(archive, name, budget, MAX_PART_ELEMENTS, TooManyCells(MAX_PART_ELEMENTS))
    return _open(archive, name, budget)


def _starts(stream):
    """``(local name, element, parent's local name)`` at each element's start (attributes
    only); each element is detached once ended, so a part of any length costs flat memory."""
    stack: list = []
    names: list[str] = []
    for event, element in _events(stream):
        if event == "start":
            name = _local(element.tag)
            yield name, element, names[-1] if names else ""
            stack.append(element)
            names.append(name)
        else:
            stack.pop()
            names.pop()
            if stack:
                stack[-1].remove(element)


def _events(stream):
    """``(event, element)`` of every start and end: ``iterparse`` without its extra generator
    layer (a few percent of a large import)."""
    parser = ET.XMLPullParser(events=EVENTS)
    while chunk := stream.read(FEED_CHUNK):
        parser.feed(chunk)
        yield from parser.read_events()
    parser.close()
    yield from parser.read_events()


def _records(stream, *, depth: int):
    """``(local name, element)`` of each element ``depth`` levels below the root, at its end and
    with everything inside it; then detached, like every element above it once ended. A record
    holding more than ``MAX_ELEMENTS_PER_RECORD`` elements is refused as it streams in."""
    stack: list = []
    level = -1  # of the element last started and not yet ended; the root is 0
    inside = 0
    for event, element in _events(stream):
        if event == "start":
            level += 1
            if level > depth:
                inside += 1
                if inside > MAX_ELEMENTS_PER_RECORD:
                    raise TooManyCells(MAX_ELEMENTS_PER_RECORD)
            else:
                stack.append(element)  # only the record and its ancestors are ever removed
            continue
        level -= 1
        if level >= depth:
            continue
        stack.pop()
        if level == depth - 1:
            yield _local(element.tag), element
            inside = 0
        if level >= 0:
            stack[-1].remove(element)


def read_first_sheet(
    archive: zipfile.ZipFile,
    *,
    max_rows: int | None = None,
    max_unpacked_bytes: int | None = None,
) -> RawSheet:
    """The first worksheet. Raises ``SheetTooLong`` as soon as the sheet has more than
    ``max_rows`` rows (blank ones included), ``UnpackedTooLarge`` as soon as the parts read
    unpack to more than ``max_unpacked_bytes``, ``TooManyStrings`` / ``TooManyCells`` for the
    bounds derived from ``max_rows``."""
    limits = Limits(max_rows=max_rows, max_unpacked_bytes=max_unpacked_bytes)
    _check_declared(archive, limits)
    budget = _Budget(limits.max_unpacked_bytes)
    sheet_path, date1904 = _first_sheet_path(archive, budget)
    date_styles = _date_styles(archive, budget)
    strings = _shared_strings(archive, budget, limits)
    epoch = dt.datetime(1904, 1, 1) if date1904 else dt.datetime(1899, 12, 30)
    if limits.max_elements is not None:
        refusal = TooManyCells(limits.max_elements)
        _count_elements(archive, sheet_path, budget, limits.max_elements, refusal)
    with _open(archive, sheet_path, budget) as stream:
        return _SheetParser(strings, date_styles, epoch, limits).parse(stream)


def _first_sheet_path(archive: zipfile.ZipFile, budget: _Budget) -> tuple[str, bool]:
    date1904 = False
    rel_id = None
    with _open_small(archive, "xl/workbook.xml", budget) as stream:
        for name, element, _parent in _starts(stream):
            if name == "workbookPr":
                date1904 = element.get("date1904") in ("1", "true")
            elif name == "sheet":
                rel_id = element.get(f"{REL_NS}id") or element.get(f"{STRICT_REL_NS}id")
                break  # <sheets> follows <workbookPr>: nothing after the first sheet matters
        else:
            raise UnreadableWorkbook("no sheet")
    targets = _relationships(archive, budget)
    target = targets.get(rel_id) if rel_id else None
    if target is None:
        raise UnreadableWorkbook("sheet relationship")
    return target, date1904


def _relationships(archive: zipfile.ZipFile, budget: _Budget) -> dict[str, str]:
    found = {}
    with _open_small(archive, "xl/_rels/workbook.xml.rels", budget) as stream:
        for name, rel, _parent in _starts(stream):
            if name != "Relationship":
                continue
            target = rel.get("Target", "")
            if target.startswith("/"):
                path = target.lstrip("/")
            else:
                path = posixpath.normpath(posixpath.join("xl", target))
            found[rel.get("Id")] = path
            if len(found) > MAX_MERGES:  # a workbook links a few parts, not thousands
                raise TooManyCells(MAX_MERGES)
    return found


def _shared_strings(archive: zipfile.ZipFile, budget: _Budget, limits: Limits) -> list[str]:
    """Every ``<si>``'s text: its ``<t>``, or the ``<t>`` of each rich-text run (phonetic runs
    skipped). Equal strings share one object, so a table of one string repeated costs a
    pointer per entry."""
    if not _has(archive, "xl/sharedStrings.xml"):
        return []
    max_count, max_chars = limits.max_strings, limits.max_string_chars
    strings: list[str] = []
    interned: dict[str, str] = {}
    chars = 0
    if max_count is not None:
        refusal = TooManyStrings(max_count)  # about 2 elements a string, 4 allowed
        _count_elements(archive, "xl/sharedStrings.xml", budget, max_count * 4, refusal)
    with _open(archive, "xl/sharedStrings.xml", budget) as stream:
        for name, element in _records(stream, depth=1):
            if name != "si":
                continue
            text = _text_of(element)
            strings.append(interned.setdefault(text, text))
            chars += len(text)
            if max_count is not None and len(strings) > max_count:
                raise TooManyStrings(max_count)
            if max_chars is not None and chars > max_chars:
                raise TooManyStrings(max_count or 0)
    return strings


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


def _date_styles(archive: zipfile.ZipFile, budget: _Budget) -> set[int]:
    """Indexes of the cell formats (``s`` attribute of a cell) that display a date."""
    from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format

    if not _has(archive, "xl/styles.xml"):
        return set()
    custom: dict[int, str] = {}
    cell_formats: list[int] = []
    with _open_small(archive, "xl/styles.xml", budget) as stream:
        for name, element, parent in _starts(stream):
            if name == "numFmt" and parent == "numFmts":
                custom[int(element.get("numFmtId", -1))] = element.get("formatCode", "")
            elif name == "xf" and parent == "cellXfs":
                cell_formats.append(int(element.get("numFmtId", 0)))
            if len(custom) + len(cell_formats) > 2 * 65_536:  # Excel's own bound on styles
                raise TooManyCells(65_536)

    def is_date(format_id: int) -> bool:
        if format_id in CJK_DATE_FORMAT_IDS:
            return True
        code = custom.get(format_id, BUILTIN_FORMATS.get(format_id, ""))
        return bool(code) and is_date_format(code)

    return {index for index, format_id in enumerate(cell_formats) if is_date(format_id)}


_letters_cache: dict[str, int] = {}


def _letters(index: int) -> str:
    """Column index from 0 → ``"A"``."""
    from openpyxl.utils import get_column_letter

    return get_column_letter(min(index, 16383) + 1)


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


class _SheetParser:
    """One pass over the sheet XML: rows (each ``<row>`` counted, blank or not), merged ranges
    and formula cells, every bound checked as the elements stream in."""

    def __init__(self, strings: list[str], date_styles: set[int], epoch, limits: Limits):
        self.strings = strings
        self.date_styles = date_styles
        self.epoch = epoch
        self.max_rows = limits.max_rows
        self.max_cells = limits.max_cells
        self.sheet = RawSheet(rows=[])
        self.row_count = 0
        self.cell_slots = 0

    def parse(self, stream) -> RawSheet:
        row_number = 0
        sheet = self.sheet
        for name, element in _records(stream, depth=2):
            if name == "row":
                self.row_count += 1
                if self.max_rows is not None and self.row_count > self.max_rows:
                    raise SheetTooLong(self.max_rows)
                row_number = int(element.get("r") or row_number + 1)
                values = self._row(element, row_number)
                if values:
                    sheet.rows.append((row_number, values))
            elif name == "mergeCell":
                sheet.merged.append(element.get("ref", ""))
                if len(sheet.merged) > MAX_MERGES:
                    raise TooManyCells(MAX_MERGES)
        return sheet

    def _row(self, row, number: int) -> list:
        values: list = []
        position = 0
        names = _local_names  # looked up inline: this loop runs once per cell
        for cell in row:
            tag = cell.tag
            if (names.get(tag) or _local(tag)) != "c":
                continue
            ref = cell.get("r")
            index = column_index(ref) if ref else position
            position = index + 1
            value = self._cell(cell, number, index)
            if value is None:
                continue
            if index >= len(values):
                if index >= MAX_COLUMNS:
                    raise TooManyCells(MAX_COLUMNS, where=f"{_letters(index)}{number}")
                values.extend([None] * (index + 1 - len(values)))
            values[index] = value
        self.cell_slots += len(values)
        if self.max_cells is not None and self.cell_slots > self.max_cells:
            raise TooManyCells(self.max_cells)
        return values

    def _cell(self, cell, number: int, index: int):
        kind = cell.get("t", "n")
        raw = None
        names = _local_names
        for child in cell:
            tag = child.tag
            name = names.get(tag) or _local(tag)
            if name == "v":
                raw = child.text
            elif name == "f":
                if len(self.sheet.formulas) < KEPT_FORMULAS:
                    self.sheet.formulas.append((number, index))
            elif name == "is":
                return _text_of(child)
        if raw is None:
            return None
        if kind == "s":
            position = int(raw)
            if position < 0:
                raise IndexError(position)
            return self.strings[position]
        if kind in ("str", "e"):
            return raw
        if kind == "b":
            return raw == "1"
        if kind == "d":
            return dt.datetime.fromisoformat(raw.rstrip("Z"))
        style = cell.get("s")
        if style is not None and int(style) in self.date_styles:
            return self.epoch + dt.timedelta(days=float(raw))
        try:
            return int(raw)
        except ValueError:
            return float(raw)
