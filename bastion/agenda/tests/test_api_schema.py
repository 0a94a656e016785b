"""The agenda endpoints in the OpenAPI schema: present, typed, and without warnings.
The whole schema's build without warnings is tested once, in orgs/tests/test_api_meta.py.
"""

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


def test_every_agenda_path_is_documented(api_schema):
    assert set(api_schema["paths"]) >= AGENDA_PATHS
    for path in AGENDA_PATHS:
        for operation in api_schema["paths"][path].values():
            assert operation["summary"], path
            # No English docstring of the plumbing leaks into the Chinese documentation.
            assert "queryset" not in operation.get("description", ""), path


def test_choice_sets_have_their_own_names(api_schema):
    components = api_schema["components"]["schemas"]
    assert "committee" in components["ItemKindEnum"]["enum"]
    assert "dues" not in components["MeetingKindEnum"]["enum"]
    assert components["AlertLevelEnum"]["enum"] == [
        "upcoming",
        "green",
        "yellow",
        "red",
        "done",
        "late",
    ]
    # The organization kind keeps its name: the agenda's own "kind" fields do not collide.
    assert "branch" in components["KindEnum"]["enum"]


def test_obligation_filters_are_typed(api_schema):
    parameters = {
        p["name"]: p for p in api_schema["paths"]["/api/v1/obligations/"]["get"]["parameters"]
    }
    assert parameters["org"]["schema"]["type"] == "integer"
    assert parameters["within"]["schema"]["type"] == "integer"
    assert parameters["period"]["schema"]["type"] == "string"
    assert "2026Q1" in parameters["period"]["description"]
    assert set(parameters["alert"]["schema"]["enum"]) == {
        "upcoming",
        "green",
        "yellow",
        "red",
        "done",
        "late",
    }


def test_quote_parameters(api_schema):
    quote = api_schema["paths"]["/api/v1/dues/quote/"]["get"]
    parameters = {p["name"]: p for p in quote["parameters"]}
    assert parameters["category"]["required"] is True
    assert parameters["category"]["schema"]["enum"] == ["employed", "fixed", "retired"]
    assert "page" not in parameters
    assert quote["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/DuesQuote"
    }
