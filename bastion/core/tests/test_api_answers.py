"""Every answer of the API is one the published schema documents: errors with their JSON shape,
nullable fields declared nullable, formatted values declared as the text they are. schemathesis
(test_api_schemathesis) finds such classes over every operation; these pin each fix."""

from __future__ import annotations

import re

from bastion.core.testing import login

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def test_an_unmatched_api_path_answers_json_404_and_a_page_path_html(api, personas):
    client = login(api, personas.company)
    response = client.get("/api/v1/people/0.5/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert CHINESE.search(response.json()["detail"])
    page = client.get("/orgs/no-such-page/")
    assert page.status_code == 404
    assert page["Content-Type"].startswith("text/html")


def test_every_operation_documents_its_error_answers(api_schema):
    for path, operations in api_schema["paths"].items():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation["responses"]
            assert {"401", "403", "404"} <= set(responses), (method, path)
            if operation.get("requestBody"):
                assert {"400", "415"} <= set(responses), (method, path)
            assert "application/json" in responses["404"]["content"], (method, path)


def test_people_import_without_a_file_answers_400_with_errors(api, personas):
    client = login(api, personas.company)
    response = client.post("/api/v1/people/import/", {}, format="multipart")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors and errors[0]["row"] == 0 and errors[0]["column"] == ""
    assert "Excel 文件" in errors[0]["message"]
    assert "file" in response.json()  # the field's own key, as before


def test_a_person_without_a_party_group_reads_as_null_where_the_schema_allows_it(
    api, personas, people, api_schema
):
    person_schema = api_schema["components"]["schemas"]["Person"]["properties"]
    assert person_schema["party_group_name"].get("nullable") is True
    client = login(api, personas.company)
    response = client.get(f"/api/v1/people/{people.li_si.pk}/")
    assert response.status_code == 200
    assert response.json()["party_group_name"] is None


def test_a_blank_email_is_documented_as_allowed(api_schema):
    me_email = api_schema["components"]["schemas"]["Me"]["properties"]["email"]
    assert {"type": "string", "maxLength": 0} in me_email["oneOf"]


def test_an_export_asked_as_xlsx_answers_its_error_as_json(api, personas):
    client = login(api, personas.company)
    response = client.get("/api/v1/people/export/", {"format": "xlsx", "within": "999999"})
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert CHINESE.search(response.json()["detail"])


def test_fields_that_answer_null_or_text_are_documented_so(api_schema):
    schemas = api_schema["components"]["schemas"]
    assert schemas["Notification"]["properties"]["actor"].get("nullable") is True
    assert schemas["Indicator"]["properties"]["parent"].get("nullable") is True
    assert "pattern" not in schemas["TitleRule"]["properties"]["indicator_code"]
    month = schemas["BenchmarkValue"]["properties"]["month"]
    assert month.get("format") != "date" and month["pattern"] == r"^\d{4}-\d{2}$"
