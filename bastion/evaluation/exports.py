"""A round's results in Excel: the ranking as the user sees it, with each top-level indicator's
points. The queryset must already come through ``selectors_results.visible_targets`` and the
page's filters."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _l

from bastion.core.excel import Column, build_workbook

from .models import Round
from .selectors_results import ranked, top_indicators

FIXED_COLUMNS = (
    Column("rank", "名次", informative=True, width=8),
    Column("label", "考评对象", informative=True, width=24),
    Column("organization", "所在组织", informative=True, width=24),
    Column("total", "总分", informative=True, width=10),
    Column("titles", "称号", informative=True, width=24),
    Column("vetoed", "一票否决", informative=True, width=10),
    Column("missing", "缺评指标数", informative=True, width=12),
    Column("data_incomplete", "数据不全（不参与名次称号）", informative=True, width=14),
)
NOTES = (_l("导出范围为您有权查看的考评结果，并按页面上的筛选条件过滤。"),)


def _title_text(titles: list[dict]) -> str:
    parts = []
    for title in titles or []:
        stars = title.get("stars")
        parts.append(f"{title.get('name', '')}{'★' * int(stars) if stars else ''}")
    return "、".join(parts)


def _number(value):
    return None if value in (None, "") else float(value) + 0.0  # no -0.0 for an empty deduction


def results_xlsx(round_: Round, targets) -> bytes:
    indicators = top_indicators(round_.snapshot)
    columns = FIXED_COLUMNS + tuple(
        Column(f"i_{item['code']}", item["name"], informative=True, width=14) for item in indicators
    )

    def line(target):
        points = [
            _number((target.contributions.get(item["code"]) or {}).get("points"))
            for item in indicators
        ]
        return [
            target.rank,
            target.label,
            target.organization.display_name,
            "缺数据" if target.total is None else _number(target.total),
            _title_text(target.titles),
            "是" if target.vetoed else "否",
            target.missing,
            "是" if target.data_incomplete else "否",
            *points,
        ]

    return build_workbook(
        title="考评结果",
        columns=columns,
        rows=(line(t) for t in ranked(targets).iterator(chunk_size=1000)),
        notes=NOTES,
    )
