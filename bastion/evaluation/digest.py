"""The evaluation's part of a person's daily digest: open rounds where they still have targets
to score, and arena rounds where they may still submit their key event.

Listed in ``EvaluationConfig.digest_sources``; the kernel's digest calls ``items(user, today)``
(sections shaped as in ``bastion/tasks/digest.py``). What it counts is what 我的评分 shows
(``selectors_scoring.home_cards``), so the digest and the page never disagree. A round whose
scoring closes within the tasks' due-soon threshold is yellow, others green.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from bastion.tasks.selectors import due_soon_days

from .selectors_scoring import home_cards

GROUP = "evaluation_scoring"


def items(user, today: dt.date) -> list[dict]:
    cards = [c for c in home_cards(user, today) if c.pending or (c.can_submit and not c.my_event)]
    if not cards:
        return []
    soon = due_soon_days()
    lines = [_line(card, today, soon) for card in cards]
    level = "yellow" if any(line["level"] == "yellow" for line in lines) else "green"
    return [
        {
            "group": GROUP,
            "title": _("待完成的考核评价"),
            "count_text": _("%(n)s 轮") % {"n": len(lines)},
            "level": level,
            "total": len(lines),
            "lines": lines,
            "more": 0,
        }
    ]


def _line(card, today: dt.date, soon: int) -> dict:
    round_ = card.round
    left = (round_.closes_on - today).days
    if card.pending:
        text = _("%(round)s：待评 %(n)s 个对象") % {"round": round_.name, "n": card.pending}
    else:
        text = _("%(round)s：可提交我的关键事件") % {"round": round_.name}
    note = _("今天截止") if left == 0 else _("还剩 %(days)s 天") % {"days": left}
    return {
        "level": "yellow" if left <= soon else "green",
        "org": round_.organization.name,
        "text": text,
        "date": round_.closes_on.isoformat(),
        "note": note,
        "url": reverse("evaluation:scoring_round", args=[round_.pk]),
    }
