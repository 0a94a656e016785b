"""Meeting services: a record fulfils its obligation, review from above, all-or-nothing writes."""

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from bastion.agenda.models import Attendance, Meeting, MeetingAttachment, Obligation
from bastion.agenda.services.meetings import (
    meeting_attach,
    meeting_delete,
    meeting_detach,
    meeting_review,
    meeting_update,
)
from bastion.agenda.services.obligations import generate_year
from bastion.orgs.tests.factories import PersonFactory, UserFactory, grant

from .meetings_factories import day, last_year, photo, record, upload


@pytest.fixture
def year(tree):
    year = last_year()
    generate_year(year)
    return year


def obligation(org, kind, label):
    return Obligation.objects.get(organization=org, kind=kind, period_label=label)


def alert(ob):
    ob.refresh_from_db()
    return ob.alert(timezone.localdate())


def test_record_fulfils_the_obligation_of_its_period(personas, tree, people, year):
    meeting = record(
        personas.secretary_a,
        tree.station_a1,
        held_on=day(2, 10),
        attendance=[(people.zhang_san, "present", ""), (people.li_si, "leave", "出差")],
    )
    q1 = obligation(tree.station_a1, "branch_assembly", f"{year}Q1")
    assert q1.meeting_id == meeting.pk and q1.fulfilled_on == day(2, 10)
    assert alert(q1) == "done"
    assert meeting.status == "submitted" and meeting.recorded_by == personas.secretary_a
    assert dict(meeting.attendance.values_list("person__name", "status")) == {
        "张三": "present",
        "李四": "leave",
    }


def test_make_up_meeting_after_the_due_date_is_late(personas, tree, year):
    q1 = obligation(tree.station_a1, "branch_assembly", f"{year}Q1")
    record(personas.secretary_a, tree.station_a1, held_on=day(4, 8), obligation=q1)
    assert alert(q1) == "late"


def test_second_meeting_in_a_period_makes_up_the_oldest_open_one(personas, tree, year):
    record(personas.secretary_a, tree.station_a1, held_on=day(5, 6))
    make_up = record(personas.secretary_a, tree.station_a1, held_on=day(5, 20))
    q1 = obligation(tree.station_a1, "branch_assembly", f"{year}Q1")
    assert q1.meeting_id == make_up.pk
    assert alert(q1) == "late"
    assert alert(obligation(tree.station_a1, "branch_assembly", f"{year}Q2")) == "done"


def test_returned_meeting_reopens_the_obligation_and_resubmission_counts_again(
    personas, tree, year
):
    q1 = obligation(tree.station_a1, "branch_assembly", f"{year}Q1")
    meeting = record(personas.secretary_a, tree.station_a1, held_on=day(4, 8), obligation=q1)
    assert alert(q1) == "late"
    meeting_review(meeting=meeting, actor=personas.county, approve=False, note="缺少签到表")
    meeting.refresh_from_db()
    assert meeting.status == "returned" and meeting.review_note == "缺少签到表"
    assert alert(q1) == "red"
    assert q1.meeting_id == meeting.pk  # still linked, no longer counting

    meeting_update(meeting=meeting, actor=personas.secretary_a, minutes="补充签到表")
    meeting.refresh_from_db()
    assert meeting.status == "submitted" and meeting.review_note == ""
    assert alert(q1) == "late"
    notes = [e.changes_dict.get("review_note") for e in LogEntry.objects.get_for_object(meeting)]
    assert ["", "缺少签到表"] in notes or ["缺少签到表", ""] in notes


def test_approval_keeps_the_obligation_done(personas, tree, year):
    meeting = record(personas.secretary_a, tree.station_a1, held_on=day(2, 10), files=[photo()])
    meeting_review(meeting=meeting, actor=personas.company, approve=True)
    meeting.refresh_from_db()
    assert meeting.status == "approved" and meeting.reviewed_by == personas.company
    assert alert(obligation(tree.station_a1, "branch_assembly", f"{year}Q1")) == "done"


def test_future_date_is_refused_and_nothing_is_written(personas, tree, people, year):
    tomorrow = timezone.localdate() + timezone.timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        record(
            personas.secretary_a,
            tree.station_a1,
            held_on=tomorrow,
            attendance=[(people.zhang_san, "present", "")],
            files=[photo()],
        )
    assert "召开日期不能晚于今天" in str(exc.value.message_dict["held_on"])
    assert not Meeting.objects.exists() and not Attendance.objects.exists()
    assert not MeetingAttachment.objects.exists()


def test_person_not_on_the_roster_is_refused(personas, tree, people, year):
    with pytest.raises(ValidationError) as exc:
        record(
            personas.secretary_a,
            tree.station_a1,
            attendance=[(people.zhang_san, "present", ""), (people.wang_wu, "present", "")],
        )
    assert "“王五”不在“A1供电所党支部”的人员名册中" in exc.value.message_dict["attendance"][0]
    assert not Meeting.objects.exists()
    assert Obligation.objects.filter(meeting__isnull=False).count() == 0


def test_party_group_people_belong_to_the_branch_roster(personas, tree, year):
    grouped = PersonFactory(name="孙八", organization=tree.group_a1, membership_status="full")
    meeting = record(personas.secretary_a, tree.station_a1, attendance=[(grouped, "present", "")])
    assert meeting.attendance.get().person == grouped


def test_group_meeting_roster_includes_people_assigned_to_the_group(personas, tree, people, year):
    people.zhang_san.party_group = tree.group_a1
    people.zhang_san.save()
    meeting = record(
        personas.secretary_a,
        tree.group_a1,
        kind="group",
        attendance=[(people.zhang_san, "present", "")],
    )
    assert obligation(tree.group_a1, "group", f"{year}-02").meeting_id == meeting.pk
    with pytest.raises(ValidationError):
        record(
            personas.secretary_a,
            tree.group_a1,
            kind="group",
            attendance=[(people.li_si, "present", "")],
        )


def test_leave_needs_a_reason_and_duplicates_are_refused(personas, tree, people, year):
    with pytest.raises(ValidationError) as exc:
        record(
            personas.secretary_a,
            tree.station_a1,
            attendance=[(people.zhang_san, "leave", " "), (people.zhang_san, "present", "")],
        )
    messages = exc.value.message_dict["attendance"]
    assert any("请填写请假事由" in m for m in messages)
    assert any("重复登记" in m for m in messages)


def test_host_must_be_on_the_roster(personas, tree, people, year):
    with pytest.raises(ValidationError) as exc:
        record(personas.secretary_a, tree.station_a1, host=people.zhao_liu)
    assert "主持人“赵六”" in exc.value.message_dict["host"][0]


@pytest.mark.parametrize("case", ["other_org", "other_kind", "later_period"])
def test_explicit_obligation_must_fit(personas, tree, year, case):
    target = {
        "other_org": obligation(tree.station_a2, "branch_assembly", f"{year}Q1"),
        "other_kind": obligation(tree.station_a1, "lecture", f"{year}Q1"),
        "later_period": obligation(tree.station_a1, "branch_assembly", f"{year}Q2"),
    }[case]
    with pytest.raises(ValidationError) as exc:
        record(personas.secretary_a, tree.station_a1, held_on=day(2, 10), obligation=target)
    assert exc.value.message_dict["obligation"]
    assert not Meeting.objects.exists()


def test_obligation_fulfilled_by_another_meeting_cannot_be_taken(personas, tree, year):
    record(personas.secretary_a, tree.station_a1, held_on=day(2, 10))
    q1 = obligation(tree.station_a1, "branch_assembly", f"{year}Q1")
    with pytest.raises(ValidationError) as exc:
        record(personas.secretary_a, tree.station_a1, held_on=day(3, 10), obligation=q1)
    assert "已由另一次会议完成" in exc.value.message_dict["obligation"][0]


def test_recording_outside_scope_is_refused(personas, tree, year):
    with pytest.raises(PermissionDenied):
        record(personas.secretary_b, tree.station_a1)
    with pytest.raises(PermissionDenied):
        record(personas.member, tree.station_a1)
    assert not Meeting.objects.exists()


def test_bad_file_refuses_the_whole_record(personas, tree, people, year, settings):
    fake = upload("合影.jpg", "这不是图片".encode(), "image/jpeg")
    with pytest.raises(ValidationError) as exc:
        record(
            personas.secretary_a,
            tree.station_a1,
            attendance=[(people.zhang_san, "present", "")],
            files=[photo(), fake],
        )
    assert "合影.jpg" in exc.value.message_dict["files"][0]
    assert not Meeting.objects.exists() and not MeetingAttachment.objects.exists()


def test_files_are_stored_with_the_record(personas, tree, year):
    meeting = record(personas.secretary_a, tree.station_a1, files=[photo("会场.png")])
    attachment = meeting.attachments.get()
    assert attachment.original_name == "会场.png" and attachment.kind == "photo"
    assert attachment.size > 0 and attachment.uploaded_by == personas.secretary_a
    assert attachment.file.name.startswith(f"agenda/meetings/{meeting.pk}/")
    with attachment.file.open("rb") as handle:
        assert handle.read(4) == b"\x89PNG"


# --- review ---------------------------------------------------------------------------------


def test_review_needs_a_grant_strictly_above_the_branch(personas, tree, year):
    meeting = record(personas.secretary_a, tree.station_a1, files=[photo()])
    on_branch = UserFactory(username="branch_reviewer")
    grant(on_branch, "county_committee", tree.station_a1)  # review permission, on the branch
    for actor in (personas.secretary_a, personas.secretary_b, personas.member, on_branch):
        with pytest.raises(PermissionDenied):
            meeting_review(meeting=meeting, actor=actor, approve=True)
    other_county = UserFactory(username="county_b_reviewer")
    grant(other_county, "county_committee", tree.county_b)
    with pytest.raises(PermissionDenied):
        meeting_review(meeting=meeting, actor=other_county, approve=True)
    meeting.refresh_from_db()
    assert meeting.status == "submitted"
    meeting_review(meeting=meeting, actor=personas.county, approve=True)
    meeting.refresh_from_db()
    assert meeting.status == "approved"


def test_county_meeting_is_reviewed_by_the_company_not_the_county(personas, tree, year):
    meeting = record(personas.county, tree.county_a, kind="lecture")
    with pytest.raises(PermissionDenied):
        meeting_review(meeting=meeting, actor=personas.county, approve=True)
    meeting_review(meeting=meeting, actor=personas.company, approve=True)


def test_superuser_may_review(tree, personas, year):
    meeting = record(personas.secretary_a, tree.station_a1)
    admin = UserFactory(username="root", is_superuser=True)
    meeting_review(meeting=meeting, actor=admin, approve=False, note="请补充照片")
    meeting.refresh_from_db()
    assert meeting.status == "returned"


def test_sending_back_needs_a_reason(personas, tree, year):
    meeting = record(personas.secretary_a, tree.station_a1)
    with pytest.raises(ValidationError) as exc:
        meeting_review(meeting=meeting, actor=personas.county, approve=False, note="  ")
    assert exc.value.message_dict["note"] == ["退回时请填写退回原因。"]
    meeting.refresh_from_db()
    assert meeting.status == "submitted"


def test_only_submitted_meetings_are_reviewed(personas, tree, year):
    meeting = record(personas.secretary_a, tree.station_a1, files=[photo()])
    meeting_review(meeting=meeting, actor=personas.county, approve=True)
    with pytest.raises(ValidationError) as exc:
        meeting_review(meeting=meeting, actor=personas.county, approve=False, note="再看看")
    assert "只有待审核的记录可以审核" in exc.value.messages[0]


# --- update, evidence, delete ---------------------------------------------------------------


def test_update_replaces_attendance_and_logs_it(personas, tree, people, year):
    meeting = record(
        personas.secretary_a, tree.station_a1, attendance=[(people.zhang_san, "present", "")]
    )
    meeting_update(
        meeting=meeting,
        actor=personas.secretary_a,
        attendance=[(people.zhang_san, "absent", ""), (people.li_si, "present", "")],
    )
    assert dict(meeting.attendance.values_list("person__name", "status")) == {
        "张三": "absent",
        "李四": "present",
    }
    changes = [e.changes_dict for e in LogEntry.objects.get_for_object(meeting)]
    assert any("出勤" in c for c in changes)


def test_update_moving_the_date_to_another_period_moves_the_link(personas, tree, year):
    meeting = record(personas.secretary_a, tree.station_a1, held_on=day(2, 10))
    meeting_update(meeting=meeting, actor=personas.secretary_a, held_on=day(5, 10))
    assert obligation(tree.station_a1, "branch_assembly", f"{year}Q1").meeting_id is None
    q2 = obligation(tree.station_a1, "branch_assembly", f"{year}Q2")
    assert q2.meeting_id == meeting.pk and q2.fulfilled_on == day(5, 10)


def test_update_with_bad_input_changes_nothing(personas, tree, people, year):
    meeting = record(personas.secretary_a, tree.station_a1, topic="原主题")
    with pytest.raises(ValidationError):
        meeting_update(
            meeting=meeting,
            actor=personas.secretary_a,
            topic="新主题",
            attendance=[(people.zhao_liu, "present", "")],
        )
    meeting.refresh_from_db()
    assert meeting.topic == "原主题" and not meeting.attendance.exists()


def test_update_outside_scope_is_refused(personas, tree, year):
    meeting = record(personas.secretary_a, tree.station_a1)
    with pytest.raises(PermissionDenied):
        meeting_update(meeting=meeting, actor=personas.secretary_b, topic="篡改")
    with pytest.raises(PermissionDenied):
        meeting_update(meeting=meeting, actor=personas.secretary_a, organization=tree.station_b1)


def test_attaching_evidence_to_a_returned_meeting_resubmits_it(personas, tree, year):
    meeting = record(personas.secretary_a, tree.station_a1)
    meeting_review(meeting=meeting, actor=personas.county, approve=False, note="缺少照片")
    stored = meeting_attach(meeting=meeting, actor=personas.secretary_a, files=[photo()])
    meeting.refresh_from_db()
    assert meeting.status == "submitted" and len(stored) == 1
    assert obligation(tree.station_a1, "branch_assembly", f"{year}Q1").fulfilled_on


def test_detach_removes_the_file_after_commit(
    personas, tree, year, django_capture_on_commit_callbacks
):
    meeting = record(personas.secretary_a, tree.station_a1, files=[photo()])
    attachment = meeting.attachments.get()
    storage, name = attachment.file.storage, attachment.file.name
    assert storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        meeting_detach(attachment=attachment, actor=personas.secretary_a)
    assert not MeetingAttachment.objects.exists()
    assert not storage.exists(name)


def test_attach_outside_scope_is_refused(personas, tree, year):
    meeting = record(personas.secretary_a, tree.station_a1)
    with pytest.raises(PermissionDenied):
        meeting_attach(meeting=meeting, actor=personas.secretary_b, files=[photo()])
    with pytest.raises(PermissionDenied):
        meeting_attach(meeting=meeting, actor=personas.member, files=[photo()])


def test_delete_reopens_the_obligation_but_approved_records_stay(personas, tree, year):
    meeting = record(personas.secretary_a, tree.station_a1)
    meeting_delete(meeting=meeting, actor=personas.secretary_a)
    q1 = obligation(tree.station_a1, "branch_assembly", f"{year}Q1")
    assert q1.meeting_id is None and q1.fulfilled_on is None
    kept = record(personas.secretary_a, tree.station_a1, files=[photo()])
    meeting_review(meeting=kept, actor=personas.county, approve=True)
    with pytest.raises(ValidationError):
        meeting_delete(meeting=kept, actor=personas.secretary_a)
    assert Meeting.objects.filter(pk=kept.pk).exists()
