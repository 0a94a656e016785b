"""Term and dues alarms reach the people who must act, once per event, from the daily job."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from bastion.agenda.jobs import daily_agenda
from bastion.agenda.models import DuesPayment
from bastion.agenda.selectors_dues import add_months, last_complete_month
from bastion.agenda.services.alarms import (
    EVENT_DUES_ALARM,
    EVENT_TERM_DUE,
    EVENT_TERM_EXPIRED,
    agenda_alarms_handle,
    dues_alarms_send,
    term_alarms_send,
)
from bastion.core.notifications.models import Notification

pytestmark = pytest.mark.django_db
JOB = "bastion.agenda.services.alarms.agenda_alarms_handle"


def today():
    return timezone.localdate()


def told(event):
    return Notification.objects.filter(event=event).select_related("recipient")


def recipients(event):
    return sorted(n.recipient.username for n in told(event))


def set_term(org, ends_in_days: int):
    org.term_started_on = today() - dt.timedelta(days=900)
    org.term_ends_on = today() + dt.timedelta(days=ends_in_days)
    org.save(update_fields=["term_started_on", "term_ends_on"])


def test_a_term_near_its_end_tells_the_secretaries_and_the_committee_above_once(tree, personas):
    set_term(tree.station_a1, 30)  # inside the six months' reminder: yellow
    set_term(tree.station_b1, -10)  # ended without an election: red
    set_term(tree.station_a2, 400)  # green: nothing

    assert term_alarms_send(today=today()) == 4  # messages: two people for each branch

    assert recipients(EVENT_TERM_DUE) == ["p_county", "p_secretary_a"]
    assert recipients(EVENT_TERM_EXPIRED) == ["p_company", "p_secretary_b"]  # B county: nobody
    note = told(EVENT_TERM_EXPIRED).get(recipient=personas.secretary_b)
    assert note.title == "换届告警：B1供电所党支部" and note.level == "red"
    assert note.read_at is None
    assert term_alarms_send(today=today()) == 0
    # the same term, next level: told again, once
    later = tree.station_a1.term_ends_on + dt.timedelta(days=1)
    assert term_alarms_send(today=later) == 2
    assert recipients(EVENT_TERM_EXPIRED) == [
        "p_company",
        "p_county",
        "p_secretary_a",
        "p_secretary_b",
    ]
    assert term_alarms_send(today=later) == 0


def test_members_in_the_dues_alarm_are_listed_to_their_branch_keeper_once_a_month(
    tree, personas, people
):
    month, last = dt.date(2024, 12, 1), last_complete_month(today())
    while month <= last:  # 赵六 has paid every month since the fixture's entry (2024-12)
        DuesPayment.objects.create(
            person=people.zhao_liu,
            organization=tree.station_b1,
            month=month,
            amount=Decimal("5.00"),
            paid_on=today(),
        )
        month = add_months(month, 1)

    assert dues_alarms_send(today=today()) == 2

    # 张三 (A1, its secretary), 王五 (A2: no secretary, its county); 赵六 paid every month
    assert recipients(EVENT_DUES_ALARM) == ["p_county", "p_secretary_a"]
    note = told(EVENT_DUES_ALARM).get(recipient=personas.secretary_a)
    assert [line["text"] for line in note.items[0]["lines"]] == ["张三"]
    owed = (last.year - 2025) * 12 + last.month + 1  # every month since December 2024
    assert note.items[0]["lines"][0]["note"] == f"连续 {owed} 个月未缴，共欠缴 {owed} 个月"
    assert note.level == "red" and note.read_at is None
    assert "连续 6 个月" in note.title
    assert dues_alarms_send(today=today()) == 0
    next_month = add_months(today().replace(day=1), 1)
    assert dues_alarms_send(today=next_month) == 2  # a new month, a new alarm


def test_the_daily_job_sends_the_alarms_once_a_day(tree, personas, people):
    set_term(tree.station_a1, -1)

    first = daily_agenda.call(today().isoformat())["jobs"][JOB]
    again = agenda_alarms_handle(today=today())

    assert first == {"terms": 2, "dues": 3}
    assert again == {"terms": 0, "dues": 0}
    assert recipients(EVENT_TERM_EXPIRED) == ["p_county", "p_secretary_a"]
