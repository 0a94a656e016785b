"""The demo keeps the calendar's evidence rule: every meeting of a rule that lists required
evidence, approved or waiting for review, carries a real file (its 会议记录 PDF)."""

from django.core.files.storage import default_storage

from bastion.agenda.models import CalendarRule, Meeting, MeetingStatus
from bastion.agenda.services.meetings import missing_evidence
from bastion.core.evidence import PDF, detect_type

COUNTING = [MeetingStatus.APPROVED, MeetingStatus.SUBMITTED]


def test_no_counting_meeting_of_an_evidence_rule_lacks_a_file(demo):
    wanting = CalendarRule.objects.exclude(evidence_required=[]).values_list("pk", flat=True)
    meetings = Meeting.objects.filter(status__in=COUNTING, obligations__rule__in=list(wanting))
    assert meetings.filter(status=MeetingStatus.APPROVED).count() > 1000
    assert meetings.filter(status=MeetingStatus.SUBMITTED).exists()
    assert not meetings.filter(attachments__isnull=True).exists()
    waiting = Meeting.objects.filter(status=MeetingStatus.SUBMITTED).first()
    assert missing_evidence(waiting) == ""  # the reviewer may approve it as it stands


def test_the_demo_minutes_are_small_real_pdfs_named_for_the_meeting(demo):
    meeting = Meeting.objects.filter(status=MeetingStatus.APPROVED).first()
    (attachment,) = meeting.attachments.all()
    assert attachment.original_name == f"会议记录{meeting.held_on:%Y%m%d}.pdf"
    assert attachment.kind == "document"
    with default_storage.open(attachment.file.name) as stored:
        assert detect_type(stored, attachment.original_name) == PDF
        assert stored.size == attachment.size < 8 * 1024
