"""The agenda endpoints in the OpenAPI schema: present, typed, and without warnings."""

import json

import pytest
from django.core.management import call_command
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

AGENDA_PATHS = {
    "/api/v1/rules/",
    "/api/v1/rules/{id}/",
    "/api/v1/obligations/",
    "/api/v1/obligations/{id}/",
    "/api/v1/meetings/",
    "/api/v1/meetings/{id}/",
    "/api/v1/meetings/{id}/review/",
    "/api/v1/meetings/{id}/attachments/{attachment_id}/",
    "/api/v1/dues/",
    "/api/v1/dues/{id}/",
    "/api/v1/dues/quote/",
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


def test_schema_builds_without_warnings_with_the_agenda(tmp_path, db):
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    text = target.read_text(encoding="utf-8")
    for path in AGENDA_PATHS:
        assert f"  {path}:" in text, path


def test_every_agenda_path_is_documented(schema):
    assert set(schema["paths"]) >= AGENDA_PATHS
    for path in AGENDA_PATHS:
        for operation in schema["paths"][path].values():
            assert operation["summary"], path
            # No English docstring of the plumbing leaks into the Chinese documentation.
            assert "queryset" not in operation.get("description", ""), path


def test_choice_sets_have_their_own_names(schema):
    components = schema["components"]["schemas"]
    assert "committee" in components["ItemKindEnum"]["enum"]
    assert "dues" not in components["MeetingKindEnum"]["enum"]
    assert components["AlertLevelEnum"]["enum"] == [
        "upcoming", "green", "yellow", "red", "done", "late",
    ]  # fmt: skip
    # The organization kind keeps its name: the agenda's own "kind" fields do not collide.
    assert "branch" in components["KindEnum"]["enum"]


def test_obligation_filters_are_typed(schema):
    parameters = {
        p["name"]: p for p in schema["paths"]["/api/v1/obligations/"]["get"]["parameters"]
    }
    assert parameters["org"]["schema"]["type"] == "integer"
    assert parameters["within"]["schema"]["type"] == "integer"
    assert parameters["period"]["schema"]["type"] == "string"
    assert "2026Q1" in parameters["period"]["description"]
    assert set(parameters["alert"]["schema"]["enum"]) == {
        "upcoming", "green", "yellow", "red", "done", "late",
    }  # fmt: skip


def test_quote_parameters(schema):
    quote = schema["paths"]["/api/v1/dues/quote/"]["get"]
    parameters = {p["name"]: p for p in quote["parameters"]}
    assert parameters["category"]["required"] is True
    assert parameters["category"]["schema"]["enum"] == ["employed", "fixed", "retired"]
    assert "page" not in parameters
    assert quote["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/DuesQuote"
    }
