"""The task endpoints in the OpenAPI schema: present, summarised in Chinese, typed, and built
without warnings (choice sets under their own names).
The whole schema's build without warnings is tested once, in orgs/tests/test_api_meta.py.
"""

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
    "/api/v1/assignments/{id}/pass-down/",
    "/api/v1/assignments/{id}/files/{file_id}/",
    "/api/v1/assignments/{id}/attachments/{attachment_id}/",
}


def test_every_task_path_is_documented(api_schema):
    assert set(api_schema["paths"]) >= TASK_PATHS
    for path in TASK_PATHS:
        for operation in api_schema["paths"][path].values():
            assert operation["summary"], path
            assert "queryset" not in operation.get("description", ""), path


def test_task_choice_sets_have_their_own_names(api_schema):
    components = api_schema["components"]["schemas"]
    assert components["TaskStatusEnum"]["enum"] == ["draft", "dispatched", "closed"]
    assert components["AssignmentStateEnum"]["enum"] == [
        "unread",
        "read",
        "submitted",
        "returned",
        "accepted",
    ]
    assert "file" in components["FeedbackFieldKindEnum"]["enum"]
    assert "urgent" in components["TaskPriorityEnum"]["enum"]
    # One choice set, one name: the recipient filters use the organization's own enums.
    assert "RecipientUnitKindEnum" not in components
    assert "branch" in components["KindEnum"]["enum"]
    assert "station" in components["UnitKindEnum"]["enum"]


def test_filters_and_bodies_are_typed(api_schema):
    def parameters(path):
        return {p["name"]: p for p in api_schema["paths"][path]["get"]["parameters"]}

    listing = parameters("/api/v1/assignments/")
    assert listing["task"]["schema"]["type"] == "integer"
    assert listing["within"]["schema"]["type"] == "integer"
    assert listing["overdue"]["schema"]["type"] == "boolean"
    assert "submitted" in listing["state"]["schema"]["enum"]
    progress = parameters("/api/v1/tasks/{id}/progress/")
    assert progress["within"]["schema"]["type"] == "integer"
    assert "page" not in progress
    dispatch = api_schema["paths"]["/api/v1/tasks/{id}/dispatch/"]["post"]
    body = dispatch["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    fields = api_schema["components"]["schemas"][body.rsplit("/", 1)[-1]]["properties"]
    assert {"recipients", "within", "unit_kind", "kind"} <= set(fields)
    submit = api_schema["paths"]["/api/v1/assignments/{id}/submit/"]["post"]["requestBody"]
    assert {"application/json", "multipart/form-data"} <= set(submit["content"])
    export = api_schema["paths"]["/api/v1/tasks/{id}/export/"]["get"]["responses"]["200"]
    assert "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" in export["content"]
