"""Agenda records are history: deleting what they belong to is refused with a message."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from bastion.agenda.models import Attendance, Meeting
from bastion.orgs import services
from bastion.orgs.models import Person


@pytest.mark.django_db
def test_a_person_with_attendance_cannot_be_deleted(personas, people, tree):
    meeting = Meeting.objects.create(
        organization=tree.station_a2, kind="committee", topic="支委会", held_on=dt.date(2026, 3, 2)
    )
    Attendance.objects.create(meeting=meeting, person=people.wang_wu, status="present")
    with pytest.raises(ValidationError, match="不能删除"):
        services.person_delete(actor=personas.company, person=people.wang_wu)
    assert Person.objects.filter(pk=people.wang_wu.pk).exists()
    assert Attendance.objects.filter(meeting=meeting).count() == 1


@pytest.mark.django_db
def test_an_organization_with_meetings_cannot_be_deleted(personas, tree):
    Meeting.objects.create(
        organization=tree.station_a2, kind="committee", topic="支委会", held_on=dt.date(2026, 3, 2)
    )
    tree.station_a2.people.all().delete()
    with pytest.raises(ValidationError, match="设为停用"):
        services.organization_delete(actor=personas.company, organization=tree.station_a2)
    assert Meeting.objects.filter(organization=tree.station_a2).count() == 1
