"""The bulletin's tables as a workbook: 总体情况, 各单位整改情况, 问题类别分布, 逾期未整改问题,
检查开展情况.

Written with openpyxl in write-only mode, so the full overdue list (thousands of rows at province
scale) costs little. Sheet names and headers are part of the file format: Chinese always. Rates
are number cells with a percent format (0.4 shown “40.0%”), so they sort and compute; a unit with
nothing due keeps the text “—”.
"""

from __future__ import annotations

import datetime as dt
import io

from bastion.core.excel import inert_cell

from .selectors_bulletin import (
    CATEGORY_HEADERS,
    INSPECTION_HEADERS,
    OVERDUE_HEADERS,
    UNIT_HEADERS,
    BulletinData,
    Percent,
    category_table,
    inspection_table,
    overdue_table,
    quiet_line,
    unit_table,
)

SHEETS = ["总体情况", "各单位整改情况", "问题类别分布", "逾期未整改问题", "检查开展情况"]
PERCENT_FORMAT = "0.0%"
DATE_FORMAT = "yyyy-mm-dd"


def _value_cell(sheet, value):
    from openpyxl.cell import WriteOnlyCell

    if isinstance(value, Percent):
        if value.fraction is None:
            return str(value)
        cell = WriteOnlyCell(sheet, value=value.fraction)
        cell.number_format = PERCENT_FORMAT
        return cell
    if isinstance(value, dt.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATE_FORMAT
        return cell
    return inert_cell(sheet, value)  # a unit or problem text never becomes a live formula


def _sheet(workbook, title: str, headers: list[str], rows, widths: list[int]):
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    sheet = workbook.create_sheet(title)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DCE6F1")
    header = []
    for text in headers:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font, cell.fill = bold, fill
        header.append(cell)
    sheet.append(header)
    for values in rows:
        sheet.append([_value_cell(sheet, value) for value in values])


def build_xlsx(data: BulletinData, *, number: str, title: str) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    t = data.total
    summary = [
        ["通报", title],
        ["文号", number],
        ["统计范围", data.node.name],
        ["季度", data.quarter.title],
        ["统计截至", data.cutoff],
        ["发现问题", t.found],
        ["季初未整改（结转）", t.carried],
        ["应整改", t.due],
        ["已整改", t.rectified],
        ["逾期未改", t.overdue],
        ["整改率", Percent(t.rate)],
        ["整改率口径", "本季度已整改问题数÷应整改问题数（本季度发现问题数＋季初未整改问题数）"],
        ["开展检查（次）", data.inspections_total],
        ["检查发现问题", data.inspection_findings],
    ]
    quiet = quiet_line(data)
    if quiet:
        summary.append(["无问题单位", quiet])
    _sheet(workbook, SHEETS[0], ["项目", "数值"], summary, [20, 60])
    _sheet(workbook, SHEETS[1], UNIT_HEADERS, unit_table(data), [8, 36, 10, 10, 10, 10, 10])
    _sheet(workbook, SHEETS[2], CATEGORY_HEADERS, category_table(data), [14, 10, 10, 10, 10, 10])
    _sheet(workbook, SHEETS[3], OVERDUE_HEADERS, overdue_table(data), [8, 30, 60, 12, 12, 10, 30])
    _sheet(workbook, SHEETS[4], INSPECTION_HEADERS, inspection_table(data), [8, 12, 16, 30, 50, 10])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
