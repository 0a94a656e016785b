"""Writing workbooks: a data sheet under Chinese headers and a second sheet 填写说明."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

from django.utils import translation
from django.utils.translation import gettext as _

from .cells import DATE_FORMATS_TEXT, Column


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)


def build_workbook(
    *,
    title: str,
    columns: Sequence[Column],
    rows: Iterable[Sequence],
    notes: Sequence[str] = (),
    notes_title: str | None = None,
    extra_sheets: Sequence[tuple[str, Sequence[Column], Iterable[Sequence]]] = (),
) -> bytes:
    """A workbook whose first sheet is ``rows`` under ``columns`` and second is 填写说明 (the
    columns explained, then ``notes``); with ``notes_title``, the second sheet is only the
    notes, under that title (a handout, not a template to fill in)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DCE6F1")
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.title)
        cell.font, cell.fill = bold, fill
        header.append(inert_cell(sheet, cell))
    sheet.append(header)
    for index, column in enumerate(columns, start=1):
        if column.kind == "choice":
            with translation.override("zh-hans"):
                allowed = ",".join(str(label) for _v, label in column.choices)
            rule = DataValidation(type="list", formula1=f'"{allowed}"', allow_blank=True)
            rule.add(f"{_letter(index)}2:{_letter(index)}100000")
            sheet.data_validations.append(rule)
    dates = [i for i, c in enumerate(columns) if c.kind == "date"]
    for values in rows:
        values = [inert_cell(sheet, value) for value in values]
        for i in dates:
            if values[i]:
                cell = WriteOnlyCell(sheet, value=values[i])
                cell.number_format = "yyyy-mm-dd"
                values[i] = cell
        sheet.append(values)
    for extra_title, extra_columns, extra_rows in extra_sheets:  # e.g. a summary of the data
        _plain_sheet(workbook, extra_title, extra_columns, extra_rows)
    if notes_title:
        _notes_sheet(workbook, notes_title, notes)
    else:
        _instructions(workbook, columns, notes)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# Text starting with one of these is run as a formula by Excel (=, and + - @ once the cell is
# edited) or by a spreadsheet opening a CSV (tab and CR hide the sign that follows them).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert_cell(sheet, value):
    """``value`` as a write-only ``sheet`` takes it; text that starts like a formula becomes a
    text cell with Excel's quote prefix, so no export ever writes a live formula. Every cell of
    every workbook we write goes through here (a cell already built is checked the same way)."""
    if isinstance(value, str):  # the common case first: this runs for every cell
        if not value.startswith(FORMULA_STARTS):
            return value
        from openpyxl.cell import WriteOnlyCell

        value = WriteOnlyCell(sheet, value=value)
    text = getattr(value, "value", None)  # a cell, already built or just made
    if isinstance(text, str) and text.startswith(FORMULA_STARTS):
        value.data_type = "s"
        value.quotePrefix = True
    return value


def inert_row(sheet, values) -> list:
    return [inert_cell(sheet, value) for value in values]


def _plain_sheet(workbook, title: str, columns: Sequence[Column], rows: Iterable[Sequence]):
    """A further sheet of values under bold headers (numbers stay numbers)."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    sheet = workbook.create_sheet(title)
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[_letter(index)].width = column.width
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.title)
        cell.font = Font(bold=True)
        header.append(inert_cell(sheet, cell))
    sheet.append(header)
    for values in rows:
        sheet.append([inert_cell(sheet, value) for value in values])


def _notes_sheet(workbook, title: str, notes: Sequence[str]) -> None:
    sheet = workbook.create_sheet(title)
    sheet.column_dimensions["A"].width = 100
    for note in notes:
        sheet.append([inert_cell(sheet, str(note))])


def _instructions(workbook, columns: Sequence[Column], notes: Sequence[str]) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    sheet = workbook.create_sheet("填写说明")
    for letter, width in zip("ABCD", (18, 10, 60, 50), strict=True):
        sheet.column_dimensions[letter].width = width
    bold = Font(bold=True)
    header = [_("列名"), _("是否必填"), _("说明"), _("可选值 / 格式")]
    cells = []
    for text in header:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        cells.append(cell)
    sheet.append(cells)
    for column in columns:
        values = [
            column.header,
            _("必填") if column.required else "",
            _explained(column),
            _allowed_text(column),
        ]
        sheet.append(inert_row(sheet, values))
    sheet.append([])
    for note in notes:
        sheet.append([inert_cell(sheet, str(note))])


def _explained(column: Column) -> str:
    """The column's help, then the other header words a branch's own roster may use for it."""
    from .synonyms import names_of

    text = str(column.help or "")
    others = names_of(column)[1:]
    if others:
        text += _("（表头也可写作：%(words)s）") % {"words": "、".join(others)}
    return text


def _allowed_text(column: Column) -> str:
    if column.kind == "choice":
        with translation.override("zh-hans"):
            return "、".join(str(label) for _v, label in column.choices)
    if column.kind == "date":
        return _("Excel 日期，或文本 %(formats)s") % {"formats": DATE_FORMATS_TEXT}
    if column.informative:
        return _("仅供阅读，导入时忽略")
    return ""
