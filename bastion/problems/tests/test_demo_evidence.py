"""Issue 14 item 6 in the demo: no problem past 提交验收 lacks evidence. Every submission in a
problem's history carries its own 整改报告, a real PDF that passes the upload check."""

from django.core.files import File
from django.core.files.storage import default_storage
from django.db.models import Count

from bastion.core.evidence import PDF, check_upload
from bastion.problems.models import Problem, ProblemEvent, ProblemEvidence, State

PAST_SUBMISSION = [State.SUBMITTED, State.REJECTED, State.VERIFIED, State.CLOSED]


def test_no_problem_past_submission_lacks_evidence(demo):
    past = Problem.objects.filter(state__in=PAST_SUBMISSION)
    assert past.count() > 100
    assert set(past.values_list("state", flat=True)) == set(PAST_SUBMISSION)
    assert not past.annotate(files=Count("evidence")).filter(files=0).exists()


def test_every_submission_carries_its_own_report(demo):
    submissions = ProblemEvent.objects.filter(to_state=State.SUBMITTED)
    assert not submissions.annotate(files=Count("evidence")).filter(files=0).exists()
    assert ProblemEvidence.objects.filter(event__isnull=True).count() == 0
    assert ProblemEvidence.objects.count() == submissions.count()
    for evidence in ProblemEvidence.objects.select_related("event")[:50]:
        assert evidence.uploaded_at == evidence.event.at


def test_never_submitted_problems_have_none(demo):
    never = Problem.objects.exclude(events__to_state=State.SUBMITTED)
    assert never.exists()
    assert not ProblemEvidence.objects.filter(problem__in=never).exists()


def test_the_report_is_a_real_small_pdf(demo):
    evidence = ProblemEvidence.objects.select_related("problem__organization").first()
    assert evidence.original_name.startswith("整改报告-")
    assert evidence.problem.organization.name in evidence.original_name
    with default_storage.open(evidence.file.name) as stored:
        checked = check_upload(File(stored, name=evidence.original_name))
        assert checked.file_type == PDF
        assert checked.size == evidence.size < 8 * 1024
        stored.seek(0)
        content = stored.read()
    name = evidence.problem.organization.name.encode("utf-16-be").hex().upper().encode()
    assert name in content  # the report names the organization
