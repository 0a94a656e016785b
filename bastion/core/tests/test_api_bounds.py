"""Out-of-range numbers, anywhere in a request, answer 400 (or 404 for an id), never 500.

Every integer query parameter the schema publishes and every ``{id}`` in a path is tried with
values no database column holds (0, negatives, 20 digits, a year 0); the answers must be 4xx
with a Chinese message. The same holds for numbers in bodies (the shared reference fields) and,
as a last resort, for a database that refuses a number or a duplicate (the exception handler).
"""

from __future__ import annotations

import re

import pytest
from django.db import DataError, IntegrityError

from bastion.core.testing import login

HUGE = "9" * 20  # past int64: SQLite raises OverflowError, PostgreSQL DataError
OUT_OF_RANGE = ["0", "-1", HUGE, "2147483648"]
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def integer_query_parameters(document) -> list[tuple[str, str]]:
    """(path, parameter) for every integer query parameter of a GET without path parameters."""
    found = []
    for path, operations in document["paths"].items():
        get = operations.get("get")
        if not get or "{" in path:
            continue
        for parameter in get.get("parameters", []):
            schema = parameter.get("schema", {})
            if parameter["in"] == "query" and schema.get("type") == "integer":
                found.append((path, parameter["name"]))
    return found


def detail_paths(document) -> list[str]:
    return [
        path
        for path, operations in document["paths"].items()
        if "get" in operations and re.fullmatch(r"[^{}]*\{[a-z_]+\}/", path)
    ]


def message_of(response) -> str:
    return response.content.decode("utf-8", "replace")


def test_integer_query_parameters_out_of_range_answer_400_in_chinese(api, personas, api_schema):
    client = login(api, personas.company)
    tried = integer_query_parameters(api_schema)
    assert len(tried) > 10, tried  # the probe covers the filters, not an empty list
    failures = []
    for path, name in tried:
        for value in OUT_OF_RANGE:
            response = client.get(path, {name: value})
            if response.status_code >= 500 or (
                response.status_code == 400 and not CHINESE.search(message_of(response))
            ):
                failures.append((path, name, value, response.status_code))
    assert not failures


@pytest.mark.parametrize("value", ["0", "-5", "10000", "99999", HUGE])
def test_year_out_of_range_answers_400_with_a_message(api, personas, value):
    client = login(api, personas.company)
    for path in ("/api/v1/dues/", "/api/v1/inspections/"):
        response = client.get(path, {"year": value})
        assert response.status_code == 400, (path, value, response.content)
        assert "year" in response.json()
        assert CHINESE.search(message_of(response))


def test_ids_of_twenty_digits_in_paths_answer_404(api, personas, api_schema):
    client = login(api, personas.company)
    paths = detail_paths(api_schema)
    assert len(paths) > 10
    failures = []
    for template in paths:
        path = re.sub(r"\{[a-z_]+\}", HUGE, template)
        response = client.get(path)
        if response.status_code != 404:
            failures.append((path, response.status_code))
    assert not failures


def test_huge_ids_in_bodies_answer_400_naming_the_field(api, personas, tree):
    client = login(api, personas.company)
    response = client.post(
        "/api/v1/people/",
        {"name": "测试", "organization": int(HUGE), "gender": "male"},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert "organization" in response.json()
    assert CHINESE.search(message_of(response))


def test_page_numbers_out_of_range_answer_4xx(api, personas):
    client = login(api, personas.company)
    for page in ("0", "-1", HUGE):
        response = client.get("/api/v1/people/", {"page": page})
        assert response.status_code == 404, (page, response.status_code)
    for size in ("0", "-1", HUGE):
        response = client.get("/api/v1/people/", {"page_size": size})
        assert response.status_code == 200, (size, response.status_code)


# --- the last resort: what the database refuses ---------------------------------------------------


@pytest.mark.parametrize(
    "error", [OverflowError("Python int too large"), DataError("out of range")]
)
def test_a_number_the_database_refuses_answers_400_and_is_logged(
    api, personas, monkeypatch, caplog, error
):
    from bastion.orgs import services

    def refuse(*args, **kwargs):
        raise error

    monkeypatch.setattr(services, "person_create", refuse)
    client = login(api, personas.company)
    response = client.post(
        "/api/v1/people/",
        {"name": "测试", "organization": personas_org_id(personas), "gender": "male"},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert CHINESE.search(response.json()["detail"])
    assert any("refused" in record.getMessage() for record in caplog.records)


def test_a_concurrent_duplicate_answers_400_not_500(api, personas, monkeypatch):
    """Two creates that both pass the serializer's uniqueness check: the second meets the
    database's unique rule (simulated by raising the IntegrityError it would raise)."""
    from bastion.orgs import services

    def duplicate(*args, **kwargs):
        raise IntegrityError('duplicate key value violates unique constraint "orgs_person_key"')

    monkeypatch.setattr(services, "person_create", duplicate)
    client = login(api, personas.company)
    response = client.post(
        "/api/v1/people/",
        {"name": "测试", "organization": personas_org_id(personas), "gender": "male"},
        format="json",
    )
    assert response.status_code == 400, response.content
    detail = response.json()["detail"]
    assert "重复" in detail or "冲突" in detail
    assert "orgs_person" not in detail  # no database words


def test_a_duplicate_the_database_refuses_after_validation_answers_400(
    api, personas, people, monkeypatch
):
    """The race for real: both checks that would catch the duplicate (the serializer's and the
    model's) are passed, as by a second request that validated before the first one saved;
    the database's unique rule refuses it, and the answer is a 400 and nothing saved."""
    from rest_framework.validators import UniqueValidator

    from bastion.orgs.models import Person

    people.wang_wu.employee_no = "GH-0001"
    people.wang_wu.save()
    monkeypatch.setattr(UniqueValidator, "__call__", lambda self, value, field: None)
    monkeypatch.setattr(Person, "validate_unique", lambda self, exclude=None: None)
    client = login(api, personas.company)
    body = {"name": "测试", "organization": personas_org_id(personas), "gender": "male"}
    response = client.post("/api/v1/people/", {**body, "employee_no": "GH-0001"}, format="json")
    assert response.status_code == 400, response.content
    assert "重复" in response.json()["detail"]
    assert Person.objects.filter(employee_no="GH-0001").count() == 1
    assert not Person.objects.filter(name="测试").exists()


def personas_org_id(personas) -> int:
    from bastion.orgs.models import Organization

    return Organization.objects.get(name="A1供电所党支部").pk


@pytest.mark.parametrize(
    "path, body, field",
    [
        ("/api/v1/users/", {"person": int(HUGE)}, "person"),
        ("/api/v1/users/bulk-open/", {"within": int(HUGE)}, "within"),
        ("/api/v1/inspections/", {"inspected": [int(HUGE)]}, "inspected"),
    ],
)
def test_ids_past_64_bits_in_bodies_answer_400_naming_the_field(api, personas, path, body, field):
    client = login(api, personas.company)
    response = client.post(path, body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert CHINESE.search(message_of(response))
