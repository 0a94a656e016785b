"""``/api/v1/meetings/``: the persona matrix, writes through the meeting services (a record
fulfils its obligation, a returned one stops counting), evidence files, constant queries."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from bastion.agenda.models import Meeting, MeetingStatus, Obligation
from bastion.agenda.services.meetings import meeting_record
from bastion.agenda.services.obligations import generate_year
from bastion.core.testing import PERSONAS, Scope, login, persona_matrix, seen_by_persona
from bastion.orgs.tests.factories import PersonFactory

HELD = ("station_a1", "station_a2", "station_b1")
VISIBLE = {
    "company": {"station_a1", "station_a2", "station_b1"},
    "county": {"station_a1", "station_a2"},
    "secretary_a": {"station_a1"},
    "secretary_b": {"station_b1"},
    "member": {"station_a1"},
    "outsider": set(),
}
ATTENDEE = {"station_a1": "zhang_san", "station_a2": "wang_wu", "station_b1": "zhao_liu"}
URL = reverse("api:meeting-list")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def today():
    return timezone.localdate()


def detail(meeting):
    return reverse("api:meeting-detail", args=[meeting.pk])


def review_url(meeting):
    return reverse("api:meeting-review", args=[meeting.pk])


@pytest.fixture
def meetings(personas, tree, people):
    """One committee meeting (two days ago) at each station, recorded by the company."""
    held = {}
    for org_name in HELD:
        attendee = getattr(people, ATTENDEE[org_name])
        held[org_name] = meeting_record(
            actor=personas.company,
            organization=getattr(tree, org_name),
            kind="committee",
            topic=f"{org_name} 支委会",
            held_on=today() - dt.timedelta(days=2),
            attendance=[(attendee, "present", "")],
        )
    return held


def body(org, attendee, **extra):
    return {
        "organization": org.pk,
        "kind": "committee",
        "topic": "研究发展党员工作",
        "held_on": today().isoformat(),
        "place": "党员活动室",
        "attendance": [{"person": attendee.pk, "status": "present"}],
        **extra,
    }


# --- reads --------------------------------------------------------------------------------------


# Who reads which station's meeting: on its page, through the API and in the API list.
MEETINGS = Scope(
    objects="meetings",
    seen_by=seen_by_persona(VISIBLE, HELD),
    detail=["agenda:meeting_detail", "api:meeting-detail"],
    rows=["api:meeting-list"],
)

test_meetings_are_read_inside_the_scope_only = persona_matrix(MEETINGS)


def test_anonymous_is_refused(api, meetings):
    assert api.get(URL).status_code in (401, 403)
    assert api.post(URL, {}, format="json").status_code in (401, 403)


def test_meeting_representation(api, personas, tree, people, meetings):
    login(api, personas.member)
    row = api.get(detail(meetings["station_a1"])).json()
    assert row["organization"] == {"id": tree.station_a1.pk, "name": "A1供电所党支部"}
    assert (row["kind"], row["kind_display"]) == ("committee", "支委会")
    assert row["topic"] == "station_a1 支委会"
    assert row["held_on"] == (today() - dt.timedelta(days=2)).isoformat()
    assert (row["status"], row["status_display"]) == ("submitted", "待审核")
    assert row["recorded_by"] == "p_company"
    assert row["reviewed_by"] is None
    assert row["attendance"] == [
        {
            "person": {"id": people.zhang_san.pk, "name": "张三"},
            "status": "present",
            "status_display": "出席",
            "reason": "",
        }
    ]
    assert row["attachments"] == []
    assert row["obligation"] is None  # no obligations were generated


# --- filters ------------------------------------------------------------------------------------


def test_filters(api, personas, tree, meetings):
    last_year = today().replace(year=today().year - 1)
    Meeting.objects.filter(pk=meetings["station_a2"].pk).update(held_on=last_year, kind="lecture")
    Meeting.objects.filter(pk=meetings["station_b1"].pk).update(status=MeetingStatus.APPROVED)
    login(api, personas.company)

    def topics(query):
        response = api.get(URL, query)
        assert response.status_code == 200, response.content
        return sorted(row["topic"] for row in response.json()["results"])

    assert topics({"org": tree.station_a1.pk}) == ["station_a1 支委会"]
    assert topics({"org": tree.county_a.pk}) == []
    assert topics({"within": tree.county_a.pk}) == ["station_a1 支委会", "station_a2 支委会"]
    assert topics({"kind": "lecture"}) == ["station_a2 支委会"]
    assert topics({"status": "approved"}) == ["station_b1 支委会"]
    assert topics({"year": last_year.year}) == ["station_a2 支委会"]
    assert len(topics({"year": today().year, "kind": "committee"})) == 2


@pytest.mark.parametrize(
    "query",
    [{"status": "done"}, {"kind": "dues"}, {"year": "去年"}],
    ids=["status", "kind", "year"],
)
def test_bad_filters_are_400(api, personas, meetings, query):
    login(api, personas.company)
    response = api.get(URL, query)
    assert response.status_code == 400
    assert set(response.json()) == set(query)


@pytest.mark.parametrize("name", ["org", "within"])
def test_organization_outside_scope_is_404(api, personas, tree, meetings, name):
    login(api, personas.secretary_b)
    response = api.get(URL, {name: tree.station_a1.pk})
    assert response.status_code == 404


def test_topic_and_review_queue_filters_are_the_pages_filters(api, personas, tree, meetings):
    login(api, personas.county)
    response = api.get(URL, {"q": "station_a1"})
    assert [row["topic"] for row in response.json()["results"]] == ["station_a1 支委会"]
    response = api.get(URL, {"mine": "1"})
    assert sorted(row["topic"] for row in response.json()["results"]) == [
        "station_a1 支委会",
        "station_a2 支委会",
    ]


# --- create -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona,org,expected",
    [
        ("company", "station_b1", 201),
        ("county", "station_a2", 201),
        ("secretary_a", "station_a1", 201),
        ("secretary_b", "station_b1", 201),
        ("secretary_a", "station_b1", 400),  # the organization lies outside the scope
        ("county", "station_b1", 400),
        ("member", "station_a1", 403),  # may read the branch's meetings, not record them
        ("outsider", "station_a1", 403),
    ],
)
def test_create_follows_the_scope(api, personas, tree, people, persona, org, expected):
    organization = getattr(tree, org)
    login(api, getattr(personas, persona))
    response = api.post(URL, body(organization, getattr(people, ATTENDEE[org])), format="json")
    assert response.status_code == expected, response.content
    assert Meeting.objects.filter(organization=organization).exists() == (expected == 201)
    if expected == 201:
        row = response.json()
        assert row["status"] == "submitted"
        assert row["recorded_by"] == getattr(personas, persona).username
        assert [a["person"]["id"] for a in row["attendance"]] == [getattr(people, ATTENDEE[org]).pk]
    if expected == 400:
        assert "organization" in response.json()


def test_create_fulfils_the_obligation_and_review_sends_it_back(api, personas, tree, people):
    generate_year(today().year)
    obligation = Obligation.objects.get(
        organization=tree.station_a1, rule_code="committee", period_start=today().replace(day=1)
    )
    login(api, personas.secretary_a)
    response = api.post(URL, body(tree.station_a1, people.zhang_san), format="json")
    assert response.status_code == 201, response.content
    meeting = Meeting.objects.get(pk=response.json()["id"])
    assert response.json()["obligation"]["id"] == obligation.pk
    obligation.refresh_from_db()
    assert (obligation.meeting, obligation.fulfilled_on) == (meeting, today())

    # The branch cannot review its own record; another county cannot see it.
    assert api.post(review_url(meeting), {"approve": True}, format="json").status_code == 403
    login(api, personas.secretary_b)
    assert api.post(review_url(meeting), {"approve": True}, format="json").status_code == 404

    login(api, personas.county)
    no_reason = api.post(review_url(meeting), {"approve": False}, format="json")
    assert no_reason.status_code == 400
    assert no_reason.json() == {"note": ["退回时请填写退回原因。"]}
    returned = api.post(
        review_url(meeting), {"approve": False, "note": "缺少签到表"}, format="json"
    )
    assert returned.status_code == 200, returned.content
    assert (returned.json()["status"], returned.json()["review_note"]) == ("returned", "缺少签到表")
    assert returned.json()["reviewed_by"] == "p_county"
    obligation.refresh_from_db()
    assert obligation.fulfilled_on is None  # a returned record no longer counts

    login(api, personas.secretary_a)
    sheet = SimpleUploadedFile("签到表.png", PNG, content_type="image/png")
    fixed = api.patch(detail(meeting), {"minutes": "补充签到表", "files": [sheet]})
    assert fixed.status_code == 200, fixed.content
    assert fixed.json()["status"] == "submitted"
    obligation.refresh_from_db()
    assert obligation.fulfilled_on == today()

    login(api, personas.county)
    approved = api.post(review_url(meeting), {"approve": True}, format="json")
    assert approved.json()["status"] == "approved"
    again = api.post(review_url(meeting), {"approve": True}, format="json")
    assert again.status_code == 400
    assert "只有待审核的记录可以审核" in again.json()["non_field_errors"][0]


def test_company_reviews_a_county_meeting_but_a_county_not_its_own(api, personas, tree, people):
    meeting = meeting_record(
        actor=personas.company,
        organization=tree.county_a,
        kind="committee",
        topic="县公司党委会",
        held_on=today(),
        attendance=[(people.county_clerk, "present", "")],
    )
    login(api, personas.county)
    refused = api.post(review_url(meeting), {"approve": True}, format="json")
    assert refused.status_code == 403
    assert "上级党组织" in refused.json()["detail"]
    login(api, personas.company)
    assert api.post(review_url(meeting), {"approve": True}, format="json").status_code == 200


@pytest.mark.parametrize(
    "field,change,words",
    [
        ("held_on", {"held_on": "2999-01-01"}, "不能晚于今天"),
        ("kind", {"kind": "dues"}, "dues"),
        ("topic", {"topic": ""}, ""),
        ("attendance", {"attendance": [{"person": "ZHAO", "status": "present"}]}, ""),
        ("attendance", {"attendance": [{"person": "ZHAO", "status": "sleeping"}]}, ""),
        ("attendance", {"attendance": [{"person": "LI", "status": "leave"}]}, "请假事由"),
        ("attendance", {"attendance": [{"person": "WANG", "status": "present"}]}, "名册"),
        ("host", {"host": "ZHAO"}, "不存在或不在您的管理范围内"),
        ("obligation", {"obligation": "B1"}, "不存在或不在您的管理范围内"),
    ],
)
def test_bad_input_is_400_on_its_field_and_writes_nothing(
    api, personas, tree, people, field, change, words
):
    generate_year(today().year, organization_ids=[tree.station_b1.pk])
    stand_ins = {
        "ZHAO": people.zhao_liu.pk,
        "LI": people.li_si.pk,
        "WANG": people.wang_wu.pk,
        "B1": Obligation.objects.filter(organization=tree.station_b1).first().pk,
    }
    for key, value in change.items():
        if isinstance(value, list):
            change[key] = [row | {"person": stand_ins[row["person"]]} for row in value]
        elif value in stand_ins:
            change[key] = stand_ins[value]
    login(api, personas.county)
    response = api.post(URL, body(tree.station_a1, people.zhang_san, **change), format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert words in str(response.json()[field])
    assert not Meeting.objects.exists()


def test_attendance_outside_scope_names_the_ids(api, personas, tree, people):
    login(api, personas.secretary_a)
    rows = [
        {"person": people.zhao_liu.pk, "status": "present"},
        {"person": 999999, "status": "absent"},
    ]
    response = api.post(
        URL, body(tree.station_a1, people.zhang_san, attendance=rows), format="json"
    )
    assert response.status_code == 400
    (message,) = response.json()["attendance"]
    assert f"{people.zhao_liu.pk}、999999" in message and "不在您的管理范围内" in message


# --- update and delete --------------------------------------------------------------------------

UPDATE = {
    "company": 200,
    "county": 200,
    "secretary_a": 200,
    "secretary_b": 404,
    "member": 403,
    "outsider": 404,
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_update_follows_the_scope(api, personas, meetings, persona):
    meeting = meetings["station_a1"]
    login(api, getattr(personas, persona))
    response = api.patch(detail(meeting), {"topic": "改过的主题"}, format="json")
    assert response.status_code == UPDATE[persona]
    meeting.refresh_from_db()
    assert (meeting.topic == "改过的主题") == (UPDATE[persona] == 200)


def test_put_replaces_the_attendance(api, personas, tree, people, meetings):
    meeting = meetings["station_a1"]
    login(api, personas.secretary_a)
    rows = [
        {"person": people.zhang_san.pk, "status": "absent"},
        {"person": people.li_si.pk, "status": "leave", "reason": "出差"},
    ]
    response = api.put(
        detail(meeting), body(tree.station_a1, people.zhang_san, attendance=rows), format="json"
    )
    assert response.status_code == 200, response.content
    found = {(a["person"]["name"], a["status"], a["reason"]) for a in response.json()["attendance"]}
    assert found == {("张三", "absent", ""), ("李四", "leave", "出差")}
    assert response.json()["topic"] == "研究发展党员工作"


def test_moving_a_meeting_out_of_scope_is_refused(api, personas, tree, people, meetings):
    login(api, personas.secretary_a)
    response = api.patch(
        detail(meetings["station_a1"]), {"organization": tree.station_a2.pk}, format="json"
    )
    assert response.status_code == 400
    assert "organization" in response.json()
    assert Meeting.objects.get(pk=meetings["station_a1"].pk).organization == tree.station_a1


def test_delete_unless_approved(api, personas, meetings):
    login(api, personas.member)
    assert api.delete(detail(meetings["station_a1"])).status_code == 403
    login(api, personas.secretary_b)
    assert api.delete(detail(meetings["station_a1"])).status_code == 404
    login(api, personas.secretary_a)
    assert api.delete(detail(meetings["station_a1"])).status_code == 204
    approved = meetings["station_b1"]
    Meeting.objects.filter(pk=approved.pk).update(status=MeetingStatus.APPROVED)
    login(api, personas.company)
    response = api.delete(detail(approved))
    assert response.status_code == 400
    assert "不能删除" in response.json()["non_field_errors"][0]
    assert set(Meeting.objects.values_list("pk", flat=True)) == {
        meetings["station_a2"].pk,
        approved.pk,
    }


# --- evidence -----------------------------------------------------------------------------------


def multipart(org, attendee, *files):
    return {
        "organization": org.pk,
        "kind": "theme_day",
        "topic": "主题党日：安全案例分享",
        "held_on": today().isoformat(),
        "attendance[0]person": attendee.pk,
        "attendance[0]status": "present",
        "files": list(files),
    }


def test_multipart_create_stores_evidence_served_only_in_scope(api, personas, tree, people):
    login(api, personas.secretary_a)
    photo = SimpleUploadedFile("签到.png", PNG, content_type="image/png")
    response = api.post(URL, multipart(tree.station_a1, people.zhang_san, photo))
    assert response.status_code == 201, response.content
    row = response.json()
    assert [a["person"]["name"] for a in row["attendance"]] == ["张三"]
    (attachment,) = row["attachments"]
    assert (attachment["original_name"], attachment["kind"]) == ("签到.png", "photo")
    assert attachment["size"] == len(PNG)
    download = api.get(attachment["url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PNG
    login(api, personas.secretary_b)
    assert api.get(attachment["url"]).status_code == 404
    other = reverse("api:meeting-attachment", args=[row["id"], attachment["id"] + 1])
    login(api, personas.secretary_a)
    assert api.get(other).status_code == 404


def test_a_file_that_is_not_what_it_claims_is_refused(api, personas, tree, people):
    login(api, personas.secretary_a)
    fake = SimpleUploadedFile("照片.png", b"just text", content_type="image/png")
    response = api.post(URL, multipart(tree.station_a1, people.zhang_san, fake))
    assert response.status_code == 400
    assert "照片.png" in response.json()["files"][0]
    assert not Meeting.objects.exists()


def test_patch_with_files_adds_evidence(api, personas, meetings):
    login(api, personas.secretary_a)
    photo = SimpleUploadedFile("现场.png", PNG, content_type="image/png")
    response = api.patch(detail(meetings["station_a1"]), {"files": [photo]}, format="multipart")
    assert response.status_code == 200, response.content
    assert [a["original_name"] for a in response.json()["attachments"]] == ["现场.png"]
    assert [a["person"]["name"] for a in response.json()["attendance"]] == ["张三"]  # unchanged


# --- tokens and constant queries ----------------------------------------------------------------


def test_token_authentication_writes_and_reads(personas, tree, people):
    client = APIClient()
    token = client.post(
        "/api/v1/auth/token/", {"username": "p_secretary_b", "password": "bastion-test"}
    ).json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    created = client.post(URL, body(tree.station_b1, people.zhao_liu), format="json")
    assert created.status_code == 201, created.content
    assert [row["id"] for row in client.get(URL).json()["results"]] == [created.json()["id"]]


def grow(org, count, personas):
    attendees = PersonFactory.create_batch(3, organization=org)
    for i in range(count):
        meeting_record(
            actor=personas.company,
            organization=org,
            kind="theme_day",
            topic=f"主题党日{i}",
            held_on=today() - dt.timedelta(days=i + 3),
            attendance=[(person, "present", "") for person in attendees],
            files=[SimpleUploadedFile(f"p{i}.png", PNG, content_type="image/png")],
        )


# Session, user, role assignments, count, page, then attendance, attachments and obligations.
LIST_QUERIES = 8


@pytest.mark.parametrize("persona", ["company", "secretary_a"])
def test_list_queries_do_not_grow_with_rows(
    api, personas, tree, meetings, persona, django_assert_num_queries
):
    generate_year(today().year)
    login(api, getattr(personas, persona))
    with django_assert_num_queries(LIST_QUERIES):
        small = api.get(URL, {"page_size": 100}).json()
    grow(tree.station_a1, 12, personas)
    with django_assert_num_queries(LIST_QUERIES):
        large = api.get(URL, {"page_size": 100}).json()
    assert large["count"] == small["count"] + 12
    assert sum(len(row["attendance"]) for row in large["results"]) >= 36
    assert sum(len(row["attachments"]) for row in large["results"]) == 12
