"""The demo's evidence files for the points ledger: an item of the handbook that asks for
evidence (服务队活动, 保电, 党建保安 …) counts only with a file, so every demo entry of such an
item carries one.

One record sheet per station, item and month (the activity's sign-in sheet, as a station files
it): a one-page PDF naming the organization, the item, the month and each member's date and
points. Every entry it lists points at it. The PDF is written by hand
(bastion.core.demo_pdf), a few hundred bytes with no embedded font.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from bastion.core.demo_pdf import save_demo_file, sheet_pdf

from .models import PointsEntry, PointsItem

FOLDER = "evaluation/points/demo"
LINES_PER_PAGE = 40  # a sheet lists at most this many entries (a station has far fewer a month)


def attach_sheets(
    entries: Iterable[PointsEntry],
    items: dict[int, PointsItem],
    people: dict[int, str],
    organizations: dict[int, tuple[int, str]],
) -> int:
    """Give each entry of an evidence-required item its month's record sheet (unsaved rows).

    ``people``: person id → name; ``organizations``: person id → (organization id, name).
    Returns the number of files written."""
    sheets: dict[tuple, list[PointsEntry]] = defaultdict(list)
    for entry in entries:
        if items[entry.item_id].evidence_required:
            org_id, _name = organizations[entry.person_id]
            sheets[(org_id, entry.item_id, entry.occurred_on.replace(day=1))].append(entry)
    for (org_id, item_id, month), rows in sheets.items():
        item = items[item_id]
        rows.sort(key=lambda row: (row.occurred_on, people[row.person_id]))
        body = sheet_pdf(
            title=f"{item.name} 佐证记录",
            facts=[
                f"单位：{organizations[rows[0].person_id][1]}",
                f"月份：{month:%Y-%m}    积分项目：{item.name}（{item.points:+}）",
            ],
            table=[
                ("日期", "党员", "积分"),
                *[
                    (f"{row.occurred_on:%Y-%m-%d}", people[row.person_id], f"{row.points:+}")
                    for row in rows[:LINES_PER_PAGE]
                ],
            ],
        )
        name = f"{FOLDER}/{org_id}/{month:%Y-%m}-{item.code}.pdf"
        stored = save_demo_file(name, body)
        shown = f"{item.name}佐证{month:%Y-%m}.pdf"
        for row in rows:
            row.evidence.name, row.evidence_name = stored, shown
    return len(sheets)
