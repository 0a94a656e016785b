"""一键催评: remind everyone who still owes a score in a round (``round_remind``); the same
message, as news, when the scoring window opens (``scores_owed_notify``, from the daily job).

Who owes what is ``selectors_rounds.owing`` (self, co-members who have not rated, the committee
above, business departments). Each of them gets one yellow notification per round and day
listing the targets awaiting their score, through the kernel's one notification service; a
second click the same day sends nothing new to the same person (the message's key names the
round and the day). A fixed number of queries whatever the size of the round.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from bastion.core.notifications.models import NotificationLevel
from bastion.core.notifications.services import Recipient, notification_send
from bastion.core.services import service

from .. import selectors_rounds
from ..models import Round, RoundState

SECTION_GROUP = "evaluation_remind"
EVENT_REMIND = "evaluation.round_remind"
MAX_LINES = 50


@service
def round_remind(*, actor, round_: Round, today: dt.date | None = None) -> int:
    """Notify the evaluators who owe scores in ``round_``; return how many were notified."""
    if not Round.objects.restrict(actor, "change").filter(pk=round_.pk).exists():
        raise PermissionDenied(_("您无权管理该考评轮次。"))
    if round_.state != RoundState.SCORING:
        raise ValidationError(_("只有评分中的轮次才能催评。"))
    today = today or timezone.localdate()
    return scores_owed_notify(
        actor=actor, round_=round_, event=EVENT_REMIND, dedupe_key=remind_key(round_, today)
    )


def remind_key(round_: Round, today: dt.date) -> str:
    """One reminder per person, round and day, whoever (or whichever job) sends it."""
    return f"{EVENT_REMIND}:{round_.pk}:{today.isoformat()}"


def scores_owed_notify(
    *, actor, round_: Round, event: str, dedupe_key: str, opened: bool = False
) -> int:
    """Tell everyone who still owes a score in ``round_`` what they owe (``opened``: as the
    news that the scoring window is open, not as a reminder); return how many were told.
    A step of ``round_remind`` and of the daily job: it checks nothing."""
    rows = selectors_rounds.missing(round_)
    owed = _rows_by_user(selectors_rounds.owing(round_, rows), rows)
    if not owed:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        url = _scoring_url(round_)
        recipients = [
            _recipient(round_, uid, targets, url, opened=opened) for uid, targets in owed.items()
        ]
        notes = notification_send(
            actor=actor,
            recipients=recipients,
            event=event,
            title=_opened_title(round_) if opened else _title(round_),
            url=url,
            level=NotificationLevel.INFO if opened else NotificationLevel.YELLOW,
            subjects=[round_],
            dedupe_key=dedupe_key,
            channels=("email",) if opened else (),
        )
    return len(notes)


def _rows_by_user(owed: dict, rows: list[dict]) -> dict[int, list[dict]]:
    by_key = {(row["target_id"], row["group"]): row for row in rows}
    result: dict[int, list[dict]] = defaultdict(list)
    for key, users in owed.items():
        for user_id in users:
            result[user_id].append(by_key[key])
    return result


def _scoring_url(round_: Round) -> str:
    """The round's scoring page; empty while that page is not installed."""
    try:
        return reverse("evaluation:scoring_round", args=[round_.pk])
    except NoReverseMatch:
        return ""


def _title(round_: Round) -> str:
    return (_("请完成考评评分：%(name)s") % {"name": round_.name})[:200]


def _opened_title(round_: Round) -> str:
    return (_("考评评分已开始：%(name)s") % {"name": round_.name})[:200]


def _recipient(
    round_: Round, user_id: int, rows: list[dict], url: str, *, opened: bool = False
) -> Recipient:
    targets = {row["target_id"] for row in rows}
    closes = round_.closes_on.isoformat()
    lines = [
        {
            "level": NotificationLevel.YELLOW.value,
            "org": row["label"],
            "text": row["group_name"],
            "date": closes,
            "note": _("尚未评分"),
            "url": url,
        }
        for row in rows[:MAX_LINES]
    ]
    section = {
        "group": SECTION_GROUP,
        "round": round_.pk,
        "title": _("待您评分的对象"),
        "count_text": _("%(n)s 个对象") % {"n": len(targets)},
        "level": NotificationLevel.YELLOW.value,
        "total": len(rows),
        "lines": lines,
        "more": len(rows) - len(lines),
    }
    if opened:
        body = _(
            "考评轮次《%(name)s》已开始评分，评分截止日期为 %(closes)s，有 %(n)s 个评价对象"
            "等待您评分。"
        ) % {"name": round_.name, "closes": closes, "n": len(targets)}
    else:
        body = _(
            "考评轮次《%(name)s》评分截止日期为 %(closes)s，还有 %(n)s 个评价对象等待您评分，"
            "请尽快完成。"
        ) % {"name": round_.name, "closes": closes, "n": len(targets)}
    return Recipient(user_id, body=body, items=[section])
