"""The bulletin as a printable A4 page (打印 / 另存为 PDF from the browser), in the layout of the
Word document: red head, 文号, title, six sections, signature and date kept with the last
paragraph. Read back from the issued workbook, like the preview, so it shows what was issued."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from .bulletin_texts import (
    REQUIREMENTS,
    SECTIONS,
    chinese_date,
    inspections_text,
    intro_text,
    issuer_name,
    overdue_text,
    overview_text,
    ranking_text,
    rate_definition,
)
from .bulletin_xlsx import SHEETS


@dataclass
class Section:
    heading: str
    before: list[str] = field(default_factory=list)
    table: dict | None = None
    table_kind: str = ""
    after: list[str] = field(default_factory=list)
    note: str = ""


@dataclass
class PrintedBulletin:
    issuer: str
    number: str
    title: str
    sections: list[Section]
    requirements: list[str]
    issued_on: dt.date
    intro: str
    closing_heading: str

    @property
    def issued_text(self) -> str:
        return chinese_date(self.issued_on)


def _as_date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else None


def _cell(value) -> dict:
    if isinstance(value, dt.date):
        value = value.isoformat()  # “2025-06-30”, as in the Word document: one line at 五号
    centred = not isinstance(value, str) or value == "—" or value.endswith("%")
    return {"value": value, "centred": centred or _is_iso_date(value)}


def _is_iso_date(text: str) -> bool:
    return len(text) == 10 and text[4] == "-" and text[7] == "-" and text[:4].isdigit()


def _cells(table: dict | None) -> dict | None:
    """Each cell with whether it is a number, a date or a rate (centred) or text (left)."""
    if not table or not table["rows"]:
        return None
    rows = [[_cell(v) for v in row] for row in table["rows"]]
    return {"headers": table["headers"], "rows": rows}


def printable(bulletin, tables: dict) -> PrintedBulletin | None:
    """``tables`` are the workbook's sheets read in full (``views.bulletins.read_workbook``)."""
    if SHEETS[0] not in tables:
        return None
    summary = {row[0]: row[1] for row in tables[SHEETS[0]]["rows"]}
    cutoff = _as_date(summary.get("统计截至")) or timezone.localdate()
    node = summary.get("统计范围") or bulletin.organization.name

    def value(key, default=0):
        found = summary.get(key)
        return default if found in (None, "") else found

    overview = Section(
        _(SECTIONS[0]),
        before=[
            overview_text(
                found=value("发现问题"),
                carried=value("季初未整改（结转）"),
                due=value("应整改"),
                rectified=value("已整改"),
                rate=value("整改率", "—"),
                cutoff=cutoff,
                overdue=value("逾期未改"),
            )
        ],
        note=rate_definition(),
    )
    inspections = tables.get(SHEETS[4])
    inspected = Section(
        _(SECTIONS[1]),
        before=[inspections_text(count=value("开展检查（次）"), findings=value("检查发现问题"))],
        table=_cells(inspections),
        table_kind="inspections",
    )
    units = tables.get(SHEETS[1])
    quiet = summary.get("无问题单位")
    ranked = Section(
        _(SECTIONS[2]),
        before=[ranking_text()] if units and units["rows"] else [],
        table=_cells(units),
        table_kind="units",
        after=[quiet] if quiet else [],
    )
    categories = Section(
        _(SECTIONS[3]), table=_cells(tables.get(SHEETS[2])), table_kind="categories"
    )
    overdue_table = tables.get(SHEETS[3])
    overdue = Section(
        _(SECTIONS[4]),
        before=[overdue_text(total=value("逾期未改"), cutoff=cutoff)],
        table=_cells(overdue_table),
        table_kind="overdue",
    )
    finished = bulletin.finished_at or bulletin.created_at
    return PrintedBulletin(
        issuer=issuer_name(bulletin.organization.name),
        number=str(value("文号", bulletin.number or "")),
        title=str(value("通报", "")),
        intro=intro_text(
            quarter_title=str(value("季度", bulletin.quarter)), node_name=node, cutoff=cutoff
        ),
        sections=[overview, inspected, ranked, categories, overdue],
        requirements=[str(text) for text in REQUIREMENTS],
        issued_on=timezone.localtime(finished).date(),
        closing_heading=_(SECTIONS[5]),
    )
