"""Evaluation events reach the people who must act: one unread message per person and event."""

import datetime as dt

import pytest

from bastion.core.daily import run_daily_jobs
from bastion.core.notifications.models import Notification
from bastion.evaluation.services import appeals, rounds
from bastion.evaluation.services.notify import (
    EVENT_CLOSING,
    EVENT_OPENED,
    EVENT_POINTS_REVIEW,
    EVENT_TITLE,
    evaluation_daily,
)
from bastion.evaluation.services.points import points_entry_create
from bastion.evaluation.services.remind import round_remind
from bastion.orgs.tests.factories import PersonFactory

from .helpers import open_round, simple_scheme
from .helpers_points import TODAY, make_items
from .helpers_results import branch_round, member_round, today

pytestmark = pytest.mark.django_db
JOB = "bastion.evaluation.services.notify.evaluation_daily"
EVENT_APPEAL = "evaluation.appeal_answered"


def told(event, user=None):
    notes = Notification.objects.filter(event=event)
    return notes.filter(recipient=user) if user is not None else notes


def recipients(event):
    return sorted(told(event).values_list("recipient__username", flat=True))


def window(first: int, last: int):
    return (today() + dt.timedelta(days=first), today() + dt.timedelta(days=last))


def test_opening_a_round_tells_each_evaluator_once(tree, personas):
    round_ = open_round(
        personas.company, simple_scheme(tree.company), tree.county_a, window=window(0, 10)
    )

    [note] = told(EVENT_OPENED)
    assert note.recipient == personas.county and note.read_at is None  # it scores A1 and A2
    assert note.title == f"考评评分已开始：{round_.name}"
    assert "有 2 个评价对象等待您评分" in note.body
    assert evaluation_daily(today=today()) == {"opened": 0, "closing": 0}
    assert told(EVENT_OPENED).count() == 1


def test_a_window_opening_later_is_told_by_the_daily_job_that_day(tree, personas):
    round_ = open_round(
        personas.company, simple_scheme(tree.company), tree.county_a, window=window(2, 12)
    )
    assert not told(EVENT_OPENED).exists()

    assert evaluation_daily(today=round_.opens_on) == {"opened": 1, "closing": 0}
    assert evaluation_daily(today=round_.opens_on) == {"opened": 0, "closing": 0}
    assert recipients(EVENT_OPENED) == ["p_county"]


def test_a_closing_window_reminds_those_still_owing_once_a_day_at_most(tree, personas):
    round_ = open_round(
        personas.company, simple_scheme(tree.company), tree.county_a, window=window(-5, 1)
    )
    assert told(EVENT_OPENED).count() == 1  # opened in the past, told when opened
    assert round_remind(actor=personas.company, round_=round_) == 1  # 一键催评 today

    assert run_daily_jobs(today())[JOB] == {"opened": 0, "closing": 0}  # told today already
    assert told(EVENT_CLOSING).count() == 0

    tomorrow = today() + dt.timedelta(days=1)
    assert evaluation_daily(today=tomorrow) == {"opened": 0, "closing": 1}
    assert evaluation_daily(today=tomorrow) == {"opened": 0, "closing": 0}
    [note] = told(EVENT_CLOSING)
    assert note.recipient == personas.county and note.level == "yellow"


def test_published_titles_tell_each_branch_secretary_once(tree, personas):
    round_ = branch_round(tree, personas)  # A1 90 (红旗, 五星, 达标), A2 50 (不放心), B1 80

    assert recipients(EVENT_TITLE) == ["p_county", "p_secretary_a", "p_secretary_b"]
    [note] = told(EVENT_TITLE, personas.secretary_a)
    assert note.read_at is None and note.title == f"考评称号：{round_.name}"
    assert sorted(line["text"] for line in note.items[0]["lines"]) == sorted(
        ["流动红旗", "五星党支部", "达标"]
    )
    [county] = told(EVENT_TITLE, personas.county)  # A2 has no secretary of its own
    assert [line["text"] for line in county.items[0]["lines"]] == ["不放心支部"]
    rounds.round_compute(actor=personas.company, round_=round_)  # titles awarded again
    assert told(EVENT_TITLE).count() == 3


def test_a_member_is_told_of_their_own_title(tree, personas, people):
    member_round(tree, personas, people)  # 张三 90: 五星党员

    [note] = told(EVENT_TITLE, personas.member)
    assert [line["text"] for line in note.items[0]["lines"]] == ["五星党员"]
    assert [line["org"] for line in note.items[0]["lines"]] == ["张三"]


def test_points_waiting_for_review_tell_the_reviewers_once(tree, personas, people):
    items = make_items()
    entry = points_entry_create(
        actor=personas.member,
        person=people.zhang_san,
        item=items["t_study"],
        occurred_on=TODAY,
        today=TODAY,
    )

    [note] = told(EVENT_POINTS_REVIEW)
    assert note.recipient == personas.secretary_a and note.read_at is None
    assert note.subjects.get().object_id == entry.pk
    own = PersonFactory(
        name="书记甲",
        organization=tree.station_a1,
        membership_status="full",
        user=personas.secretary_a,
    )
    points_entry_create(
        actor=personas.secretary_a,
        person=own,
        item=items["t_study"],
        occurred_on=TODAY,
        today=TODAY,
    )
    assert recipients(EVENT_POINTS_REVIEW) == ["p_county", "p_secretary_a"]


def test_an_answered_appeal_tells_the_appellant_once(tree, personas, people):
    round_ = member_round(tree, personas, people, publish=False)
    rounds.round_publish(actor=personas.company, round_=round_, today=today())
    own = round_.targets.get(person=people.zhang_san)
    appeal = appeals.appeal_raise(actor=personas.member, target=own, reason="得分有误")

    appeals.appeal_answer(actor=personas.county, appeal=appeal, uphold=False, answer="评分无误")
    appeals._notify(appeal)  # the same event again

    [note] = told(EVENT_APPEAL)
    assert note.recipient == personas.member and note.read_at is None
    assert note.body == "评分无误"
