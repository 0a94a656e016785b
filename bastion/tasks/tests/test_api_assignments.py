"""``/api/v1/assignments/``: scoped by the recipient, read marks, the state machine through the
API (submit → return needs a reason → resubmit → accept → locked), the late flag, filters,
passing down, files, token auth and constant queries."""

import datetime as dt
import json

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bastion.core.testing import Scope, login, persona_matrix, seen_by_persona
from bastion.core.tokens import ApiToken
from bastion.orgs.tests.factories import UserFactory, grant
from bastion.tasks.models import Assignment, FeedbackField, FeedbackFile, Task, TaskAttachment
from bastion.tasks.services import flow
from bastion.tasks.services.tasks import task_close

from .api_helpers import (
    ALL_ASSIGNMENTS,
    PERSONAS,
    VISIBLE_ASSIGNMENTS,
    answer,
    assignment_of,
    assignment_url,
    field_ids,
    make_task,
    tasks_fixture,  # noqa: F401
    today,
)

URL = reverse("api:assignment-list")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def pairs(tasks, tree, rows):
    by_pk = {}
    for name, task in tasks.items():
        for assignment in task.assignments.select_related("organization"):
            by_pk[assignment.pk] = (name, _tree_name(tree, assignment.organization))
    return {by_pk[row["id"]] for row in rows}


def _tree_name(tree, org):
    return next(name for name, value in vars(tree).items() if value.pk == org.pk)


# --- reads --------------------------------------------------------------------------------------


# Assignments are scoped by the recipient.
ASSIGNMENTS = Scope(
    objects=lambda fx: {pair: assignment_of(fx.tasks, fx.tree, *pair) for pair in ALL_ASSIGNMENTS},
    seen_by=seen_by_persona(VISIBLE_ASSIGNMENTS, ALL_ASSIGNMENTS),
    detail=["api:assignment-detail"],
    rows=["api:assignment-list"],
)

test_assignments_are_read_inside_the_scope_only = persona_matrix(ASSIGNMENTS)


def test_anonymous_is_refused(api, tree, tasks):
    assert api.get(URL).status_code in (401, 403)
    target = assignment_of(tasks, tree, "company", "station_a1")
    assert api.post(assignment_url(target, "submit"), {}, format="json").status_code in (401, 403)


def test_token_authentication(api, personas, tree, tasks):
    response = api.post(
        reverse("api:token"), {"username": "p_secretary_b", "password": "bastion-test"}
    )
    assert response.status_code == 200
    token = response.json()["token"]
    assert ApiToken.objects.for_key(token).get().user == personas.secretary_b
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    rows = api.get(URL).json()["results"]
    assert pairs(tasks, tree, rows) == {("company", "station_b1")}
    target = assignment_of(tasks, tree, "company", "station_b1")
    body = {"feedback": "已组织培训", "values": answer(tasks["company"])}
    response = api.post(assignment_url(target, "submit"), body, format="json")
    assert response.status_code == 200, response.content
    api.credentials(HTTP_AUTHORIZATION="Token wrong")
    assert api.get(URL).status_code == 401


def test_assignment_carries_the_task_and_its_form(api, personas, tree, tasks):
    login(api, personas.secretary_a)
    target = assignment_of(tasks, tree, "county", "station_a1")
    row = api.get(assignment_url(target)).json()
    assert row["organization"] == {"id": tree.station_a1.pk, "name": "A1供电所党支部"}
    assert row["task"]["title"] == "county 工作单"
    assert row["task"]["body"] == "请各单位如实填报。"
    assert row["task"]["issuer"] == {"id": tree.county_a.pk, "name": "A县公司党委"}
    assert [f["label"] for f in row["task"]["fields"]] == ["培训人数", "完成情况", "备注"]
    assert row["overdue"] is False
    assert row["late"] is False
    assert row["values"] == {}
    assert row["files"] == [] and row["attachments"] == []
    assert row["child_task"] is None


def test_the_recipient_opening_it_marks_it_read(api, personas, tree, tasks):
    target = assignment_of(tasks, tree, "company", "station_a1")
    login(api, personas.company)  # the issuer looking does not count
    assert api.get(assignment_url(target)).json()["state"] == "unread"
    login(api, personas.secretary_a)
    row = api.get(assignment_url(target)).json()
    assert (row["state"], row["state_display"]) == ("read", "已读")
    assert row["read_at"] is not None
    target.refresh_from_db()
    assert target.state == "read"
    # The list does not mark anything read.
    other = assignment_of(tasks, tree, "county", "station_a1")
    api.get(URL)
    other.refresh_from_db()
    assert other.state == "unread"


def test_filters(api, personas, tree, tasks):
    login(api, personas.company)

    def found(**params):
        response = api.get(URL, params)
        assert response.status_code == 200, response.content
        return pairs(tasks, tree, response.json()["results"])

    assert found(task=tasks["county"].pk) == {("county", "station_a1"), ("county", "station_a2")}
    assert found(within=tree.county_b.pk) == {("company", "station_b1")}
    assert found(state="submitted") == set()
    assert found(overdue=1) == set()
    Task.objects.filter(pk=tasks["county"].pk).update(due_on=today() - dt.timedelta(days=1))
    assert found(overdue=1) == {("county", "station_a1"), ("county", "station_a2")}
    assert len(found(overdue=0)) == len(ALL_ASSIGNMENTS) - 2
    task_close(task=tasks["county"], actor=personas.county)  # a closed task is owed no more
    assert found(overdue=1) == set()


@pytest.mark.parametrize(
    "params,key",
    [({"overdue": "maybe"}, "overdue"), ({"state": "done"}, "state")],
)
def test_bad_filters_are_400(api, personas, tasks, params, key):
    login(api, personas.company)
    response = api.get(URL, params)
    assert response.status_code == 400
    assert key in response.json()


@pytest.mark.parametrize("within", ["station_b1", "x", "999999"])
def test_within_outside_the_scope_is_404(api, personas, tree, tasks, within):
    login(api, personas.secretary_a)
    value = getattr(tree, within).pk if within == "station_b1" else within
    assert api.get(URL, {"within": value}).status_code == 404


def grow(tree, personas, count):
    for index in range(count):
        task = make_task(tree.company, actor=personas.company, title=f"加派 {index}")
        flow.task_dispatch(task=task, actor=personas.company, recipients=[tree.station_a1.pk])


@pytest.mark.parametrize("persona", ["company", "secretary_a"])
def test_list_queries_do_not_grow_with_rows(api, personas, tree, tasks, persona):
    login(api, getattr(personas, persona))
    with CaptureQueriesContext(connection) as small:
        first = api.get(URL, {"page_size": 100}).json()
    grow(tree, personas, 12)
    with CaptureQueriesContext(connection) as large:
        second = api.get(URL, {"page_size": 100}).json()
    assert second["count"] == first["count"] + 12
    assert sum(len(row["task"]["fields"]) for row in second["results"]) >= 36
    assert len(large) == len(small)


# --- the state machine --------------------------------------------------------------------------


def post(api, assignment, action, body=None):
    return api.post(assignment_url(assignment, action), body or {}, format="json")


def test_submit_return_resubmit_accept_then_locked(api, personas, tree, tasks):
    task = tasks["company"]
    target = assignment_of(tasks, tree, "company", "station_a1")
    ids = field_ids(task)

    login(api, personas.secretary_a)
    response = post(api, target, "submit", {"feedback": "已完成培训", "values": answer(task)})
    assert response.status_code == 200, response.content
    row = response.json()
    assert (row["state"], row["late"]) == ("submitted", False)
    assert row["values"] == {ids["培训人数"]: "35", ids["完成情况"]: "已完成"}
    assert row["feedback"] == "已完成培训"
    assert row["submitted_by"] == "p_secretary_a"
    again = post(api, target, "submit", {"feedback": "再改", "values": answer(task)})
    assert again.status_code == 400
    assert "等待审核" in again.json()["non_field_errors"][0]

    login(api, personas.company)
    response = post(api, target, "return", {"reason": "   "})
    assert response.status_code == 400
    assert response.json()["reason"] == ["退回时必须填写退回原因。"]
    target.refresh_from_db()
    assert target.state == "submitted"
    response = post(api, target, "return", {"reason": "人数与台账不符，请核实。"})
    assert response.status_code == 200
    row = response.json()
    assert (row["state"], row["return_reason"]) == ("returned", "人数与台账不符，请核实。")
    assert row["reviewed_by"] == "p_company"

    login(api, personas.secretary_a)
    response = post(api, target, "submit", {"feedback": "已核实", "values": answer(task, 32)})
    assert response.status_code == 200
    assert response.json()["values"][ids["培训人数"]] == "32"

    login(api, personas.company)
    response = post(api, target, "accept")
    assert response.status_code == 200
    assert response.json()["state"] == "accepted"
    assert post(api, target, "accept").status_code == 400

    login(api, personas.secretary_a)
    response = post(api, target, "submit", {"feedback": "再改", "values": answer(task, 1)})
    assert response.status_code == 400
    assert "锁定" in response.json()["non_field_errors"][0]
    target.refresh_from_db()
    assert (target.state, target.values[ids["培训人数"]]) == ("accepted", "32")


def test_bad_values_name_the_field_and_change_nothing(api, personas, tree, tasks):
    task = tasks["company"]
    target = assignment_of(tasks, tree, "company", "station_a1")
    ids = field_ids(task)
    login(api, personas.secretary_a)
    body = {"values": {ids["培训人数"]: "三十", ids["完成情况"]: "没做", "99999": "x"}}
    response = post(api, target, "submit", body)
    assert response.status_code == 400
    errors = response.json()
    assert errors["培训人数"] == ["“培训人数”应为数字。"]
    assert "已完成、推进中" in errors["完成情况"][0]
    assert "99999" in errors["values"][0]
    missing = post(api, target, "submit", {"values": {ids["培训人数"]: 3}})
    assert missing.json()["完成情况"] == ["“完成情况”必须填写。"]
    not_an_object = post(api, target, "submit", {"values": "不是对象"})
    assert not_an_object.json()["values"] == [
        '反馈字段（values）应为以字段编号为键的对象，如 {"12": 35}。'
    ]
    target.refresh_from_db()
    assert (target.state, target.values, target.submitted_at) == ("unread", {}, None)


def test_a_late_answer_is_flagged(api, personas, tree, tasks):
    task = tasks["county"]
    Task.objects.filter(pk=task.pk).update(due_on=today() - dt.timedelta(days=2))
    target = assignment_of(tasks, tree, "county", "station_a2")
    login(api, personas.county)
    assert api.get(assignment_url(target)).json()["overdue"] is True
    other = UserFactory(username="p_secretary_a2")
    grant(other, "branch_secretary", tree.station_a2)
    api.force_login(other)
    response = post(api, target, "submit", {"values": answer(task)})
    assert response.status_code == 200, response.content
    row = response.json()
    assert (row["state"], row["late"], row["overdue"]) == ("submitted", True, False)


SUBMIT = {
    # persona: status answering company → station_a1 (the issuer may not answer for it)
    "company": 403,
    "county": 200,
    "secretary_a": 200,
    "secretary_b": 404,
    "member": 404,
    "outsider": 404,
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_submit_matrix(api, personas, tree, tasks, persona):
    target = assignment_of(tasks, tree, "company", "station_a1")
    login(api, getattr(personas, persona))
    response = post(api, target, "submit", {"values": answer(tasks["company"])})
    assert response.status_code == SUBMIT[persona], response.content
    target.refresh_from_db()
    assert (target.state == "submitted") == (SUBMIT[persona] == 200)


REVIEW = {
    # persona: status reviewing company → station_a1, then county → station_a1
    "company": (200, 200),
    "county": (403, 200),
    "secretary_a": (403, 403),
    "secretary_b": (404, 404),
    "member": (404, 404),
    "outsider": (404, 404),
}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("action", ["accept", "return"])
def test_review_matrix(api, personas, tree, tasks, persona, action):
    login(api, personas.secretary_a)
    targets = []
    for name in ("company", "county"):
        target = assignment_of(tasks, tree, name, "station_a1")
        assert post(api, target, "submit", {"values": answer(tasks[name])}).status_code == 200
        targets.append(target)
    login(api, getattr(personas, persona))
    for target, expected in zip(targets, REVIEW[persona], strict=True):
        response = post(api, target, action, {"reason": "请补充"})
        assert response.status_code == expected, (target.task, response.content)
        target.refresh_from_db()
        assert (target.state != "submitted") == (expected == 200)


# --- passing down -------------------------------------------------------------------------------


def test_pass_down_to_the_party_group(api, personas, tree, tasks):
    target = assignment_of(tasks, tree, "company", "station_a1")
    login(api, personas.secretary_a)
    due = (today() + dt.timedelta(days=5)).isoformat()
    body = {"recipients": [tree.group_a1.pk], "due_on": due}
    response = post(api, target, "pass-down", body)
    assert response.status_code == 201, response.content
    child = response.json()
    assert child["issuer"]["id"] == tree.station_a1.pk
    assert (child["status"], child["due_on"], child["recipient_count"]) == ("dispatched", due, 1)
    assert [f["label"] for f in child["fields"]] == ["培训人数", "完成情况", "备注"]
    assert Task.objects.get(pk=child["id"]).parent_assignment_id == target.pk
    row = api.get(assignment_url(target)).json()
    assert row["child_task"] == child["id"]
    assert row["state"] == "read"


def test_pass_down_refuses_recipients_outside_the_subtree(api, personas, tree, tasks):
    target = assignment_of(tasks, tree, "company", "station_a1")
    login(api, personas.secretary_a)
    response = post(api, target, "pass-down", {"recipients": [tree.station_b1.pk]})
    assert response.status_code == 400
    assert "recipients" in response.json()
    assert not Task.objects.filter(parent_assignment=target).exists()
    late = (tasks["company"].due_on + dt.timedelta(days=1)).isoformat()
    response = post(api, target, "pass-down", {"recipients": [tree.group_a1.pk], "due_on": late})
    assert response.status_code == 400
    assert "due_on" in response.json()


# --- files --------------------------------------------------------------------------------------


@pytest.fixture
def photo_task(tree, personas):
    task = make_task(tree.company, actor=personas.company, with_fields=False)
    FeedbackField.objects.create(task=task, label="现场照片", kind="file", position=1)
    FeedbackField.objects.create(task=task, label="人数", kind="number", position=2)
    flow.task_dispatch(task=task, actor=personas.company, recipients=[tree.station_a1.pk])
    return task


def test_submit_with_files_over_multipart(api, personas, tree, photo_task, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    target = Assignment.objects.get(task=photo_task)
    ids = field_ids(photo_task)
    login(api, personas.secretary_a)
    response = post(api, target, "submit", {"values": {ids["人数"]: 3}})
    assert response.status_code == 400
    assert response.json()["现场照片"] == ["“现场照片”必须上传附件。"]
    body = {
        "feedback": "见照片",
        "values": json.dumps({ids["人数"]: 3}),
        f"file_{ids['现场照片']}": SimpleUploadedFile("现场.png", PNG, "image/png"),
    }
    response = api.post(assignment_url(target, "submit"), body, format="multipart")
    assert response.status_code == 200, response.content
    row = response.json()
    stored = FeedbackFile.objects.get(assignment=target)
    assert row["values"] == {ids["人数"]: "3", ids["现场照片"]: [stored.pk]}
    assert [(f["original_name"], f["field"]) for f in row["files"]] == [
        ("现场.png", int(ids["现场照片"]))
    ]
    download = api.get(row["files"][0]["url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PNG
    login(api, personas.secretary_b)
    assert api.get(row["files"][0]["url"]).status_code == 404
    login(api, personas.company)
    assert api.get(row["files"][0]["url"]).status_code == 200


def test_unknown_upload_names_are_refused(api, personas, tree, photo_task, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    target = Assignment.objects.get(task=photo_task)
    login(api, personas.secretary_a)
    body = {"values": "{}", "photo": SimpleUploadedFile("a.png", PNG, "image/png")}
    response = api.post(assignment_url(target, "submit"), body, format="multipart")
    assert response.status_code == 400
    assert "photo" in response.json()["files"][0]
    assert not FeedbackFile.objects.exists()


def test_task_attachments_reach_issuer_and_recipients(
    api, personas, tree, tasks, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    task = tasks["company"]
    attachment = TaskAttachment(task=task, original_name="通知.png", size=len(PNG))
    attachment.file.save("notice.png", ContentFile(PNG), save=True)
    mine = assignment_of(tasks, tree, "company", "station_b1")
    login(api, personas.secretary_b)
    row = api.get(assignment_url(mine)).json()
    assert [a["original_name"] for a in row["attachments"]] == ["通知.png"]
    url = row["attachments"][0]["url"]
    assert url.endswith(f"/assignments/{mine.pk}/attachments/{attachment.pk}/")
    response = api.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    by_task = reverse("api:task-attachment", args=[task.pk, attachment.pk])
    assert api.get(by_task).status_code == 404  # the task itself is the issuer's
    other = assignment_of(tasks, tree, "county", "station_a1")
    login(api, personas.secretary_a)
    foreign = reverse("api:assignment-attachment", args=[other.pk, attachment.pk])
    assert api.get(foreign).status_code == 404  # not an attachment of that assignment's task
    login(api, personas.company)
    task_row = api.get(reverse("api:task-detail", args=[task.pk])).json()
    assert task_row["attachments"][0]["url"].endswith(by_task)
    assert api.get(by_task).status_code == 200
