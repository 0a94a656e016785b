"""一键催评: who is reminded, once a day, and nobody when every score is in."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bastion.core.notifications.models import Notification
from bastion.evaluation.models import RoundState
from bastion.evaluation.services.remind import round_remind

from .helpers import open_round, simple_scheme
from .helpers_rounds import add_member, add_stations, member_scheme, rate

pytestmark = pytest.mark.django_db


@pytest.fixture
def branch(tree, personas, people):
    return {
        "jia": add_member(tree.station_a1, "甲"),
        "yi": add_member(tree.station_a1, "乙"),
        "bing": add_member(tree.station_a1, "丙", account=False),
        "zhang": people.zhang_san,
    }


def recipients():
    return {n.recipient.username: n for n in Notification.objects.select_related("recipient")}


def test_everyone_who_owes_a_score_gets_one_reminder(tree, personas, branch):
    round_ = open_round(personas.company, member_scheme(tree.company), tree.station_a1)
    jia, yi = branch["jia"], branch["yi"]
    assert round_remind(actor=personas.company, round_=round_) == 4
    notes = recipients()
    assert set(notes) == {"p_member", jia.user.username, yi.user.username, "p_secretary_a"}
    note = notes["p_secretary_a"]
    assert note.level == "yellow"
    assert note.title == f"请完成考评评分：{round_.name}"
    assert "还有 4 个评价对象等待您评分" in note.body  # as the committee, every member
    assert "还有 4 个评价对象" in notes["p_member"].body  # self and the three co-members
    assert note.items[0]["round"] == round_.pk


def test_a_second_click_the_same_day_sends_nothing_new(tree, personas, branch):
    round_ = open_round(personas.company, member_scheme(tree.company), tree.station_a1)
    assert round_remind(actor=personas.company, round_=round_) == 4
    assert round_remind(actor=personas.county, round_=round_) == 0
    assert Notification.objects.count() == 4


def test_nobody_is_reminded_once_every_score_is_in(tree, personas):
    round_ = open_round(personas.company, simple_scheme(tree.company), tree.county_a)
    rate(personas.county, round_, "higher", {"party": 90, "business": 80}, org=tree.station_a1)
    assert round_remind(actor=personas.company, round_=round_) == 1  # A2 still owed
    rate(personas.county, round_, "higher", {"party": 70}, org=tree.station_a2)
    Notification.objects.all().delete()
    assert round_remind(actor=personas.company, round_=round_) == 0
    assert not Notification.objects.exists()


def test_people_who_do_not_owe_are_not_reminded(tree, personas, branch):
    round_ = open_round(personas.company, member_scheme(tree.company), tree.station_a1)
    for person in (branch["jia"], branch["yi"], branch["bing"]):
        rate(personas.member, round_, "peers", {"conduct": 80}, person=person)
    rate(personas.member, round_, "self", {"conduct": 80}, person=branch["zhang"])
    round_remind(actor=personas.company, round_=round_)
    assert "p_member" not in recipients()  # rated everyone they could, and themself


def test_reminding_needs_change_rights_and_an_open_round(tree, personas):
    round_ = open_round(personas.company, simple_scheme(tree.company), tree.company)
    for who in ("county", "secretary_a", "member", "outsider"):
        with pytest.raises(PermissionDenied):
            round_remind(actor=getattr(personas, who), round_=round_)
    round_.state = RoundState.COMPUTED
    round_.save()
    with pytest.raises(ValidationError):
        round_remind(actor=personas.company, round_=round_)


def _cost(actor, round_):
    with CaptureQueriesContext(connection) as ctx:
        sent = round_remind(actor=actor, round_=round_)
    return len(ctx), sent


def test_reminders_cost_the_same_queries_at_two_sizes(tree, personas, branch):
    few, sent_few = _cost(
        personas.company, open_round(personas.company, member_scheme(tree.company), tree.company)
    )
    for station in add_stations(tree.county_b, 4):
        for name in "ABC":
            add_member(station, name)
    many, sent_many = _cost(
        personas.company,
        open_round(personas.company, member_scheme(tree.company, code="m2"), tree.company),
    )
    assert sent_many > sent_few
    assert many == few
