"""The demo company's year of organisational life shows every colour, and loads only once."""

from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from bastion.agenda.models import DuesPayment, Meeting, Obligation
from bastion.core.alerts import LEVELS
from bastion.core.notifications.models import Notification

SECRETARY_BRANCH = "NY-C01-Z01"


def test_every_colour_appears_today(demo):
    today = timezone.localdate()
    counts = {level: Obligation.objects.with_alert(level, today).count() for level in LEVELS}
    assert all(counts[level] > 0 for level in LEVELS), counts


def test_the_secretary_opens_on_a_red_committee_meeting(demo):
    today = timezone.localdate()
    red = Obligation.objects.filter(organization__code=SECRETARY_BRANCH).with_alert("red", today)
    assert red.filter(kind="committee").exists()


def test_reviews_are_pending_and_some_were_sent_back(demo):
    statuses = set(Meeting.objects.values_list("status", flat=True))
    assert statuses == {"submitted", "approved", "returned"}
    returned = Meeting.objects.filter(status="returned").first()
    assert returned.review_note
    assert not Obligation.objects.filter(meeting=returned, fulfilled_on__isnull=False).exists()


def test_meetings_carry_attendance_and_demo_inboxes_hold_a_digest(demo):
    meeting = Meeting.objects.filter(organization__code=SECRETARY_BRANCH).first()
    assert meeting.attendance.filter(status="present").exists()
    assert Notification.objects.filter(recipient__username="secretary").exists()


def test_a_second_run_adds_nothing(demo):
    counts = (Meeting.objects.count(), DuesPayment.objects.count(), Obligation.objects.count())
    call_command("seed_demo", stdout=StringIO())
    assert counts == (
        Meeting.objects.count(),
        DuesPayment.objects.count(),
        Obligation.objects.count(),
    )
