"""The problem endpoints in the OpenAPI schema: present, summarised in Chinese, typed, and built
without warnings (choice sets under their own names)."""

import json

import pytest
from django.core.management import call_command
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

PROBLEM_PATHS = {
    "/api/v1/inspections/",
    "/api/v1/inspections/{id}/",
    "/api/v1/problems/",
    "/api/v1/problems/{id}/",
    "/api/v1/problems/{id}/transition/",
    "/api/v1/problems/{id}/evidence/{evidence_id}/",
    "/api/v1/bulletins/",
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


def test_schema_builds_without_warnings_with_the_problems(tmp_path, db):
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    text = target.read_text(encoding="utf-8")
    for path in PROBLEM_PATHS:
        assert f"  {path}:" in text, path


def test_every_problem_path_is_documented(schema):
    assert set(schema["paths"]) >= PROBLEM_PATHS
    for path in PROBLEM_PATHS:
        for operation in schema["paths"][path].values():
            assert operation["summary"], path
            assert "queryset" not in operation.get("description", ""), path


def test_problem_choice_sets_have_their_own_names(schema):
    components = schema["components"]["schemas"]
    assert components["ProblemStateEnum"]["enum"] == [
        "planned", "in_progress", "submitted", "rejected", "verified", "closed",
    ]  # fmt: skip
    assert components["ProblemTierEnum"] == {**components["ProblemTierEnum"], "type": "integer"}
    assert components["ProblemTierEnum"]["enum"] == [1, 2, 3, 4]
    assert "reopen" in components["ProblemMoveEnum"]["enum"]
    assert "flying" in components["InspectionKindEnum"]["enum"]
    assert "company" in components["ProblemLibraryEnum"]["enum"]
    # Other apps' enums keep their names.
    assert "branch" in components["KindEnum"]["enum"]
    assert "submitted" in components["AssignmentStateEnum"]["enum"]


def test_filters_and_bodies_are_typed(schema):
    def parameters(path):
        return {p["name"]: p for p in schema["paths"][path]["get"]["parameters"]}

    listing = parameters("/api/v1/problems/")
    assert listing["within"]["schema"]["type"] == "integer"
    assert listing["overdue"]["schema"]["type"] == "boolean"
    assert "rejected" in listing["state"]["schema"]["enum"]
    assert "county" in listing["library"]["schema"]["enum"]
    assert set(listing["tier"]["schema"]["enum"]) == {"1", "2", "3", "4"}
    transition = schema["paths"]["/api/v1/problems/{id}/transition/"]["post"]["requestBody"]
    assert {"application/json", "multipart/form-data"} <= set(transition["content"])
    bulletin = schema["paths"]["/api/v1/bulletins/"]["get"]
    names = {p["name"]: p for p in bulletin["parameters"]}
    assert names["within"]["required"] is True
    assert names["format"]["schema"]["enum"] == ["docx", "xlsx"]
    assert "page" not in names
    content = bulletin["responses"]["200"]["content"]
    assert {
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    } <= set(content)
