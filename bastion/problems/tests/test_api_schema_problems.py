"""The problem endpoints in the OpenAPI schema: present, summarised in Chinese, typed, and built
without warnings (choice sets under their own names).
The whole schema's build without warnings is tested once, in orgs/tests/test_api_meta.py.
"""

PROBLEM_PATHS = {
    "/api/v1/inspections/",
    "/api/v1/inspections/{id}/",
    "/api/v1/problems/",
    "/api/v1/problems/{id}/",
    "/api/v1/problems/{id}/transition/",
    "/api/v1/problems/{id}/evidence/{evidence_id}/",
    "/api/v1/bulletins/",
}


def test_every_problem_path_is_documented(api_schema):
    assert set(api_schema["paths"]) >= PROBLEM_PATHS
    for path in PROBLEM_PATHS:
        for operation in api_schema["paths"][path].values():
            assert operation["summary"], path
            assert "queryset" not in operation.get("description", ""), path


def test_problem_choice_sets_have_their_own_names(api_schema):
    components = api_schema["components"]["schemas"]
    assert components["ProblemStateEnum"]["enum"] == [
        "planned",
        "in_progress",
        "submitted",
        "rejected",
        "verified",
        "closed",
    ]
    assert components["ProblemTierEnum"] == {**components["ProblemTierEnum"], "type": "integer"}
    assert components["ProblemTierEnum"]["enum"] == [1, 2, 3, 4]
    assert "reopen" in components["ProblemMoveEnum"]["enum"]
    assert "flying" in components["InspectionKindEnum"]["enum"]
    assert "company" in components["ProblemLibraryEnum"]["enum"]
    # Other apps' enums keep their names.
    assert "branch" in components["KindEnum"]["enum"]
    assert "submitted" in components["AssignmentStateEnum"]["enum"]


def test_filters_and_bodies_are_typed(api_schema):
    def parameters(path):
        return {p["name"]: p for p in api_schema["paths"][path]["get"]["parameters"]}

    listing = parameters("/api/v1/problems/")
    assert listing["within"]["schema"]["type"] == "integer"
    assert listing["overdue"]["schema"]["type"] == "boolean"
    assert "rejected" in listing["state"]["schema"]["enum"]
    assert "county" in listing["library"]["schema"]["enum"]
    assert set(listing["tier"]["schema"]["enum"]) == {"1", "2", "3", "4"}
    transition = api_schema["paths"]["/api/v1/problems/{id}/transition/"]["post"]["requestBody"]
    assert {"application/json", "multipart/form-data"} <= set(transition["content"])
    bulletin = api_schema["paths"]["/api/v1/bulletins/"]["get"]
    names = {p["name"]: p for p in bulletin["parameters"]}
    assert names["within"]["required"] is True
    assert names["format"]["schema"]["enum"] == ["docx", "xlsx"]
    assert "page" not in names
    content = bulletin["responses"]["200"]["content"]
    assert {
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    } <= set(content)
