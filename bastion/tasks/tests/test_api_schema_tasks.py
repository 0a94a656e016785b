"""The task endpoints in the OpenAPI schema: present, summarised in Chinese, typed, and built
without warnings (choice sets under their own names)."""

import json

import pytest
from django.core.management import call_command
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

TASK_PATHS = {
    "/api/v1/tasks/",
    "/api/v1/tasks/{id}/",
    "/api/v1/tasks/{id}/dispatch/",
    "/api/v1/tasks/{id}/progress/",
    "/api/v1/tasks/{id}/export/",
    "/api/v1/tasks/{id}/attachments/{attachment_id}/",
    "/api/v1/assignments/",
    "/api/v1/assignments/{id}/",
    "/api/v1/assignments/{id}/submit/",
    "/api/v1/assignments/{id}/return/",
    "/api/v1/assignments/{id}/accept/",
    "/api/v1/assignments/{id}/pass_down/",
    "/api/v1/assignments/{id}/files/{file_id}/",
    "/api/v1/assignments/{id}/attachments/{attachment_id}/",
}


@pytest.fixture
def schema(personas):
    api = APIClient()
    api.force_login(personas.member)
    response = api.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    document = json.loads(response.content)
    validate_schema(document)
    return document


def test_schema_builds_without_warnings_with_the_tasks(tmp_path, db):
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    text = target.read_text(encoding="utf-8")
    for path in TASK_PATHS:
        assert f"  {path}:" in text, path


def test_every_task_path_is_documented(schema):
    assert set(schema["paths"]) >= TASK_PATHS
    for path in TASK_PATHS:
        for operation in schema["paths"][path].values():
            assert operation["summary"], path
            assert "queryset" not in operation.get("description", ""), path


def test_task_choice_sets_have_their_own_names(schema):
    components = schema["components"]["schemas"]
    assert components["TaskStatusEnum"]["enum"] == ["draft", "dispatched", "closed"]
    assert components["AssignmentStateEnum"]["enum"] == [
        "unread", "read", "submitted", "returned", "accepted",
    ]  # fmt: skip
    assert "file" in components["FeedbackFieldKindEnum"]["enum"]
    assert "urgent" in components["TaskPriorityEnum"]["enum"]
    assert "station" in components["RecipientUnitKindEnum"]["enum"]
    # The organization's own enums keep their names.
    assert "branch" in components["KindEnum"]["enum"]
    assert "station" in components["UnitKindEnum"]["enum"]


def test_filters_and_bodies_are_typed(schema):
    def parameters(path):
        return {p["name"]: p for p in schema["paths"][path]["get"]["parameters"]}

    listing = parameters("/api/v1/assignments/")
    assert listing["task"]["schema"]["type"] == "integer"
    assert listing["within"]["schema"]["type"] == "integer"
    assert listing["overdue"]["schema"]["type"] == "boolean"
    assert "submitted" in listing["state"]["schema"]["enum"]
    progress = parameters("/api/v1/tasks/{id}/progress/")
    assert progress["within"]["schema"]["type"] == "integer"
    assert "page" not in progress
    dispatch = schema["paths"]["/api/v1/tasks/{id}/dispatch/"]["post"]
    body = dispatch["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    fields = schema["components"]["schemas"][body.rsplit("/", 1)[-1]]["properties"]
    assert {"recipients", "within", "unit_kind", "kind"} <= set(fields)
    submit = schema["paths"]["/api/v1/assignments/{id}/submit/"]["post"]["requestBody"]
    assert {"application/json", "multipart/form-data"} <= set(submit["content"])
    export = schema["paths"]["/api/v1/tasks/{id}/export/"]["get"]["responses"]["200"]
    assert "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" in export["content"]
