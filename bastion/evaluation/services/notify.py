"""The evaluation's messages, all through the kernel's one service
(``bastion.core.notifications.services.notification_send``), each once per person and event.

* ``evaluation.round_opened`` (``round_opened_notify``): the scoring window is open; everyone
  who must score (``selectors_rounds.owing``) learns what they owe, once per round. Sent when a
  round is opened on or after its first scoring day, else by the daily job on that day.
* ``evaluation.round_closing`` (the daily job): the window closes within the due-soon threshold
  (``task_due_soon_days``); those still owing scores get one 提醒 per round. Its key is the
  一键催评's (``remind.remind_key``): nobody gets two reminders for one round on one day.
* ``evaluation.round_remind`` (``remind.round_remind``, 一键催评): once per person, round and day.
* ``evaluation.title_won`` (``titles_won_notify``): a published round gave titles; an
  organization's secretaries (``score_as_committee`` on the nearest level) and a member
  themself, once per round, one message listing all their titles.
* ``evaluation.appeal_answered`` (``appeals._notify``): the appellant.
* ``evaluation.points_review`` (``points_review_notify``): a member recorded points that wait
  for review; the reviewers (``approve_pointsentry`` on the nearest level), once per entry.
* ``evaluation.points_rejected`` (``points._notify_rejected``): the member.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from bastion.core.notifications.holders import nearest_holders
from bastion.core.notifications.models import Notification, NotificationLevel
from bastion.core.notifications.services import Recipient, notification_send
from bastion.orgs.models import Organization, Person
from bastion.tasks.selectors import due_soon_days

from ..models import (
    DataSource,
    PointsEntry,
    Round,
    RoundDataDecision,
    RoundState,
    TitleAward,
    TitleKind,
)
from .remind import remind_key, scores_owed_notify

EVENT_OPENED = "evaluation.round_opened"
EVENT_CLOSING = "evaluation.round_closing"
EVENT_TITLE = "evaluation.title_won"
EVENT_POINTS_REVIEW = "evaluation.points_review"
SECRETARY = "evaluation.score_as_committee"
REVIEWER = "evaluation.approve_pointsentry"
ROUND_KIND = "evaluation.round"
MAX_LINES = 50


# --- the scoring window ---------------------------------------------------------------------


def opened_key(round_: Round) -> str:
    return f"{EVENT_OPENED}:{round_.pk}"


def round_opened_notify(*, actor, round_: Round, today: dt.date | None = None) -> int:
    """Tell the evaluators of ``round_`` that its scoring window is open (nothing before the
    first scoring day or after the last)."""
    today = today or timezone.localdate()
    if round_.state != RoundState.SCORING or not round_.opens_on <= today <= round_.closes_on:
        return 0
    return scores_owed_notify(
        actor=actor, round_=round_, event=EVENT_OPENED, dedupe_key=opened_key(round_), opened=True
    )


def evaluation_daily(*, today: dt.date) -> dict:
    """The daily job (``EvaluationConfig.daily_jobs``): windows that opened, windows closing."""
    rounds = list(
        Round.objects.filter(state=RoundState.SCORING, opens_on__lte=today, closes_on__gte=today)
        .select_related("organization", "scheme")
        .order_by("closes_on", "pk")
    )
    announced = set(
        Notification.objects.filter(dedupe_key__in=[opened_key(r) for r in rounds]).values_list(
            "dedupe_key", flat=True
        )
    )
    opened = {
        r.pk: round_opened_notify(actor=None, round_=r, today=today)
        for r in rounds
        if opened_key(r) not in announced
    }
    soon = due_soon_days()
    closing = [r for r in rounds if (r.closes_on - today).days <= soon and not opened.get(r.pk)]
    reminded = set(
        Notification.objects.filter(
            event=EVENT_CLOSING,
            subjects__kind=ROUND_KIND,
            subjects__object_id__in=[r.pk for r in closing],
        ).values_list("subjects__object_id", flat=True)
    )
    told = sum(
        scores_owed_notify(
            actor=None, round_=r, event=EVENT_CLOSING, dedupe_key=remind_key(r, today)
        )
        for r in closing
        if r.pk not in reminded
    )
    return {"opened": sum(opened.values()), "closing": told}


# --- titles ---------------------------------------------------------------------------------


def titles_won_notify(*, actor, round_: Round, awards: list[TitleAward]) -> int:
    """One message per person listing the titles ``round_`` gave the organizations they act
    for (their secretaries) and themselves (a member); once per person and round."""
    if not awards:
        return 0
    orgs = {
        row["pk"]: row
        for row in Organization.objects.filter(pk__in={a.organization_id for a in awards}).values(
            "pk", "path", "name"
        )
    }
    people = {
        row["pk"]: row
        for row in Person.objects.filter(pk__in={a.person_id for a in awards if a.person_id})
        .filter(user__is_active=True)
        .values("pk", "name", "user_id")
    }
    secretaries = nearest_holders(
        SECRETARY, {orgs[a.organization_id]["path"] for a in awards if not a.person_id}
    )
    listed: dict[int, list[tuple[str, TitleAward]]] = defaultdict(list)
    for award in awards:
        if award.person_id:
            person = people.get(award.person_id)
            users, label = ({person["user_id"]} if person else set()), person and person["name"]
        else:
            org = orgs[award.organization_id]
            users, label = secretaries[org["path"]], org["name"]
        for user_id in users:
            if actor is None or user_id != actor.pk:
                listed[user_id].append((label, award))
    if not listed:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        title = (_("考评称号：%(round)s") % {"round": round_.name})[:200]
        url = reverse("evaluation:results", args=[round_.pk])
        recipients = [_title_recipient(uid, rows, round_, url) for uid, rows in listed.items()]
        notes = notification_send(
            actor=actor,
            recipients=recipients,
            event=EVENT_TITLE,
            title=title,
            url=url,
            level=NotificationLevel.GREEN,
            subjects=[round_],
            dedupe_key=f"{EVENT_TITLE}:{round_.pk}",
            channels=("email",),
        )
    return len(notes)


def _title_recipient(user_id: int, rows, round_: Round, url: str) -> Recipient:
    lines = [
        {
            "level": NotificationLevel.YELLOW.value
            if award.kind == TitleKind.WATCH
            else NotificationLevel.GREEN.value,
            "org": label,
            "text": award.name,
            "date": award.awarded_on.isoformat(),
            "note": str(TitleKind(award.kind).label),
            "url": url,
        }
        for label, award in rows[:MAX_LINES]
    ]
    section = {
        "group": "evaluation_titles",
        "round": round_.pk,
        "title": _("考评称号"),
        "count_text": _("%(n)s 项") % {"n": len(rows)},
        "level": NotificationLevel.GREEN.value,
        "total": len(rows),
        "lines": lines,
        "more": len(rows) - len(lines),
    }
    named = _("、").join(f"{label}：{award.name}" for label, award in rows[:5])
    body = _("《%(round)s》结果已发布，共 %(n)s 项称号：%(titles)s。") % {
        "round": round_.name,
        "n": len(rows),
        "titles": named if len(rows) <= 5 else _("%(named)s 等") % {"named": named},
    }
    return Recipient(user_id, body=body, items=[section])


# --- points waiting for review --------------------------------------------------------------


def points_review_notify(*, actor, entry: PointsEntry) -> int:
    """A member's own entry waits for review: the reviewers of their organization are told
    (never the member themself), once per entry."""
    person = entry.person
    people = _reviewers(person.organization.path, {person.user_id, actor and actor.pk})
    if not people:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        title = _("积分待审核：%(name)s") % {"name": person.name}
        body = _("%(name)s 登记了 %(date)s “%(item)s” %(points)s 分，请审核认定。") % {
            "name": person.name,
            "date": entry.occurred_on.isoformat(),
            "item": entry.item.name,
            "points": entry.points,
        }
        notes = notification_send(
            actor=actor,
            recipients=people,
            event=EVENT_POINTS_REVIEW,
            title=title[:200],
            body=body,
            url=reverse("evaluation:points_list"),
            level=NotificationLevel.INFO,
            subjects=[entry],
            dedupe_key=f"{EVENT_POINTS_REVIEW}:{entry.pk}",
            channels=(),
        )
    return len(notes)


def _reviewers(path: str, excluded: set) -> list[int]:
    """The nearest reviewers other than ``excluded``: a secretary recording their own points
    is reviewed by the committee above."""
    while path:
        people = sorted(nearest_holders(REVIEWER, [path])[path] - excluded)
        if people:
            return people
        path = path[: -Organization.steplen]
    return []


# --- a round waiting for data -----------------------------------------------------------------

EVENT_DATA_AWAITED = "evaluation.data_awaited"
# Who supplies a data source's rows, and where they do it. Rectification and task feedback are
# only waiting for their deadlines to pass, so there is nobody to ask.
SUPPLIERS = {
    DataSource.BENCHMARK: ("evaluation.import_benchmarkvalue", "evaluation:benchmark_entry"),
    DataSource.BENCHMARK_ALL: ("evaluation.import_benchmarkvalue", "evaluation:benchmark_entry"),
    DataSource.OBLIGATION_RATE: ("agenda.add_meeting", "agenda:meeting_list"),
}


def round_data_awaited_notify(*, actor, round_: Round, decision: RoundDataDecision) -> int:
    """A round waits for an indicator's data: whoever supplies it for the organizations that lack
    it is told once per round and indicator, with the organizations they answer for."""
    source = next(
        (
            i.get("source")
            for i in round_.snapshot.get("indicators", [])
            if i["code"] == decision.indicator
        ),
        "",
    )
    if source not in SUPPLIERS:
        return 0
    permission, url_name = SUPPLIERS[source]
    orgs = dict(
        Organization.objects.filter(
            pk__in=[gap["organization"] for gap in decision.gaps]
        ).values_list("path", "name")
    )
    holders = nearest_holders(permission, orgs)
    lacking: dict[int, list[str]] = defaultdict(list)
    for path, users in holders.items():
        for user_id in users - {actor and actor.pk}:
            lacking[user_id].append(orgs[path])
    if not lacking:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        title = _("考评等待数据：%(indicator)s") % {"indicator": decision.indicator_name}
        recipients = [
            Recipient(user=user_id, body=_data_awaited_body(round_, decision, names))
            for user_id, names in lacking.items()
        ]
        notes = notification_send(
            actor=actor,
            recipients=recipients,
            event=EVENT_DATA_AWAITED,
            title=title[:200],
            url=reverse(url_name),
            level=NotificationLevel.YELLOW,
            subjects=[round_],
            dedupe_key=f"{EVENT_DATA_AWAITED}:{round_.pk}:{decision.indicator}",
        )
    return len(notes)


def _data_awaited_body(round_: Round, decision: RoundDataDecision, names: list[str]) -> str:
    shown = "、".join(sorted(names)[:MAX_LINES])
    more = len(names) - MAX_LINES
    if more > 0:
        shown += _("等 %(n)s 个") % {"n": len(names)}
    return _(
        "“%(round)s”（%(period)s）的指标“%(indicator)s”缺数或数据不全，发布前要等数据到齐。"
        "请补齐：%(orgs)s。"
    ) % {
        "round": round_.name,
        "period": round_.period_label,
        "indicator": decision.indicator_name,
        "orgs": shown,
    }
