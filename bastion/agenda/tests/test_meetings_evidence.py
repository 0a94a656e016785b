"""A meeting whose calendar rule lists required evidence (会议记录、签到表、照片 …) is approved
only with at least one file: in the service, on the review page and through the API."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from bastion.agenda.models import CalendarRule
from bastion.agenda.services.meetings import meeting_attach, meeting_review
from bastion.agenda.services.obligations import generate_year
from bastion.core.testing import login

from .meetings_factories import last_year, photo, record


@pytest.fixture
def year(tree):
    generate_year(last_year())
    return last_year()


def test_approval_without_a_file_is_refused_naming_the_rule_and_evidence(personas, tree, year):
    meeting = record(personas.secretary_a, tree.station_a1, topic="传达学习上级会议精神")
    with pytest.raises(ValidationError) as exc:
        meeting_review(meeting=meeting, actor=personas.county, approve=True)
    message = exc.value.messages[0]
    assert "传达学习上级会议精神" in message and "支部党员大会" in message
    assert "会议记录、签到表、照片" in message
    meeting.refresh_from_db()
    assert meeting.status == "submitted" and meeting.reviewed_by is None


def test_sending_back_a_record_without_files_is_still_allowed(personas, tree, year):
    meeting = record(personas.secretary_a, tree.station_a1)
    meeting_review(meeting=meeting, actor=personas.county, approve=False, note="请上传签到表")
    meeting.refresh_from_db()
    assert meeting.status == "returned"


def test_one_file_is_enough_to_approve(personas, tree, year):
    meeting = record(personas.secretary_a, tree.station_a1)
    meeting_attach(actor=personas.secretary_a, meeting=meeting, files=[photo()])
    meeting_review(meeting=meeting, actor=personas.county, approve=True)
    meeting.refresh_from_db()
    assert meeting.status == "approved"


def test_a_rule_without_required_evidence_approves_without_files(personas, tree, year):
    CalendarRule.objects.filter(code="committee").update(evidence_required=[])
    meeting = record(personas.secretary_a, tree.station_a1, kind="committee")
    meeting_review(meeting=meeting, actor=personas.county, approve=True)
    meeting.refresh_from_db()
    assert meeting.status == "approved"


def test_a_meeting_fulfilling_no_obligation_is_judged_by_its_kinds_rule(personas, tree):
    # No obligations generated: the rule in force for 支委会 still asks for evidence.
    meeting = record(personas.secretary_a, tree.station_a1, kind="committee")
    assert not meeting.obligations.exists()
    with pytest.raises(ValidationError) as exc:
        meeting_review(meeting=meeting, actor=personas.county, approve=True)
    assert "会议记录、签到表" in exc.value.messages[0]


def test_review_page_disables_approval_and_says_why(client, personas, tree, year):
    meeting = record(personas.secretary_a, tree.station_a1)
    client.force_login(personas.county)
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert 'data-testid="missing-evidence"' in page
    assert "须附佐证材料（会议记录、签到表、照片）" in page
    assert 'data-testid="approve-disabled"' in page
    client.force_login(personas.member)  # a reader without edit rights sees why it waits
    assert (
        'data-testid="missing-evidence"' in client.get(meeting.get_absolute_url()).content.decode()
    )
    client.force_login(personas.county)
    response = client.post(
        reverse("agenda:meeting_review", args=[meeting.pk]), {"decision": "approve"}
    )
    assert response.status_code == 200
    assert "尚未上传任何附件，不能审核通过" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.status == "submitted"


def test_review_page_offers_approval_once_a_file_is_there(client, personas, tree, year):
    meeting = record(personas.secretary_a, tree.station_a1, files=[photo()])
    client.force_login(personas.county)
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert 'data-testid="missing-evidence"' not in page
    assert 'data-testid="approve-disabled"' not in page


def test_api_refuses_approval_without_a_file(api, personas, tree, year):
    meeting = record(personas.secretary_a, tree.station_a1)
    login(api, personas.county)
    url = reverse("api:meeting-review", args=[meeting.pk])
    response = api.post(url, {"approve": True}, format="json")
    assert response.status_code == 400
    assert "不能审核通过" in response.json()["non_field_errors"][0]


def test_review_queue_flags_the_records_that_lack_their_evidence(client, personas, tree, year):
    bare = record(personas.secretary_a, tree.station_a1, topic="缺佐证的支部党员大会")
    filed = record(
        personas.county, tree.station_a2, topic="附了记录的支部党员大会", files=[photo()]
    )
    client.force_login(personas.county)
    response = client.get(reverse("agenda:meeting_list"), {"mine": "1", "status": "submitted"})
    flagged = {m.topic for m in response.context["page"] if m.lacks_evidence}
    assert flagged == {bare.topic}
    assert filed.topic in response.content.decode()
    assert 'data-testid="missing-evidence"' in response.content.decode()


def test_review_queue_judges_a_record_fulfilling_no_obligation_by_its_kinds_rule(
    client, personas, tree
):
    committee = record(personas.secretary_a, tree.station_a1, kind="committee", topic="支委会")
    county = record(personas.company, tree.county_a, kind="lecture", topic="县公司党课")
    client.force_login(personas.company)
    response = client.get(reverse("agenda:meeting_list"), {"all": "1", "status": "submitted"})
    flagged = {m.topic for m in response.context["page"] if m.lacks_evidence}
    assert flagged == {committee.topic}  # 党课's rule is for branches, not a county committee
    assert county.topic in response.content.decode()
