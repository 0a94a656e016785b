"""同业对标指标 in Excel (wide sheet): one row per station and month, one column per indicator.

The indicator columns come from the ``BenchmarkIndicator`` table (their Chinese names are the
headers), so a new indicator needs no code. Blank cells are skipped; every other cell goes
through the same checks as manual entry and the API
(``services.benchmarks.benchmark_rows_check``), and each refusal names the sheet's row and
column. One bad cell and nothing is written.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from bastion.core.excel import PREVIEW_ROWS, Column, ExcelImport, Row, build_workbook, chunks
from bastion.core.scope import grant

from ..models import BenchmarkIndicator, BenchmarkValue, Direction
from ..selectors_benchmark_pages import stations
from ..services import benchmarks as service

PERMISSION = "evaluation.import_benchmarkvalue"
SHEET_TITLE = "同业对标指标"
PREFIX = "i:"  # indicator columns' keys: "i:<code>"
MONTH_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")
MONTH_FROM_DATE = re.compile(r"^(\d{4})-(\d{2})-01$")  # an Excel date cell, read as text

FIXED = (
    Column(
        "organization",
        "供电所编码",
        required=True,
        kind="code",
        max_length=40,
        width=14,
        help=_l("供电所的组织编码（组织详情页上的编码）。"),
    ),
    Column(
        "organization_name",
        "供电所名称",
        informative=True,
        width=22,
        help=_l("仅供核对，导入时按编码确定供电所。"),
    ),
    Column(
        "month",
        "月份",
        required=True,
        kind="number",
        max_length=20,
        width=10,
        help=_l("指标所属月份，按 YYYY-MM 填写，如 2026-03。"),
    ),
)
HEADERS = {c.key: c.header for c in FIXED}
NOTES = (
    _l(
        "第1行为表头（上方可留标题行），表头文字请勿修改；表头下每行为一个供电所一个月的"
        "指标值。带 * 的列必须填写。"
    ),
    _l("每个对标指标一列，列名为指标名称；不报送的指标留空即可，已有的值会被覆盖。"),
    _l(
        "模板已列出您可导入的供电所（编码和名称）；填写月份和指标值即可。"
        "月份和指标值都未填写的行视为未填报，导入时跳过。"
    ),
    _l("百分比指标请直接填写 0–100 的数值（如 98.5），不要使用 Excel 的百分比格式。"),
    _l(
        "接受 .xlsx 文件和 .csv 文件（UTF-8 或 GBK 编码），不能含公式或合并的表头；"
        "任何一个单元格有错误时整个文件都不会导入。"
    ),
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
            Column(
                PREFIX + i.code,
                i.name,
                kind="number",
                max_length=40,
                width=14,
                help=_indicator_help(i),
            )
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


def template_for(user) -> bytes:
    """The template with one row per station ``user`` may import, code and name filled in."""
    listed = stations(user, permission=PERMISSION).order_by("path").values_list("code", "name")
    return build_workbook(
        title=SHEET_TITLE,
        columns=columns(),
        rows=[(code, name) for code, name in listed],
        notes=NOTES,
    )


def month_text(text: str) -> str:
    """``2026-03``, ``2026/3``, ``2026年3月`` and a date cell (``2026-03-01``) → ``2026-03``;
    anything else is returned as it is for the service to refuse by name."""
    match = MONTH_TEXT.match(text) or MONTH_FROM_DATE.match(text)
    if not match:
        return text
    return f"{match.group(1)}-{int(match.group(2)):02d}"


def value_text(text: str) -> str:
    return text[:-1].strip() if text.endswith(("%", "％")) else text


def _filled(value) -> bool:
    return value is not None and (not isinstance(value, str) or bool(value.strip()))


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date):
        return f"{value:%Y-%m}"
    return str(value)


class BenchmarksImport(ExcelImport):
    """Rows become the service's rows (one per filled cell); the service checks them all at
    once (``benchmark_rows_check``) and writes them (``benchmark_values_save``)."""

    progress_every = 500
    updated_what = _l("对标指标值")

    @classmethod
    def sheet_columns(cls) -> list[Column]:
        return columns()

    def prepare(self) -> None:
        self.indicator_columns = [c for c in self.sheet.columns if c.key.startswith(PREFIX)]
        # a template's station line left as it was: no month, no value (``template_for``)
        self.entry_indexes = [
            i
            for i, c in enumerate(self.sheet.columns)
            if c.key == "month" or c.key.startswith(PREFIX)
        ]
        self.untouched: set[int] = set()
        self.rows: list[dict] = []  # the service's rows
        self.origin: list[tuple[int, str]] = []  # service row → (sheet row, column header)
        self.seen: dict[tuple[str, str], int] = {}  # (station, month) → sheet row
        self.checked = service.Checked()

    def before_rows(self) -> bool:
        if not self.indicator_columns:
            message = _("表头中没有任何对标指标列；请使用导入模板，每个指标一列。")
            self.errors.add(self.sheet.header_row, "", message)
        return bool(self.indicator_columns)

    def read_row(self, number: int, raw: tuple) -> Row:
        if not any(_filled(raw[i]) for i in self.entry_indexes if i < len(raw)):
            self.untouched.add(number)
            return Row(number, raw, {}, set())
        return super().read_row(number, raw)

    def validate_row(self, row: Row) -> None:
        if row.number in self.untouched:
            return
        number, data = row.number, row.data
        code, month = data.get("organization", ""), month_text(data.get("month", ""))
        if row.refused & {"organization", "month"}:
            return
        if (code, month) in self.seen:
            message = _("供电所“%(code)s”的 %(month)s 已在第 %(other)d 行填写，请合并为一行。")
            values = {"code": code, "month": month, "other": self.seen[(code, month)]}
            self.errors.add(number, HEADERS["organization"], message % values)
            return
        self.seen[(code, month)] = number
        filled = 0
        for column in self.indicator_columns:
            text = data.get(column.key, "")
            if column.key in row.refused or not text:
                continue
            filled += 1
            indicator = column.key[len(PREFIX) :]
            self.rows.append(
                {
                    "indicator": indicator,
                    "organization": code,
                    "month": month,
                    "value": value_text(text),
                }
            )
            self.origin.append((number, column.header))
        if not filled and row.ok:
            self.errors.add(number, "", _("该行没有填写任何指标值。"))

    def after_rows(self) -> None:
        if not self.rows and not self.errors:
            message = _("文件中没有填写任何月份和指标值；请在供电所的行中填写月份和指标值。")
            self.errors.add(0, "", message)
            return
        self.checked = service.benchmark_rows_check(actor=self.actor, rows=self.rows)
        for found in self.checked.errors:
            self._service_error(found)
        self._check_import_scope()

    def _service_error(self, found: service.RowError) -> None:
        number, header = self.origin[found.index - 1]
        column = {"organization": HEADERS["organization"], "month": HEADERS["month"]}.get(
            found.field, header
        )
        self.errors.add(number, column, found.message)

    def _check_import_scope(self) -> None:
        scope = grant(self.actor, PERMISSION)
        for planned in self.checked.planned:
            if not scope.covers(planned.organization):
                number, _header = self.origin[planned.index - 1]
                message = _("您无权导入“%(name)s”的同业对标指标。")
                self.errors.add(
                    number, HEADERS["organization"], message % {"name": planned.organization.name}
                )

    def preview_rows(self) -> list[dict]:
        """The first rows as written in the file, each marked by what the service would do: a
        row that overwrites a value is an update, else new when any value is, else unchanged."""
        actions: dict[int, set[str]] = {}
        for p in self.checked.planned:
            action = "create" if p.existing is None else "unchanged" if p.unchanged else "update"
            actions.setdefault(self.origin[p.index - 1][0], set()).add(action)
        rows = []
        filled = [(n, raw) for n, raw in self.sheet.rows if n not in self.untouched]
        for number, raw in filled[:PREVIEW_ROWS]:
            if number in self.errors.bad_rows:
                action = "error"
            else:
                found = actions.get(number, {"create"})
                action = next(a for a in ("update", "create", "unchanged") if a in found)
            cells = {c.header: _cell(v) for c, v in zip(self.sheet.columns, raw, strict=True)}
            rows.append({"_row": number, "_action": action, **cells})
        return rows

    def counts(self) -> dict:
        if self.errors:
            return {}
        return self.checked.counts()

    def fingerprint(self) -> str:
        """The values the file would overwrite, read afresh (a value entered meanwhile for a
        cell the preview showed as new changes the set, too)."""
        pks = sorted(p.existing.pk for p in self.checked.planned if p.existing is not None)
        state = []
        for chunk in chunks(pks):
            query = BenchmarkValue.objects.filter(pk__in=chunk).values_list("pk", "value")
            state.extend((pk, str(value)) for pk, value in query)
        return self.digest(state)

    def commit_rows(self) -> dict:
        return service.benchmark_values_save(actor=self.actor, rows=self.rows, source="import")
