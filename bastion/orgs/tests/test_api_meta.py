"""The API around the resources: schema, offline docs, health, ``me/``, roles, query counts."""

import json
import re

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

from bastion.core.testing import PERSONAS
from bastion.orgs.tests.factories import PersonFactory, UserFactory, make_org

# --- schema and docs ----------------------------------------------------------------------------


def test_schema_generates_without_warnings(tmp_path, db):
    """The same check as ``manage.py spectacular --validate --fail-on-warn``."""
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    text = target.read_text(encoding="utf-8")
    for path in ("/api/v1/orgs/{id}/move/", "/api/v1/people/export/", "/api/v1/people/import/"):
        assert path in text


def test_schema_endpoint_serves_a_valid_openapi_document(api, personas):
    api.force_login(personas.member)
    response = api.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = json.loads(response.content)
    validate_schema(schema)
    assert schema["openapi"].startswith("3.")
    assert {"/api/v1/auth/token/", "/api/v1/people/", "/api/v1/orgs/", "/api/v1/me/"} <= set(
        schema["paths"]
    )
    security = schema["components"]["securitySchemes"]
    assert {"cookieAuth", "tokenAuth"} <= set(security)


def test_docs_page_loads_only_local_assets(api, personas):
    api.force_login(personas.member)
    response = api.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'<(?:script|link)[^>]*(?:src|href)="([^"]+)"', html)
    assert len(assets) >= 4  # favicon, css, bundle, preset
    for url in assets:
        assert url.startswith("/") and not url.startswith("//"), url
        assert finders.find(url.removeprefix(settings.STATIC_URL)), url
    assert not re.search(r"https?://", html)
    assert '"validatorUrl": null' in html  # Swagger UI would otherwise call swagger.io
    assert "/api/v1/schema/" in html


def test_healthz_answers_200_without_asking_the_database(client, db):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert not ctx.captured_queries  # liveness; the database is /readyz's


# --- me and roles -------------------------------------------------------------------------------


def test_me_shows_the_member_their_record_and_roles(api, personas, people, tree):
    api.force_login(personas.member)
    body = api.get(reverse("api:me")).json()
    assert body["username"] == "p_member"
    assert body["is_superuser"] is False
    assert body["person"]["id"] == people.zhang_san.pk
    assert body["person"]["organization_name"] == "A1供电所党支部"
    (assignment,) = body["role_assignments"]
    assert assignment["role"] == "member"
    assert assignment["role_name"] == "党员"
    assert assignment["organization"] == tree.station_a1.pk
    assert assignment["organization_name"] == "A1供电所党支部"


def test_me_for_an_account_without_a_person_or_roles(api, personas):
    api.force_login(personas.outsider)
    body = api.get(reverse("api:me")).json()
    assert body["person"] is None
    assert body["role_assignments"] == []


def test_me_with_a_token(api, personas):
    token = api.post(
        "/api/v1/auth/token/", {"username": "p_county", "password": "bastion-test"}
    ).json()["token"]
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    body = other.get(reverse("api:me")).json()
    assert body["username"] == "p_county"
    assert [a["role"] for a in body["role_assignments"]] == ["county_committee"]


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_persona_reads_the_roles(api, personas, persona):
    api.force_login(getattr(personas, persona))
    response = api.get(reverse("api:role-list"), {"page_size": 100})
    assert response.status_code == 200
    codes = {row["code"] for row in response.json()["results"]}
    assert {"party_department", "county_committee", "branch_secretary", "member"} <= codes


def test_roles_are_read_only(api, personas):
    api.force_login(personas.company)
    response = api.post(reverse("api:role-list"), {"code": "x", "name": "x"}, format="json")
    assert response.status_code == 405


# --- constant queries ---------------------------------------------------------------------------

# Session auth (session, user), role assignments (once, shared by every permission), count, page.
PEOPLE_LIST_QUERIES = 5
ORG_LIST_QUERIES = 5


def grow_people(org, count):
    PersonFactory.create_batch(count, organization=org)


def grow_orgs(parent, count, start=0):
    for i in range(start, start + count):
        make_org(parent, name=f"扩展供电所{i}", code=f"C-A-Y{i:03d}")


@pytest.mark.parametrize("persona", ["company", "secretary_a"])
def test_people_list_queries_are_the_same_for_5_and_60_rows(
    api, personas, tree, people, persona, django_assert_num_queries
):
    api.force_login(getattr(personas, persona))
    url = reverse("api:person-list")
    if persona == "secretary_a":
        grow_people(tree.station_a1, 3)  # 2 + 3 = 5 rows
    with django_assert_num_queries(PEOPLE_LIST_QUERIES):
        small = api.get(url, {"page_size": 100}).json()
    grow_people(tree.station_a1, 60 - small["count"])
    with django_assert_num_queries(PEOPLE_LIST_QUERIES):
        large = api.get(url, {"page_size": 100}).json()
    assert (small["count"], len(large["results"])) == (5, 60)


def test_people_list_with_every_filter_stays_constant(
    api, personas, tree, people, django_assert_num_queries
):
    api.force_login(personas.company)
    query = {"page_size": 100, "within": tree.county_a.pk, "q": "测", "membership_status": "none"}
    grow_people(tree.station_a1, 5)
    with django_assert_num_queries(PEOPLE_LIST_QUERIES + 1):  # + the `within` organization
        small = api.get(reverse("api:person-list"), query).json()
    grow_people(tree.station_a2, 55)
    with django_assert_num_queries(PEOPLE_LIST_QUERIES + 1):
        large = api.get(reverse("api:person-list"), query).json()
    assert (small["count"], large["count"]) == (5, 60)


def test_people_list_with_a_token_is_constant(api, personas, tree, django_assert_num_queries):
    token = api.post(
        "/api/v1/auth/token/", {"username": "p_company", "password": "bastion-test"}
    ).json()["token"]
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    other.get(reverse("api:me"))  # the first use stamps last_used_at (once a minute at most)
    # Token (with its user), the lockout check, role assignments, count, page. The personas
    # bring 5 people.
    with django_assert_num_queries(5):
        assert other.get(reverse("api:person-list")).json()["count"] == 5
    grow_people(tree.station_b1, 55)
    with django_assert_num_queries(5):
        assert other.get(reverse("api:person-list")).json()["count"] == 60


@pytest.mark.parametrize("persona", ["company", "county"])
def test_org_list_queries_are_the_same_for_5_and_60_rows(
    api, personas, tree, persona, django_assert_num_queries
):
    api.force_login(getattr(personas, persona))
    url = reverse("api:org-list")
    query = {"page_size": 100, "within": tree.county_a.pk}
    grow_orgs(tree.county_a, 1)  # county A, stations A1 and A2, group A1, + 1 = 5
    with django_assert_num_queries(ORG_LIST_QUERIES + 1):
        small = api.get(url, query).json()
    grow_orgs(tree.county_a, 55, start=1)
    with django_assert_num_queries(ORG_LIST_QUERIES + 1):
        large = api.get(url, query).json()
    assert (small["count"], large["count"]) == (5, 60)
    parents = {row["parent"] for row in large["results"] if row["depth"] == 3}
    assert parents == {tree.county_a.pk}
    (county_row,) = [row for row in large["results"] if row["id"] == tree.county_a.pk]
    assert county_row["parent"] == (tree.company.pk if persona == "company" else None)


def test_role_assignment_list_is_constant(api, personas, tree, django_assert_num_queries):
    from bastion.orgs.tests.factories import grant

    api.force_login(personas.company)
    url = reverse("api:role-assignment-list")
    with django_assert_num_queries(5):
        small = api.get(url).json()
    for i in range(20):
        grant(UserFactory(username=f"extra{i}"), "member", tree.station_a1)
    with django_assert_num_queries(5):
        large = api.get(url).json()
    assert (small["count"], large["count"]) == (5, 25)
