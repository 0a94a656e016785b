"""``/api/v1/tasks/``: the persona matrix, drafting a task sheet, dispatch by ids and by rule,
refused recipients, constant queries."""

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bastion.core.testing import Scope, login, persona_matrix, seen_by_persona
from bastion.orgs.tests.factories import UserFactory, grant, make_org
from bastion.tasks.models import Assignment, Task

from .api_helpers import (
    PERSONAS,
    TASKS,
    VISIBLE_TASKS,
    make_task,
    task_url,
    tasks_fixture,  # noqa: F401
    today,
)

URL = reverse("api:task-list")


# --- reads --------------------------------------------------------------------------------------


TASK_SHEETS = Scope(
    objects="tasks",
    seen_by=seen_by_persona(VISIBLE_TASKS, TASKS),
    detail=["api:task-detail"],
    rows=["api:task-list"],
)

test_tasks_are_read_inside_the_scope_only = persona_matrix(TASK_SHEETS)


def test_anonymous_is_refused(api, tasks):
    assert api.get(URL).status_code in (401, 403)
    assert api.get(task_url(tasks["company"], "progress")).status_code in (401, 403)


def test_task_representation(api, personas, tree, tasks):
    login(api, personas.county)
    row = api.get(task_url(tasks["county"])).json()
    assert row["title"] == "county 工作单"
    assert row["issuer"] == {"id": tree.county_a.pk, "name": "A县公司党委"}
    assert (row["status"], row["status_display"]) == ("dispatched", "已派发")
    assert (row["priority"], row["priority_display"]) == ("normal", "重要")
    assert row["due_on"] == (today() + dt.timedelta(days=10)).isoformat()
    assert row["created_by"] == "p_county"
    assert (row["recipient_count"], row["answered_count"]) == (2, 0)
    assert [(f["label"], f["kind"], f["required"]) for f in row["fields"]] == [
        ("培训人数", "number", True),
        ("完成情况", "choice", True),
        ("备注", "text", False),
    ]
    assert row["fields"][1]["choices"] == ["已完成", "推进中"]
    assert row["fields"][1]["kind_display"] == "单选"


def test_filters(api, personas, tree, tasks):
    login(api, personas.company)

    def ids(**params):
        response = api.get(URL, params)
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    assert ids(issuer=tree.county_a.pk) == {tasks["county"].pk}
    assert ids(within=tree.county_a.pk) == {tasks["county"].pk, tasks["station"].pk}
    assert ids(status="draft") == set()
    assert ids(status="dispatched") == {tasks[name].pk for name in TASKS}


def test_organization_outside_scope_is_404_bad_status_is_400(api, personas, tree, tasks):
    login(api, personas.county)
    assert api.get(URL, {"within": tree.county_b.pk}).status_code == 404
    assert api.get(URL, {"issuer": tree.county_b.pk}).status_code == 404
    assert api.get(URL, {"within": "x"}).status_code == 404
    response = api.get(URL, {"status": "nonsense"})
    assert response.status_code == 400
    assert "nonsense" in response.json()["status"][0]


def grow(tree, personas, count):
    for index in range(count):
        task = make_task(tree.county_a, actor=personas.county, title=f"加派 {index}")
        Task.objects.filter(pk=task.pk).update(status="dispatched")
        Assignment.objects.create(task=task, organization=tree.station_a1)


@pytest.mark.parametrize("persona", ["company", "county"])
def test_list_queries_do_not_grow_with_rows(api, personas, tree, tasks, persona):
    login(api, getattr(personas, persona))
    with CaptureQueriesContext(connection) as small:
        first = api.get(URL, {"page_size": 100}).json()
    grow(tree, personas, 15)
    with CaptureQueriesContext(connection) as large:
        second = api.get(URL, {"page_size": 100}).json()
    assert second["count"] == first["count"] + 15
    assert sum(len(row["fields"]) for row in second["results"]) >= 45
    assert len(large) == len(small)


# --- drafting -----------------------------------------------------------------------------------


def draft_body(issuer, **extra):
    return {
        "issuer": issuer.pk,
        "title": "统计“党建+”工程进展",
        "body": "请于截止日期前反馈。",
        "due_on": (today() + dt.timedelta(days=7)).isoformat(),
        "priority": "high",
        "fields": [
            {"label": "完成项目数", "kind": "number"},
            {"label": "进度", "kind": "choice", "choices": ["正常", "滞后"]},
            {"label": "说明", "kind": "text", "required": False, "help_text": "可不填"},
        ],
        **extra,
    }


CREATE = {
    # persona: (issuer, expected status)
    "company": ("company", 201),
    "county": ("county_a", 201),
    "secretary_a": ("station_a1", 201),
    "secretary_b": ("station_a1", 400),  # an issuer outside the scope is "does not exist"
    "member": ("station_a1", 403),
    "outsider": ("station_a1", 403),
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_create_matrix(api, personas, tree, persona):
    issuer_name, expected = CREATE[persona]
    login(api, getattr(personas, persona))
    response = api.post(URL, draft_body(getattr(tree, issuer_name)), format="json")
    assert response.status_code == expected, response.content
    if expected == 201:
        row = response.json()
        assert row["status"] == "draft"
        assert row["issuer"]["id"] == getattr(tree, issuer_name).pk
        assert [f["label"] for f in row["fields"]] == ["完成项目数", "进度", "说明"]
        assert row["fields"][1]["choices"] == ["正常", "滞后"]
        assert [f["required"] for f in row["fields"]] == [True, True, False]
        assert row["recipient_count"] == 0
        assert Task.objects.get(pk=row["id"]).created_by == getattr(personas, persona)
    else:
        assert not Task.objects.exists()


def test_create_refuses_an_issuer_above_the_scope(api, personas, tree):
    login(api, personas.county)
    response = api.post(URL, draft_body(tree.company), format="json")
    assert response.status_code == 400
    assert "不在您的管理范围内" in response.json()["issuer"][0]
    assert not Task.objects.exists()


def test_create_bad_input_names_the_field(api, personas, tree):
    login(api, personas.company)
    body = draft_body(tree.company, due_on="明天", priority="someday")
    body["fields"][0]["kind"] = "color"
    response = api.post(URL, body, format="json")
    assert response.status_code == 400
    errors = response.json()
    assert {"due_on", "priority", "fields"} <= set(errors)
    assert "color" in str(errors["fields"])
    assert not Task.objects.exists()


def test_create_checks_the_form_in_the_service(api, personas, tree):
    login(api, personas.company)
    body = draft_body(tree.company, due_on=(today() - dt.timedelta(days=1)).isoformat())
    body["fields"][1]["choices"] = ["正常"]
    response = api.post(URL, body, format="json")
    assert response.status_code == 400
    errors = response.json()
    assert errors["due_on"] == ["反馈截止日期不能早于今天。"]
    assert "第 2 个反馈字段" in errors["fields"][0]
    assert not Task.objects.exists()


# --- dispatch -----------------------------------------------------------------------------------


@pytest.fixture
def draft(tree, personas):
    return make_task(tree.company, actor=personas.company, title="草稿")


def test_dispatch_by_ids_adds_only_new_recipients(api, personas, tree, draft):
    login(api, personas.company)
    url = task_url(draft, "dispatch")
    response = api.post(
        url, {"recipients": [tree.station_a1.pk, tree.station_a2.pk]}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json() == {"dispatched": 2, "total": 2}
    draft.refresh_from_db()
    assert draft.status == "dispatched"
    assert draft.dispatched_at is not None
    response = api.post(
        url, {"recipients": [tree.station_a1.pk, tree.station_b1.pk]}, format="json"
    )
    assert response.json() == {"dispatched": 1, "total": 3}
    assert set(draft.assignments.values_list("state", flat=True)) == {"unread"}


def test_dispatch_by_rule(api, personas, tree, draft):
    login(api, personas.company)
    body = {"within": tree.county_a.pk, "unit_kind": "station", "kind": "branch"}
    response = api.post(task_url(draft, "dispatch"), body, format="json")
    assert response.status_code == 200, response.content
    assert response.json() == {"dispatched": 2, "total": 2}
    assert set(draft.assignments.values_list("organization", flat=True)) == {
        tree.station_a1.pk,
        tree.station_a2.pk,
    }


def test_dispatch_by_unit_kind_over_the_whole_subtree(api, personas, tree, draft):
    login(api, personas.company)
    response = api.post(task_url(draft, "dispatch"), {"unit_kind": "county"}, format="json")
    assert response.json() == {"dispatched": 2, "total": 2}
    assert set(draft.assignments.values_list("organization", flat=True)) == {
        tree.county_a.pk,
        tree.county_b.pk,
    }


def test_dispatch_refuses_ids_outside_the_issuer_subtree(api, personas, tree):
    task = make_task(tree.county_a, actor=personas.county)
    login(api, personas.company)  # company may see station_b1, but county_a may not send there
    body = {"recipients": [tree.station_a1.pk, tree.station_b1.pk]}
    response = api.post(task_url(task, "dispatch"), body, format="json")
    assert response.status_code == 400
    message = response.json()["recipients"][0]
    assert "B1供电所党支部" in message
    assert "A1供电所党支部" not in message
    task.refresh_from_db()
    assert task.status == "draft"
    assert not task.assignments.exists()


def test_dispatch_refuses_the_issuer_itself_and_unknown_ids(api, personas, tree, draft):
    login(api, personas.company)
    response = api.post(
        task_url(draft, "dispatch"), {"recipients": [tree.company.pk, 999999]}, format="json"
    )
    assert response.status_code == 400
    assert "999999" in response.json()["recipients"][0]
    assert not draft.assignments.exists()


def test_dispatch_within_outside_the_issuer_subtree(api, personas, tree):
    task = make_task(tree.county_a, actor=personas.county)
    login(api, personas.company)
    response = api.post(task_url(task, "dispatch"), {"within": tree.county_b.pk}, format="json")
    assert response.status_code == 400
    assert "B县公司党委" in response.json()["within"][0]
    login(api, personas.county)  # county_b is not even visible to the county
    response = api.post(task_url(task, "dispatch"), {"within": tree.county_b.pk}, format="json")
    assert response.status_code == 400
    assert "不在您的管理范围内" in response.json()["within"][0]
    assert not task.assignments.exists()


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"recipients": []},
        {"recipients": ["甲"]},
        {"recipients": [1], "unit_kind": "station"},
        {"unit_kind": "planet"},
    ],
)
def test_dispatch_bad_bodies_are_400(api, personas, draft, body):
    login(api, personas.company)
    response = api.post(task_url(draft, "dispatch"), body, format="json")
    assert response.status_code == 400
    assert not draft.assignments.exists()


def test_dispatch_rule_matching_nobody(api, personas, tree, draft):
    login(api, personas.company)
    body = {"within": tree.county_b.pk, "unit_kind": "project"}
    response = api.post(task_url(draft, "dispatch"), body, format="json")
    assert response.status_code == 400
    assert "recipients" in response.json()


def test_dispatch_past_due_draft_is_refused(api, personas, tree):
    task = make_task(tree.company, actor=personas.company, due_in=-1)
    login(api, personas.company)
    response = api.post(task_url(task, "dispatch"), {"unit_kind": "station"}, format="json")
    assert response.status_code == 400
    assert "截止日期" in response.json()["due_on"][0]


DISPATCH = {
    # persona: status code when dispatching a draft of each issuer
    "company": {"company": 200, "county_a": 200, "station_a1": 200},
    "county": {"company": 404, "county_a": 200, "station_a1": 200},
    "secretary_a": {"company": 404, "county_a": 404, "station_a1": 200},
    "secretary_b": {"company": 404, "county_a": 404, "station_a1": 404},
    "member": {"company": 404, "county_a": 404, "station_a1": 404},
    "outsider": {"company": 404, "county_a": 404, "station_a1": 404},
}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("issuer", ["company", "county_a", "station_a1"])
def test_dispatch_matrix(api, personas, tree, persona, issuer):
    task = make_task(getattr(tree, issuer), actor=personas.company)
    login(api, getattr(personas, persona))
    response = api.post(task_url(task, "dispatch"), {"kind": "group"}, format="json")
    assert response.status_code == DISPATCH[persona][issuer], response.content
    assert task.assignments.exists() == (DISPATCH[persona][issuer] == 200)


def test_dispatch_without_the_permission_is_403(api, tree, draft):
    inspector = UserFactory(username="p_discipline")
    grant(inspector, "discipline", tree.company)
    api.force_login(inspector)
    assert api.get(task_url(draft)).status_code == 200
    response = api.post(task_url(draft, "dispatch"), {"unit_kind": "station"}, format="json")
    assert response.status_code == 403
    assert not draft.assignments.exists()


def test_dispatch_queries_do_not_grow_with_recipients(api, personas, tree, draft):
    """Dispatch writes in bulk: the statement count does not follow the recipient count."""
    login(api, personas.company)
    small = make_task(tree.company, actor=personas.company)
    for index in range(40):
        make_org(tree.county_b, name=f"B供电所{index}", code=f"C-B-X{index}")
    ContentType.objects.clear_cache()  # both runs pay the audit log's content-type lookup
    with CaptureQueriesContext(connection) as few:
        api.post(
            task_url(small, "dispatch"),
            {"within": tree.county_a.pk, "unit_kind": "station"},
            format="json",
        )
    ContentType.objects.clear_cache()
    with CaptureQueriesContext(connection) as many:
        everywhere = {"within": tree.company.pk, "unit_kind": "station"}
        response = api.post(task_url(draft, "dispatch"), everywhere, format="json")
    assert response.json()["total"] == 44  # a1, a2, b1, group_a1 and the 40 new ones
    assert len(many) == len(few)
