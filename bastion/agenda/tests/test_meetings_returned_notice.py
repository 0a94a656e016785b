"""Sending a record back tells its recorder in the inbox at once."""

import datetime as dt

import pytest

from bastion.agenda.services.meetings import meeting_record, meeting_review
from bastion.core.notifications.models import Notification


@pytest.mark.django_db
def test_the_recorder_is_told_why_the_record_came_back(personas, people, tree):
    meeting = meeting_record(
        actor=personas.secretary_a, organization=tree.station_a1, kind="committee",
        topic="三月支委会", held_on=dt.date(2026, 3, 10),
        attendance=[(people.zhang_san, "present", "")],
    )  # fmt: skip
    meeting_review(meeting=meeting, actor=personas.county, approve=False, note="缺少签到表")
    notice = Notification.objects.get(recipient=personas.secretary_a)
    assert "三月支委会" in notice.title
    assert "缺少签到表" in notice.body
    meeting_review_approved = Notification.objects.filter(recipient=personas.county)
    assert not meeting_review_approved.exists()
