"""同业对标指标 in Excel (wide sheet): one row per station and month, one column per indicator.

The indicator columns come from the ``BenchmarkIndicator`` table (their Chinese names are the
headers), so a new indicator needs no code. Blank cells are skipped; every other cell goes
through the same checks as manual entry and the API (``services.benchmarks.check_rows``), and
each refusal names the sheet's row and column. One bad cell and nothing is written.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from bastion.core.excel import (
    HEADER_ROW,
    MAX_ERRORS,
    Column,
    FileRefused,
    ImportResult,
    build_workbook,
    convert_row,
    error,
    read_sheet,
)
from bastion.core.scope import granted_paths, path_within

from ..models import BenchmarkIndicator, Direction
from ..services import benchmarks as service

PERMISSION = "evaluation.import_benchmarkvalue"
SHEET_TITLE = "同业对标指标"
PREVIEW_ROWS = 20
PROGRESS_EVERY = 500
PREFIX = "i:"  # indicator columns' keys: "i:<code>"
MONTH_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")
MONTH_FROM_DATE = re.compile(r"^(\d{4})-(\d{2})-01$")  # an Excel date cell, read as text

FIXED = (
    Column("organization", "供电所编码", required=True, kind="code", max_length=40, width=14,
           help=_l("供电所的组织编码（组织详情页上的编码）。")),
    Column("organization_name", "供电所名称", informative=True, width=22,
           help=_l("仅供核对，导入时按编码确定供电所。")),
    Column("month", "月份", required=True, max_length=20, width=10,
           help=_l("指标所属月份，按 YYYY-MM 填写，如 2026-03。")),
)  # fmt: skip
HEADERS = {c.key: c.header for c in FIXED}
NOTES = (
    _l("第1行为表头，请勿修改；从第2行开始每行为一个供电所一个月的指标值。带 * 的列必须填写。"),
    _l("每个对标指标一列，列名为指标名称；不报送的指标留空即可，已有的值会被覆盖。"),
    _l("百分比指标请直接填写 0–100 的数值（如 98.5），不要使用 Excel 的百分比格式。"),
    _l("只接受 .xlsx 文件，不能含公式或合并的表头；任何一个单元格有错误时整个文件都不会导入。"),
)


def _indicator_help(indicator: BenchmarkIndicator) -> str:
    direction = _("越高越好") if indicator.direction == Direction.HIGHER else _("越低越好")
    if indicator.unit:
        return _("单位：%(unit)s；%(direction)s。") % {
            "unit": indicator.unit,
            "direction": direction,
        }
    return _("%(direction)s。") % {"direction": direction}


def columns() -> list[Column]:
    """The fixed columns, then one per indicator in the indicators' order."""
    return [
        *FIXED,
        *(
            Column(PREFIX + i.code, i.name, max_length=40, width=14, help=_indicator_help(i))
            for i in BenchmarkIndicator.objects.order_by("order", "id")
        ),
    ]


class IndicatorColumns(Sequence):
    """The registry wants columns when the app loads; the indicators are read when asked."""

    def __getitem__(self, index):
        return columns()[index]

    def __len__(self):
        return len(columns())

    def __iter__(self):
        return iter(columns())


def template() -> bytes:
    return build_workbook(title=SHEET_TITLE, columns=columns(), rows=(), notes=NOTES)


def month_text(text: str) -> str:
    """``2026-03``, ``2026/3``, ``2026年3月`` and a date cell (``2026-03-01``) → ``2026-03``;
    anything else is returned as it is for the service to refuse by name."""
    match = MONTH_TEXT.match(text) or MONTH_FROM_DATE.match(text)
    if not match:
        return text
    return f"{match.group(1)}-{int(match.group(2)):02d}"


def value_text(text: str) -> str:
    return text[:-1].strip() if text.endswith(("%", "％")) else text


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date):
        return f"{value:%Y-%m}"
    return str(value)


def run(*, actor, file, dry_run: bool = False, progress=None) -> ImportResult:
    try:
        sheet = read_sheet(file, columns())
    except FileRefused as exc:
        return ImportResult(errors=exc.errors, dry_run=dry_run)
    job = BenchmarksImport(actor, sheet)
    try:
        job.validate(progress)
    except PermissionDenied as exc:
        return ImportResult(errors=[error(0, "", str(exc))], dry_run=dry_run)
    result = job.result(dry_run)
    if result.ok and not dry_run:
        try:
            counts = service.benchmark_values_save(actor=actor, rows=job.rows, source="import")
        except (ValidationError, PermissionDenied) as exc:
            messages = getattr(exc, "messages", None) or [str(exc)]
            result.errors = [error(0, "", _("写入时出错，未写入任何数据：%(m)s")
                                   % {"m": " ".join(messages)})]  # fmt: skip
            result.created = result.updated = 0
        else:
            result.created, result.updated = counts["created"], counts["updated"]
    return result


class BenchmarksImport:
    def __init__(self, actor, sheet):
        self.actor = actor
        self.sheet = sheet
        self.labels = sheet.labels()
        self.indicator_columns = [c for c in sheet.columns if c.key.startswith(PREFIX)]
        self.errors: dict[tuple, dict] = {}  # one message per (row, column, text)
        self.rows: list[dict] = []  # the service's rows
        self.origin: list[tuple[int, str]] = []  # service row → (sheet row, column header)
        self.preview: list[dict] = []
        self.checked = service.Checked()

    def add(self, row: int, column: str, message) -> None:
        if len(self.errors) < MAX_ERRORS:
            found = error(row, column, str(message))
            self.errors.setdefault((row, found["column"], found["message"]), found)

    def validate(self, progress) -> None:
        if not self.indicator_columns:
            self.add(HEADER_ROW, "", _("表头中没有任何对标指标列；请使用导入模板，每个指标一列。"))
            return
        seen: dict[tuple[str, str], int] = {}
        total = len(self.sheet.rows)
        for index, (number, raw) in enumerate(self.sheet.rows):
            if progress and index % PROGRESS_EVERY == 0:
                progress(index, total)
            self.row(number, raw, seen)
        self.checked = service.check_rows(self.actor, self.rows)
        for found in self.checked.errors:
            self._service_error(found)
        self._check_import_scope()
        if progress:
            progress(total, total)

    def row(self, number: int, raw: tuple, seen: dict) -> None:
        data, problems = convert_row(self.sheet.columns, raw, self.labels)
        for column, message in problems:
            self.add(number, column.header, message)
        bad_keys = {column.key for column, _message in problems}
        code, month = data.get("organization", ""), month_text(data.get("month", ""))
        if bad_keys & {"organization", "month"}:
            return
        if (code, month) in seen:
            self.add(number, HEADERS["organization"],
                     _("供电所“%(code)s”的 %(month)s 已在第 %(other)d 行填写，请合并为一行。")
                     % {"code": code, "month": month, "other": seen[(code, month)]})  # fmt: skip
            return
        seen[(code, month)] = number
        filled = 0
        for column in self.indicator_columns:
            text = data.get(column.key, "")
            if column.key in bad_keys or not text:
                continue
            filled += 1
            self.rows.append({"indicator": column.key[len(PREFIX):], "organization": code,
                              "month": month, "value": value_text(text)})  # fmt: skip
            self.origin.append((number, column.header))
        if not filled and not bad_keys:
            self.add(number, "", _("该行没有填写任何指标值。"))

    def _service_error(self, found: service.RowError) -> None:
        number, header = self.origin[found.index - 1]
        column = {"organization": HEADERS["organization"], "month": HEADERS["month"]}.get(
            found.field, header
        )
        self.add(number, column, found.message)

    def _check_import_scope(self) -> None:
        allowed = granted_paths(self.actor, PERMISSION)
        for planned in self.checked.planned:
            if not path_within(planned.organization.path, allowed):
                number, _header = self.origin[planned.index - 1]
                self.add(number, HEADERS["organization"], _("您无权导入“%(name)s”的同业对标指标。")
                         % {"name": planned.organization.name})  # fmt: skip

    def _preview(self) -> list[dict]:
        bad_rows = {row for row, _column, _message in self.errors}
        updates = {self.origin[p.index - 1][0] for p in self.checked.planned if p.existing}
        rows = []
        for number, raw in self.sheet.rows[:PREVIEW_ROWS]:
            action = "error" if number in bad_rows else "update" if number in updates else "create"
            cells = {c.header: _cell(v) for c, v in zip(self.sheet.columns, raw, strict=True)}
            rows.append({"_row": number, "_action": action, **cells})
        return rows

    def result(self, dry_run: bool) -> ImportResult:
        errors = sorted(self.errors.values(), key=lambda e: e["row"])
        return ImportResult(
            errors=errors,
            total_rows=len(self.sheet.rows),
            created=0 if errors else self.checked.created,
            updated=0 if errors else self.checked.updated,
            preview=self._preview(),
            dry_run=dry_run,
        )
