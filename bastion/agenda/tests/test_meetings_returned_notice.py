"""Sending a record back tells its recorder in the inbox at once."""

import datetime as dt

import pytest

from bastion.agenda.services.meetings import meeting_record, meeting_review, meeting_update
from bastion.agenda.services.notify import EVENT_MEETING_RETURNED, notify_meeting_returned
from bastion.core.notifications.models import Notification


@pytest.mark.django_db
def test_the_recorder_is_told_why_the_record_came_back(personas, people, tree):
    meeting = meeting_record(
        actor=personas.secretary_a,
        organization=tree.station_a1,
        kind="committee",
        topic="三月支委会",
        held_on=dt.date(2026, 3, 10),
        attendance=[(people.zhang_san, "present", "")],
    )
    meeting_review(meeting=meeting, actor=personas.county, approve=False, note="缺少签到表")
    notice = Notification.objects.get(recipient=personas.secretary_a)
    assert "三月支委会" in notice.title
    assert "缺少签到表" in notice.body
    meeting_review_approved = Notification.objects.filter(recipient=personas.county)
    assert not meeting_review_approved.exists()


@pytest.mark.django_db
def test_each_sending_back_tells_the_recorder_once(personas, people, tree):
    meeting = meeting_record(
        actor=personas.secretary_a,
        organization=tree.station_a1,
        kind="committee",
        topic="三月支委会",
        held_on=dt.date(2026, 3, 10),
        attendance=[(people.zhang_san, "present", "")],
    )
    meeting = meeting_review(meeting=meeting, actor=personas.county, approve=False, note="缺签到")
    assert notify_meeting_returned(meeting, actor=personas.county) is None  # the same event
    meeting = meeting_update(actor=personas.secretary_a, meeting=meeting, topic="三月支委会（补）")
    meeting_review(meeting=meeting, actor=personas.county, approve=False, note="仍缺签到")

    notes = Notification.objects.filter(event=EVENT_MEETING_RETURNED)
    assert [n.recipient for n in notes] == [personas.secretary_a] * 2
    assert all(n.read_at is None for n in notes)
