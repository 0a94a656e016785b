"""The API: representations, ID-number masking, the token flow, pagination and filters (who
reads which record is declared in ``test_pages_scope.py``)."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from bastion.core.models import SecurityEvent
from bastion.core.testing import login
from bastion.core.tokens import ApiToken
from bastion.orgs.tests.factories import UserFactory, grant, make_id_number


def test_anonymous_gets_401_or_403_and_no_data(api, people):
    for url in (reverse("api:person-list"), reverse("api:org-list"), reverse("api:me")):
        response = api.get(url)
        assert response.status_code in (401, 403)
        assert "results" not in response.json()


def test_org_representation_has_the_documented_fields(api, personas, tree):
    login(api, personas.county)
    row = api.get(reverse("api:org-detail", args=[tree.station_a1.pk])).json()
    assert row["name"] == "A1供电所党支部"
    assert row["code"] == "C-A-1"
    assert row["kind"] == "branch"
    assert row["kind_display"] == "党支部"
    assert row["unit_kind"] == "station"
    assert row["unit_kind_display"] == "基层供电所"
    assert row["parent"] == tree.county_a.pk
    assert row["depth"] == 3
    assert row["path"] == tree.station_a1.path
    for key in ("established_on", "term_started_on", "term_ends_on", "short_name"):
        assert key in row


def test_parent_outside_scope_reads_as_null(api, personas, tree):
    login(api, personas.secretary_a)
    row = api.get(reverse("api:org-detail", args=[tree.station_a1.pk])).json()
    assert row["parent"] is None
    group = api.get(reverse("api:org-detail", args=[tree.group_a1.pk])).json()
    assert group["parent"] == tree.station_a1.pk


def test_person_representation_names_its_organization(api, personas, people, tree):
    login(api, personas.secretary_a)
    row = api.get(reverse("api:person-detail", args=[people.zhang_san.pk])).json()
    assert row["name"] == "张三"
    assert row["organization"] == tree.station_a1.pk
    assert row["organization_name"] == "A1供电所党支部"
    assert row["membership_status"] == "full"
    assert row["membership_status_display"] == "正式党员"
    assert row["name_initials"] == "zs"


# --- ID numbers ---------------------------------------------------------------------------------


@pytest.fixture
def numbered(people):
    people.zhang_san.id_number = make_id_number(1)
    people.zhang_san.save()
    people.zhao_liu.id_number = make_id_number(2)
    people.zhao_liu.save()
    return people


def test_id_number_is_full_for_a_role_with_view_sensitive(api, personas, numbered):
    login(api, personas.secretary_a)
    row = api.get(reverse("api:person-detail", args=[numbered.zhang_san.pk])).json()
    assert row["id_number"] == make_id_number(1)


def test_id_number_is_masked_without_view_sensitive(api, tree, numbered):
    inspector = UserFactory(username="discipline_user")
    grant(inspector, "discipline", tree.company)
    api.force_login(inspector)
    rows = api.get(reverse("api:person-list")).json()["results"]
    by_name = {row["name"]: row["id_number"] for row in rows}
    assert len(rows) == 5  # discipline sees everyone...
    full = make_id_number(1)
    assert by_name["张三"] == full[:6] + "********" + full[-4:]  # ...but not their numbers
    assert "*" in by_name["赵六"]
    assert by_name["李四"] is None


def test_member_sees_own_id_number_masked(api, personas, numbered):
    login(api, personas.member)
    row = api.get(reverse("api:person-detail", args=[numbered.zhang_san.pk])).json()
    assert row["id_number"] != make_id_number(1)
    assert row["id_number"].endswith(make_id_number(1)[-4:])


def test_sensitive_grant_only_unmasks_inside_its_subtree(api, tree, numbered):
    """A viewer of the whole company who may see numbers only in county B."""
    user = UserFactory(username="mixed_user")
    grant(user, "discipline", tree.company)
    grant(user, "branch_secretary", tree.station_b1)
    api.force_login(user)
    rows = api.get(reverse("api:person-list")).json()["results"]
    by_name = {row["name"]: row["id_number"] for row in rows}
    assert by_name["赵六"] == make_id_number(2)
    assert "*" in by_name["张三"]


# --- tokens -------------------------------------------------------------------------------------

TOKEN_URL = "/api/v1/auth/token/"


def test_token_is_issued_for_good_credentials_and_authenticates(api, personas):
    response = api.post(
        TOKEN_URL, {"username": "p_secretary_a", "password": "bastion-test"}, format="json"
    )
    assert response.status_code == 200
    token = response.json()["token"]
    assert ApiToken.objects.for_key(token).get().user == personas.secretary_a
    fresh = APIClient()
    fresh.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    people = fresh.get(reverse("api:person-list")).json()["results"]
    assert sorted(p["name"] for p in people) == ["张三", "李四"]
    assert SecurityEvent.objects.filter(kind="login", username="p_secretary_a").exists()


def test_each_token_request_issues_a_new_token_and_both_work(api, personas):
    body = {"username": "p_member", "password": "bastion-test"}
    first = api.post(TOKEN_URL, body, format="json").json()["token"]
    second = api.post(TOKEN_URL, body, format="json").json()["token"]
    assert second != first
    for token in (first, second):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        assert client.get(reverse("api:me")).json()["username"] == "p_member"


def test_wrong_password_is_400_in_chinese_and_recorded(api, personas):
    response = api.post(TOKEN_URL, {"username": "p_member", "password": "nope"}, format="json")
    assert response.status_code == 400
    assert response.json()["non_field_errors"] == [
        "用户名或密码不正确。连续输错5次，账号将被临时锁定。"
    ]
    assert not ApiToken.objects.filter(user=personas.member).exists()
    assert SecurityEvent.objects.filter(kind="failed", username="p_member").count() == 1


def test_missing_fields_are_400_naming_them(api, db):
    response = api.post(TOKEN_URL, {"username": ""}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"username", "password"}


def test_five_failures_lock_the_account_against_tokens(api, personas):
    for _attempt in range(4):
        response = api.post(TOKEN_URL, {"username": "p_member", "password": "x"}, format="json")
        assert response.status_code == 400
    fifth = api.post(TOKEN_URL, {"username": "p_member", "password": "x"}, format="json")
    assert fifth.status_code == 429
    right = api.post(TOKEN_URL, {"username": "p_member", "password": "bastion-test"}, format="json")
    assert right.status_code == 429
    assert right["Content-Type"].startswith("application/json")
    assert "锁定" in right.json()["detail"]
    assert not ApiToken.objects.filter(user=personas.member).exists()


def test_failures_on_the_login_page_count_against_the_api(api, client, personas):
    for _attempt in range(5):
        client.post(reverse("login"), {"username": "p_county", "password": "bad"})
    response = api.post(
        TOKEN_URL, {"username": "p_county", "password": "bastion-test"}, format="json"
    )
    assert response.status_code == 429
    assert not ApiToken.objects.filter(user=personas.county).exists()


def test_a_successful_token_login_resets_the_failure_count(api, personas):
    for _attempt in range(4):
        api.post(TOKEN_URL, {"username": "p_member", "password": "x"}, format="json")
    good = {"username": "p_member", "password": "bastion-test"}
    assert api.post(TOKEN_URL, good, format="json").status_code == 200
    for _attempt in range(4):
        api.post(TOKEN_URL, {"username": "p_member", "password": "x"}, format="json")
    assert api.post(TOKEN_URL, good, format="json").status_code == 200


def test_inactive_account_gets_no_token(api, personas):
    personas.member.is_active = False
    personas.member.save()
    response = api.post(
        TOKEN_URL, {"username": "p_member", "password": "bastion-test"}, format="json"
    )
    assert response.status_code == 400


def test_a_bad_token_is_refused_in_chinese(api, people):
    api.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef")
    response = api.get(reverse("api:person-list"))
    # Token authentication comes first in settings: 401 with WWW-Authenticate.
    assert response.status_code == 401
    assert "令牌" in response.json()["detail"]


# --- pagination and filters ---------------------------------------------------------------------


def test_lists_are_paginated(api, personas, people):
    login(api, personas.company)
    first = api.get(reverse("api:person-list"), {"page_size": 2}).json()
    assert set(first) == {"count", "next", "previous", "results"}
    assert first["count"] == 5
    assert len(first["results"]) == 2
    assert first["previous"] is None
    assert "page=2" in first["next"]
    last = api.get(reverse("api:person-list"), {"page_size": 2, "page": 3}).json()
    assert last["next"] is None
    assert len(last["results"]) == 1


def names(response):
    assert response.status_code == 200, response.content
    return sorted(row["name"] for row in response.json()["results"])


def test_people_within_a_subtree(api, personas, tree):
    login(api, personas.company)
    response = api.get(reverse("api:person-list"), {"within": tree.county_a.pk})
    assert names(response) == sorted(["张三", "李四", "王五", "钱七"])


def test_people_within_outside_scope_is_404(api, personas, tree):
    login(api, personas.secretary_a)
    response = api.get(reverse("api:person-list"), {"within": tree.station_b1.pk})
    assert response.status_code == 404


def test_people_search_by_pinyin_initials(api, personas, people):
    login(api, personas.company)
    assert names(api.get(reverse("api:person-list"), {"q": "zs"})) == ["张三"]
    assert names(api.get(reverse("api:person-list"), {"q": "zhangsan"})) == ["张三"]
    employee_no = people.wang_wu.employee_no
    assert names(api.get(reverse("api:person-list"), {"q": employee_no})) == ["王五"]


def test_people_filters_by_status_and_post(api, personas, people):
    people.li_si.post = "area_manager"
    people.li_si.save()
    login(api, personas.county)
    full = names(api.get(reverse("api:person-list"), {"membership_status": "full"}))
    assert full == sorted(["张三", "王五"])
    assert names(api.get(reverse("api:person-list"), {"post": "area_manager"})) == ["李四"]


def test_orgs_filter_by_unit_kind_kind_within_and_q(api, personas, tree):
    login(api, personas.company)
    url = reverse("api:org-list")
    assert names(api.get(url, {"unit_kind": "county"})) == sorted(["A县公司党委", "B县公司党委"])
    assert names(api.get(url, {"kind": "group"})) == ["第一党小组"]
    within = names(api.get(url, {"within": tree.station_a1.pk}))
    assert within == sorted(["A1供电所党支部", "第一党小组"])
    assert names(api.get(url, {"q": "B1"})) == ["B1供电所党支部"]


def test_orgs_filter_stays_inside_scope(api, personas, tree):
    login(api, personas.secretary_b)
    assert names(api.get(reverse("api:org-list"), {"unit_kind": "county"})) == []


def test_bad_filter_value_is_400(api, personas, tree):
    login(api, personas.company)
    response = api.get(reverse("api:org-list"), {"unit_kind": "moon"})
    assert response.status_code == 400
    assert "unit_kind" in response.json()


def test_token_endpoint_needs_no_csrf_token(personas):
    strict = APIClient(enforce_csrf_checks=True)
    response = strict.post(
        TOKEN_URL, {"username": "p_member", "password": "bastion-test"}, format="json"
    )
    assert response.status_code == 200


def test_session_writes_still_need_the_csrf_token(personas, people):
    strict = APIClient(enforce_csrf_checks=True)
    strict.force_login(personas.company)
    url = reverse("api:person-detail", args=[people.li_si.pk])
    response = strict.patch(url, {"phone": "13600000000"}, format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
