"""Alert levels: the colour of anything with a deadline, from its dates and today's.

S4: 绿色通知, 黄色提醒, 红色告警.
The kernel owns them so that every module (obligations, task sheets, problems, first-secretary
terms) colours a deadline the same way and shows it with the same badge.
"""

from __future__ import annotations

import datetime as dt

# Display order and the Tabler colour class of each level, for pages, legends and exports.
LEVELS = ["red", "yellow", "green", "upcoming", "late", "done"]
BADGE_CLASS = {
    "red": "bg-red text-red-fg",
    "yellow": "bg-yellow text-yellow-fg",
    "green": "bg-green-lt",
    "upcoming": "bg-secondary-lt",
    "done": "bg-green text-green-fg",
    "late": "bg-orange text-orange-fg",
}
OPEN_LEVELS = ("upcoming", "green", "yellow", "red")


def alert_level(
    *,
    today: dt.date,
    due_on: dt.date,
    green_from: dt.date,
    yellow_from: dt.date,
    fulfilled_on: dt.date | None,
) -> str:
    if fulfilled_on is not None:
        return "done" if fulfilled_on <= due_on else "late"
    if today > due_on:
        return "red"
    if today >= yellow_from:
        return "yellow"
    if today >= green_from:
        return "green"
    return "upcoming"
