"""Quorum of a 支部党员大会: more than the rule's share of full members present."""

import datetime as dt
from decimal import Decimal

import pytest

from bastion.agenda import quorum
from bastion.agenda.models import CalendarRule
from bastion.orgs.tests.factories import PersonFactory

from .meetings_factories import day, record

SEEDED = Decimal("0.50")


@pytest.mark.parametrize(
    "total,present,needed,ok",
    [
        (4, 2, 3, False),  # exactly half is not more than half
        (4, 3, 3, True),  # half + 1
        (5, 2, 3, False),
        (5, 3, 3, True),
        (1, 1, 1, True),
        (1, 0, 1, False),
        (0, 0, 1, False),  # nobody with a vote: no valid assembly
    ],
)
def test_quorum_boundaries(total, present, needed, ok):
    result = quorum.check((total, present), SEEDED)
    assert (result.needed, result.ok) == (needed, ok)
    assert (result.voting_total, result.present_voting) == (total, present)


def test_the_failing_message_says_what_is_missing():
    message = quorum.check((4, 2), SEEDED).message
    assert message == (
        "支部党员大会实到有表决权党员 2 人，应到 4 人，未超过半数（至少需 3 人），会议决议无效。"
    )
    assert "符合法定人数" in quorum.check((4, 3), SEEDED).message


@pytest.mark.django_db
def test_ratio_comes_from_the_rule_in_force():
    assert quorum.assembly_ratio(dt.date(2024, 6, 1)) == SEEDED
    rule = CalendarRule.objects.get(code="branch-assembly")
    rule.pk = None
    rule.effective_from, rule.quorum_ratio = dt.date(2025, 1, 1), Decimal("0.67")
    rule.save()
    assert quorum.assembly_ratio(dt.date(2024, 12, 31)) == SEEDED
    assert quorum.assembly_ratio(dt.date(2025, 1, 1)) == Decimal("0.67")
    result = quorum.check((6, 4), quorum.assembly_ratio(dt.date(2025, 3, 1)))
    assert (result.needed, result.ok) == (5, False)
    assert "应到人数的 67%" in result.message


@pytest.mark.django_db
def test_kinds_without_a_ratio_have_no_quorum(personas, tree):
    meeting = record(personas.secretary_a, tree.station_a1, kind="committee")
    assert quorum.check(meeting) is None


def full(org, name):
    return PersonFactory(name=name, organization=org, membership_status="full")


@pytest.mark.django_db
def test_meeting_quorum_counts_full_members_only(personas, tree, people):
    # Roster of A1: 张三 (full), 李四 (non-member), plus three more full members and a
    # probationary one: 4 voting members, so 3 must be present.
    a, b, c = (full(tree.station_a1, n) for n in ("甲", "乙", "丙"))
    probationary = PersonFactory(
        name="丁", organization=tree.station_a1, membership_status="probationary"
    )
    attendance = [
        (people.zhang_san, "present", ""),
        (a, "present", ""),
        (b, "leave", "出差"),
        (c, "absent", ""),
        (probationary, "present", ""),
        (people.li_si, "present", ""),
    ]
    meeting = record(personas.secretary_a, tree.station_a1, attendance=attendance)
    result = quorum.check(meeting)
    assert (result.voting_total, result.present_voting, result.ok) == (4, 2, False)
    assert "实到有表决权党员 2 人，应到 4 人，未超过半数" in result.message


@pytest.mark.django_db
def test_full_members_left_off_the_record_still_count_as_expected(personas, tree, people):
    full(tree.station_a1, "甲")
    meeting = record(
        personas.secretary_a, tree.station_a1, attendance=[(people.zhang_san, "present", "")]
    )
    result = quorum.check(meeting)
    assert (result.voting_total, result.present_voting, result.ok) == (2, 1, False)


@pytest.mark.django_db
def test_half_plus_one_present_is_valid(personas, tree, people):
    a, b, c = (full(tree.station_a1, n) for n in ("甲", "乙", "丙"))
    present = [(p, "present", "") for p in (people.zhang_san, a, b)]
    meeting = record(
        personas.secretary_a, tree.station_a1, attendance=[*present, (c, "absent", "")]
    )
    result = quorum.check(meeting)
    assert (result.voting_total, result.present_voting, result.ok) == (4, 3, True)
    assert meeting.held_on == day(2, 10)
