"""The meeting pages as a secretary uses them: record, bad input, review, resubmit, rates."""

import pytest
from django.urls import reverse
from django.utils import timezone

from bastion.agenda.models import Meeting, MeetingAttachment, Obligation
from bastion.agenda.services.meetings import meeting_review
from bastion.agenda.services.obligations import generate_year
from bastion.orgs.tests.factories import PersonFactory

from .meetings_factories import day, last_year, photo, png_bytes, record, upload


@pytest.fixture
def year(tree):
    generate_year(last_year())
    return last_year()


def form_data(people, **overrides):
    data = {
        "organization": "",
        "kind": "branch_assembly",
        "topic": "学习党的二十大精神",
        "held_on": day(2, 10).isoformat(),
        "place": "所会议室",
        "host": str(people.zhang_san.pk),
        "lecturer": "",
        "minutes": "会议传达学习了……",
        "obligation": "",
        f"att_{people.zhang_san.pk}": "present",
        f"att_{people.li_si.pk}": "leave",
        f"reason_{people.li_si.pk}": "抢修值班",
    }
    data.update(overrides)
    return data


def create_url(org):
    return reverse("agenda:meeting_create") + f"?org={org.pk}"


def test_recording_through_the_page_fulfils_the_obligation(client, personas, tree, people, year):
    client.force_login(personas.secretary_a)
    data = form_data(people, organization=tree.station_a1.pk, files=[photo("会场.png")])
    response = client.post(create_url(tree.station_a1), data)
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response["Location"] == meeting.get_absolute_url()
    assert meeting.host == people.zhang_san and meeting.recorded_by == personas.secretary_a
    assert dict(meeting.attendance.values_list("person__name", "reason")) == {
        "张三": "",
        "李四": "抢修值班",
    }
    assert meeting.attachments.get().original_name == "会场.png"
    q1 = Obligation.objects.get(
        organization=tree.station_a1, period_label=f"{year}Q1", kind="branch_assembly"
    )
    assert q1.meeting == meeting


def test_roster_table_lists_branch_and_group_people_only(client, personas, tree, people):
    grouped = PersonFactory(name="孙八", organization=tree.group_a1, membership_status="full")
    client.force_login(personas.secretary_a)
    response = client.get(
        reverse("agenda:meeting_create"), {"org": tree.station_a1.pk, "kind": "branch_assembly"}
    )
    names = [row["person"].name for row in response.context["form"].roster_rows]
    assert sorted(names) == sorted(["张三", "李四", grouped.name])
    html = response.content.decode()
    assert f'name="att_{people.zhang_san.pk}"' in html and "王五" not in html


def test_quorum_warning_after_saving_an_assembly_without_quorum(client, personas, tree, people):
    PersonFactory.create_batch(3, organization=tree.station_a1, membership_status="full")
    client.force_login(personas.secretary_a)
    data = form_data(people, organization=tree.station_a1.pk)  # 1 of 4 full members present
    response = client.post(create_url(tree.station_a1), data, follow=True)
    html = response.content.decode()
    assert "实到有表决权党员 1 人，应到 4 人，未超过半数" in html
    assert 'data-testid="quorum-warning"' in html
    assert html.count("未超过半数") == 1  # on the record, not repeated as a flash message


@pytest.mark.parametrize(
    "overrides,field,message",
    [
        ({"held_on": "2999-01-01"}, "held_on", "召开日期不能晚于今天"),
        ({"topic": ""}, "topic", "该字段是必填项"),
        ({"kind": "dues"}, "kind", "选择一个有效的选项"),
        ({"host": "999999"}, "host", "选择一个有效的选项"),
    ],
)
def test_bad_fields_are_refused_with_a_message(
    client, personas, tree, people, overrides, field, message
):
    client.force_login(personas.secretary_a)
    data = form_data(people, organization=tree.station_a1.pk, **overrides)
    response = client.post(create_url(tree.station_a1), data)
    assert response.status_code == 200
    assert any(message in e for e in response.context["form"].errors[field])
    assert not Meeting.objects.exists()


def test_leave_without_reason_is_marked_on_its_row(client, personas, tree, people):
    client.force_login(personas.secretary_a)
    data = form_data(people, organization=tree.station_a1.pk)
    data[f"reason_{people.li_si.pk}"] = ""
    response = client.post(create_url(tree.station_a1), data)
    assert response.context["form"].errors[f"reason_{people.li_si.pk}"] == ["请假须填写事由。"]
    assert not Meeting.objects.exists()


def test_people_off_the_roster_cannot_be_slipped_in(client, personas, tree, people):
    client.force_login(personas.secretary_a)
    data = form_data(people, organization=tree.station_a1.pk)
    data[f"att_{people.wang_wu.pk}"] = "present"
    client.post(create_url(tree.station_a1), data)
    assert not Meeting.objects.get().attendance.filter(person=people.wang_wu).exists()


def test_organization_outside_scope_cannot_be_posted(client, personas, tree, people):
    client.force_login(personas.secretary_a)
    data = form_data(people, organization=tree.station_b1.pk)
    response = client.post(reverse("agenda:meeting_create"), data)
    assert response.status_code == 404
    assert not Meeting.objects.exists()


@pytest.mark.parametrize(
    "bad_file,message",
    [
        (upload("合影.jpg", "纯文本伪装的照片".encode(), "image/jpeg"), "不是允许的类型"),
        (upload("签到表.png", png_bytes() + b"\x00" * 4096, "image/png"), "超过上限"),
        (upload("空.pdf", b"", "application/pdf"), "空文件"),
    ],
)
def test_bad_files_refuse_the_whole_record(
    client, personas, tree, people, settings, bad_file, message
):
    settings.BASTION_MAX_ATTACHMENT_BYTES = 2048
    client.force_login(personas.secretary_a)
    data = form_data(people, organization=tree.station_a1.pk, files=[photo(), bad_file])
    response = client.post(create_url(tree.station_a1), data)
    assert response.status_code == 200
    errors = response.context["form"].errors["files"]
    assert any(bad_file.name in e and message in e for e in errors)
    assert not Meeting.objects.exists() and not MeetingAttachment.objects.exists()


def test_prefill_from_an_obligation(client, personas, tree, year):
    q2 = Obligation.objects.get(
        organization=tree.station_a1, kind="lecture", period_label=f"{year}Q2"
    )
    client.force_login(personas.secretary_a)
    response = client.get(reverse("agenda:meeting_create"), {"obligation": q2.pk})
    form = response.context["form"]
    assert response.context["organization"] == tree.station_a1
    assert form.initial["kind"] == "lecture" and form.initial["obligation"] == str(q2.pk)
    client.force_login(personas.secretary_b)
    assert client.get(reverse("agenda:meeting_create"), {"obligation": q2.pk}).status_code == 404


def test_review_send_back_without_reason_changes_nothing(client, personas, tree):
    meeting = record(personas.secretary_a, tree.station_a1)
    client.force_login(personas.county)
    url = reverse("agenda:meeting_review", args=[meeting.pk])
    response = client.post(url, {"decision": "return", "note": " "})
    assert response.status_code == 200
    assert response.context["review_form"].errors["note"] == ["退回时请填写退回原因。"]
    meeting.refresh_from_db()
    assert meeting.status == "submitted"


def test_return_and_resubmit_through_the_pages(client, personas, tree, people, year):
    q1 = Obligation.objects.get(
        organization=tree.station_a1, kind="branch_assembly", period_label=f"{year}Q1"
    )
    meeting = record(personas.secretary_a, tree.station_a1, held_on=day(4, 2), obligation=q1)
    client.force_login(personas.county)
    client.post(
        reverse("agenda:meeting_review", args=[meeting.pk]),
        {"decision": "return", "note": "缺少签到表"},
    )
    q1.refresh_from_db()
    assert q1.alert(timezone.localdate()) == "red"
    client.force_login(personas.secretary_a)
    detail = client.get(meeting.get_absolute_url()).content.decode()
    assert "缺少签到表" in detail and "红色告警" in detail
    edit = client.get(reverse("agenda:meeting_edit", args=[meeting.pk]))
    data = {k: v for k, v in edit.context["form"].initial.items() if v is not None}
    data.update(held_on=day(4, 2).isoformat(), minutes="已补签到表", topic=meeting.topic)
    data[f"att_{people.zhang_san.pk}"] = "present"
    response = client.post(reverse("agenda:meeting_edit", args=[meeting.pk]), data)
    assert response.status_code == 302
    meeting.refresh_from_db()
    q1.refresh_from_db()
    assert meeting.status == "submitted" and q1.alert(timezone.localdate()) == "late"


def test_edit_moving_the_date_rematches_the_period(client, personas, tree, people, year):
    meeting = record(personas.secretary_a, tree.station_a1, held_on=day(2, 10))
    client.force_login(personas.secretary_a)
    url = reverse("agenda:meeting_edit", args=[meeting.pk])
    data = {k: v for k, v in client.get(url).context["form"].initial.items() if v is not None}
    data.update(held_on=day(8, 1).isoformat())
    assert client.post(url, data).status_code == 302
    q3 = Obligation.objects.get(
        organization=tree.station_a1, kind="branch_assembly", period_label=f"{year}Q3"
    )
    assert q3.meeting == meeting


def test_attach_bad_file_on_detail_page_shows_the_error(client, personas, tree):
    meeting = record(personas.secretary_a, tree.station_a1)
    client.force_login(personas.secretary_a)
    response = client.post(
        reverse("agenda:meeting_attach", args=[meeting.pk]),
        {"files": [upload("假照片.jpg", b"hello")]},
    )
    assert response.status_code == 200
    assert "假照片.jpg" in response.content.decode()
    assert not MeetingAttachment.objects.exists()


def test_approve_through_the_page(client, personas, tree):
    meeting = record(personas.secretary_a, tree.station_a1, files=[photo()])
    client.force_login(personas.company)
    client.post(reverse("agenda:meeting_review", args=[meeting.pk]), {"decision": "approve"})
    meeting.refresh_from_db()
    assert meeting.status == "approved" and meeting.reviewed_by == personas.company


def test_reviewing_twice_shows_a_message_not_an_error(client, personas, tree):
    meeting = record(personas.secretary_a, tree.station_a1, files=[photo()])
    meeting_review(meeting=meeting, actor=personas.company, approve=True)
    client.force_login(personas.company)
    response = client.post(
        reverse("agenda:meeting_review", args=[meeting.pk]), {"decision": "approve"}
    )
    assert response.status_code == 200
    assert "只有待审核的记录可以审核" in response.content.decode()


def test_attendance_rates_per_member_and_branch(client, personas, tree, people):
    record(
        personas.secretary_a,
        tree.station_a1,
        held_on=day(2, 1),
        attendance=[(people.zhang_san, "present", ""), (people.li_si, "leave", "病假")],
    )
    record(
        personas.secretary_a,
        tree.station_a1,
        kind="committee",
        held_on=day(3, 1),
        attendance=[(people.zhang_san, "present", ""), (people.li_si, "absent", "")],
    )
    returned = record(
        personas.secretary_a,
        tree.station_a1,
        kind="lecture",
        held_on=day(3, 5),
        attendance=[(people.zhang_san, "absent", "")],
    )
    meeting_review(meeting=returned, actor=personas.county, approve=False, note="重做")
    client.force_login(personas.county)
    url = reverse("agenda:attendance_rates")
    params = {"org": tree.county_a.pk, "year": last_year()}
    members = client.get(url, {**params, "show": "members"})
    rates = {row["person__name"]: rate for row, rate in members.context["rows"]}
    assert (rates["张三"].should, rates["张三"].present, rates["张三"].rate) == (2, 2, 100.0)
    assert (rates["李四"].leave, rates["李四"].absent, rates["李四"].rate) == (1, 1, 0.0)
    assert rates["李四"].rate_excluding_leave == 0.0
    branches = client.get(url, {**params, "show": "branches"})
    by_name = {row.name: (row.meetings_held, rate) for row, rate in branches.context["rows"]}
    held, rate = by_name["A1供电所党支部"]
    assert (held, rate.should, rate.present, rate.rate) == (2, 4, 2, 50.0)
    assert by_name["A2供电所党支部"][0] == 0
    assert branches.context["totals"].should == 4
