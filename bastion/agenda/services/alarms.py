"""The agenda's alarms, sent by the daily job (``AgendaConfig.daily_jobs``, the kernel's registry
``bastion.core.daily``) through the kernel's one service; colours stay computed when read.

* **Terms** (换届, S4 and DOMAIN.md: remind ``remind_months`` before expiry, alarm once expired
  without an election; the ``TermRule`` rows): ``agenda.term_due`` when a committee's term
  enters the reminder window (yellow), ``agenda.term_expired`` once it has ended (red). Told:
  its secretaries (``agenda.add_election`` on the nearest level) and the committee above
  (``agenda.review_meeting`` on the nearest level above it); once per term and level.
* **Dues** (党费, the ``dues_missed_months`` threshold): ``agenda.dues_alarm``: members with
  a run of that many unpaid months anywhere up to the last complete month, each listed with
  the months they owe (``selectors_dues.members_in_alarm``). Told: the branch's dues keepers
  (``agenda.add_duespayment`` on the nearest level), one message per person and month listing
  every member they keep the dues of.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from bastion.core.notifications.holders import nearest_holders
from bastion.core.notifications.models import Notification, NotificationLevel
from bastion.core.notifications.services import Recipient, notification_send
from bastion.orgs.models import Organization, Person

from ..selectors_dues import last_complete_month, members_in_alarm, missed_months_alarm_threshold
from ..selectors_terms import term_end, term_rules_in_force, with_term_colour

EVENT_TERM_DUE = "agenda.term_due"
EVENT_TERM_EXPIRED = "agenda.term_expired"
EVENT_DUES_ALARM = "agenda.dues_alarm"
SECRETARY = "agenda.add_election"
COMMITTEE = "agenda.review_meeting"
DUES_KEEPER = "agenda.add_duespayment"
MAX_LINES = 50


def agenda_alarms_handle(*, today: dt.date) -> dict:
    """The daily job: term and dues alarms not told yet."""
    return {"terms": term_alarms_send(today=today), "dues": dues_alarms_send(today=today)}


# --- terms ----------------------------------------------------------------------------------


def term_key(org, ends_on: dt.date, colour: str) -> str:
    return f"agenda.term:{org.pk}:{ends_on.isoformat()}:{colour}"


def term_alarms_send(*, today: dt.date) -> int:
    """Tell each committee whose term is in the reminder window or has expired, once per term
    and level; return how many messages were sent."""
    rules = term_rules_in_force(today)
    if not rules:
        return 0
    orgs = list(
        with_term_colour(
            Organization.objects.filter(is_active=True, kind__in=list(rules)), rules, today
        )
        .filter(term_colour__in=["yellow", "red"])
        .only("id", "name", "path", "kind", "term_started_on", "term_ends_on")
        .order_by("path")
    )
    alarms = [(org, term_end(org, rules)) for org in orgs]
    keys = [term_key(org, end, org.term_colour) for org, end in alarms]
    told = set(
        Notification.objects.filter(dedupe_key__in=keys).values_list("dedupe_key", flat=True)
    )
    alarms = [(org, end) for (org, end), key in zip(alarms, keys, strict=True) if key not in told]
    if not alarms:
        return 0
    step = Organization.steplen
    secretaries = nearest_holders(SECRETARY, {org.path for org, _end in alarms})
    above = nearest_holders(
        COMMITTEE, {org.path[:-step] for org, _end in alarms if len(org.path) > step}
    )
    sent = 0
    for org, end in alarms:
        people = secretaries[org.path] | above.get(org.path[:-step], set())
        sent += _term_send(org, end, people, today)
    return sent


def _term_send(org, ends_on: dt.date, people: set[int], today: dt.date) -> int:
    expired = org.term_colour == "red"
    values = {"org": org.name, "end": ends_on.isoformat(), "days": (today - ends_on).days}
    if expired:
        title = _("换届告警：%(org)s") % values
        body = (
            _(
                "%(org)s 本届任期已于 %(end)s 届满（已超期 %(days)s 天），尚未完成换届选举，"
                "请尽快组织换届。"
            )
            % values
        )
    else:
        title = _("换届提醒：%(org)s") % values
        body = _("%(org)s 本届任期将于 %(end)s 届满，请提前做好换届准备。") % values
    notes = notification_send(
        actor=None,
        recipients=sorted(people),
        event=EVENT_TERM_EXPIRED if expired else EVENT_TERM_DUE,
        title=title[:200],
        body=body,
        url=reverse("agenda:term_list"),
        level=NotificationLevel.RED if expired else NotificationLevel.YELLOW,
        subjects=[org],
        dedupe_key=term_key(org, ends_on, org.term_colour),
        channels=("email",),
    )
    return len(notes)


# --- dues -----------------------------------------------------------------------------------


def dues_alarms_send(*, today: dt.date) -> int:
    """Tell each dues keeper, once a month, which of their members are in the red alarm."""
    members = list(
        members_in_alarm(Person.objects.filter(organization__is_active=True), today)
        .order_by("organization__path", "name", "pk")
        .values(
            "pk",
            "name",
            "organization_id",
            "organization__path",
            "organization__name",
            "organization__kind",
            "months_owed",
            "longest_unpaid_run",
        )
    )
    if not members:
        return 0
    step = Organization.steplen
    for row in members:  # a party group's members pay through its branch
        path = row["organization__path"]
        grouped = row["organization__kind"] == "group" and len(path) > step
        row["branch"] = path[:-step] if grouped else path
    keepers = nearest_holders(DUES_KEEPER, {row["branch"] for row in members})
    listed: dict[int, list[dict]] = defaultdict(list)
    for row in members:
        for user_id in keepers[row["branch"]]:
            listed[user_id].append(row)
    if not listed:
        return 0
    reference = last_complete_month(today)
    months = missed_months_alarm_threshold(today)
    month = f"{reference.year}-{reference.month:02d}"
    notes = notification_send(
        actor=None,
        recipients=[_dues_recipient(uid, rows, months, month) for uid, rows in listed.items()],
        event=EVENT_DUES_ALARM,
        title=_("党费告警：%(n)s 名党员连续 %(months)s 个月未缴纳党费")
        % {"n": len(members), "months": months},
        level=NotificationLevel.RED,
        dedupe_key=f"{EVENT_DUES_ALARM}:{month}",
        channels=("email",),
    )
    return len(notes)


def _dues_recipient(user_id: int, rows: list[dict], months: int, month: str) -> Recipient:
    url = reverse("agenda:dues_ledger")
    lines = [
        {
            "level": "red",
            "org": row["organization__name"],
            "text": row["name"],
            "date": month,
            "note": _("连续 %(run)s 个月未缴，共欠缴 %(owed)s 个月")
            % {"run": row["longest_unpaid_run"], "owed": row["months_owed"]},
            "url": f"{url}?{urlencode({'org': row['organization_id']})}",
        }
        for row in rows[:MAX_LINES]
    ]
    section = {
        "group": "dues_alarm",
        "title": _("党费告警（自行脱党风险）"),
        "count_text": _("%(n)s 人") % {"n": len(rows)},
        "level": "red",
        "total": len(rows),
        "lines": lines,
        "more": len(rows) - len(lines),
    }
    values = {"n": len(rows), "months": months, "month": month}
    return Recipient(
        user_id,
        title=_("党费告警：%(n)s 名党员连续 %(months)s 个月未缴纳党费") % values,
        body=_(
            "截至 %(month)s，以下 %(n)s 名党员已连续 %(months)s 个月及以上未缴纳党费，"
            "请及时了解情况、督促缴纳。"
        )
        % values,
        url=lines[0]["url"] if len(rows) == 1 else url,
        items=[section],
        subjects=[("orgs.person", row["pk"]) for row in rows],
    )
