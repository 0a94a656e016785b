"""Excel export of a roll-up (统计汇总): one line per row of the table and item, then totals."""

from __future__ import annotations

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from bastion.core.alerts import LEVELS
from bastion.core.excel import Column, build_workbook

from .models import AlertLevel
from .selectors_rollup import Rollup, Tally


def rollup_columns() -> list[Column]:
    """Headers are part of the file: Chinese in every interface language."""
    with translation.override("zh-hans"):
        labels = {level: str(label) for level, label in AlertLevel.choices}
    return [
        Column("org", "组织", width=30),
        Column("item", "事项", width=16),
        Column("expected", "应办", width=8),
        Column("actual", "已办", width=8),
        Column("rate", "完成率（%）", width=12),
        *(Column(level, labels[level], width=10) for level in LEVELS),
    ]


def _line(org_label: str, item_label: str, tally: Tally) -> list:
    rate = tally.rate
    return [
        org_label,
        item_label,
        tally.expected,
        tally.actual,
        "" if rate is None else rate,
        *(tally.levels[level] for level in LEVELS),
    ]


def rollup_lines(result: Rollup):
    """Per row: one line per item with something expected, then the row's total."""
    everything = _("合计")
    for row in [*result.rows, result.totals]:
        label = _("合计") if row is result.totals else row.label
        for kind, kind_label in result.kinds:
            tally = row.cells.get(kind)
            if tally is not None and tally.expected:
                yield _line(label, kind_label, tally)
        yield _line(label, everything, row.total)


def rollup_xlsx(result: Rollup) -> bytes:
    notes = [
        _("统计范围：%(name)s 及其下级组织") % {"name": result.node.name},
        _("统计周期：%(period)s（截止日期在该周期内的应办事项）") % {"period": result.period.title},
        _("颜色按 %(today)s 计算；已撤销的组织不计入。") % {"today": result.today.isoformat()},
        _("导出时间：%(now)s") % {"now": timezone.localtime().strftime("%Y-%m-%d %H:%M")},
    ]
    return build_workbook(
        title=_("统计汇总"),
        columns=rollup_columns(),
        rows=rollup_lines(result),
        notes=notes,
    )


def rollup_filename(result: Rollup) -> str:
    return f"{result.node.name}-{result.period.label}-统计汇总.xlsx"
