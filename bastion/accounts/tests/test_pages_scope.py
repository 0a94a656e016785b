"""The persona matrix of the account pages: allowed inside the scope, 404 outside it."""

import pytest
from django.urls import reverse

from bastion.core.testing import PERSONAS, Opens, Scope, persona_matrix

from .page_fixtures import a1_list_fixture, help_request_fixture, opened_fixture  # noqa: F401 (fixtures)

MANAGERS = {"company", "county", "secretary_a", "secretary_b"}

# An account lies where its person's organization lies.
ACCOUNTS = Scope(
    objects="opened",
    seen_by={
        "zhang_san": {"company", "county", "secretary_a"},
        "wang_wu": {"company", "county"},
        "zhao_liu": {"company", "secretary_b"},
        "county_clerk": {"company", "county"},
    },
    detail=["accounts:account_detail", "accounts:account_history"],
)
# A 开户清单 exists for whoever opened its accounts, and nobody else (not even above them).
LISTS = Scope(
    objects=lambda fx: {"a1": fx.a1_list},
    seen_by={"a1": {"secretary_a"}},
    detail=["accounts:list_detail"],
)
MANAGER_PAGES = Opens(
    ["accounts:account_list", "accounts:bulk_open", "accounts:help_list"], by=MANAGERS
)
PUBLIC_PAGES = Opens(["accounts:activate", "accounts:forgot_password"], by=PERSONAS)

test_account_pages_answer_inside_the_scope_and_404_outside = persona_matrix(
    ACCOUNTS, LISTS, MANAGER_PAGES, PUBLIC_PAGES
)


@pytest.mark.parametrize(
    "persona,expected",
    [
        ("company", {"张三", "王五", "赵六", "钱七"}),
        ("county", {"张三", "王五", "钱七"}),
        ("secretary_a", {"张三"}),
        ("secretary_b", {"赵六"}),
    ],
)
def test_account_list_shows_only_the_scope(client, personas, opened, persona, expected):
    client.force_login(getattr(personas, persona))
    response = client.get(reverse("accounts:account_list"))
    assert {row.person.name for row in response.context["rows"]} == expected


def test_accounts_without_a_person_are_in_nobodys_list(client, personas, opened):
    client.force_login(personas.company)
    response = client.get(reverse("accounts:account_list"))
    assert "p_outsider" not in response.content.decode()


def test_anonymous_is_sent_to_login_from_manager_pages(client, tree):
    for name in ("accounts:account_list", "accounts:bulk_open", "accounts:help_list"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_public_pages_open_without_signing_in(client, tree):
    assert client.get(reverse("accounts:activate")).status_code == 200
    assert client.get(reverse("accounts:forgot_password")).status_code == 200


@pytest.mark.parametrize(
    "name", ["account_deactivate", "account_reactivate", "account_reset", "account_unlock"]
)
def test_managing_an_account_outside_the_scope_is_not_found(client, personas, opened, name):
    client.force_login(personas.secretary_b)
    response = client.post(reverse(f"accounts:{name}", args=[opened.zhang_san.pk]))
    assert response.status_code == 404
    opened.zhang_san.refresh_from_db()
    assert opened.zhang_san.is_active
    assert opened.zhang_san.has_usable_password()


def test_opening_an_account_outside_the_scope_is_not_found(client, personas, people):
    client.force_login(personas.secretary_b)
    response = client.post(reverse("accounts:person_open", args=[people.li_si.pk]))
    assert response.status_code == 404
    people.li_si.refresh_from_db()
    assert people.li_si.user_id is None


def test_a_member_cannot_open_accounts_in_their_own_branch(client, personas, people):
    client.force_login(personas.member)
    response = client.post(reverse("accounts:person_open", args=[people.li_si.pk]))
    assert response.status_code == 404
    people.li_si.refresh_from_db()
    assert people.li_si.user_id is None


def test_answering_a_help_request_outside_the_scope_is_not_found(client, personas, help_request):
    client.force_login(personas.secretary_a)  # 王五 is in A2, not A1
    response = client.post(reverse("accounts:help_answer", args=[help_request.pk]))
    assert response.status_code == 404
    help_request.refresh_from_db()
    assert help_request.state == "open"


def test_downloading_someone_elses_list_is_not_found(client, personas, a1_list):
    client.force_login(personas.company)
    response = client.post(reverse("accounts:list_download", args=[a1_list.pk]))
    assert response.status_code == 404
    a1_list.refresh_from_db()
    assert a1_list.downloadable


def test_bulk_opening_outside_the_scope_is_refused(client, personas, tree, people):
    client.force_login(personas.secretary_a)
    response = client.get(reverse("accounts:bulk_open"), {"organization": tree.station_b1.pk})
    assert response.status_code == 200
    assert "所选组织不在您的管理范围内" in response.content.decode()
    response = client.post(
        reverse("accounts:bulk_open"),
        {"organization": tree.county_a.pk, "membership_status": "", "signature": "x"},
    )
    assert "所选组织不在您的管理范围内" in response.content.decode()
    people.wang_wu.refresh_from_db()
    assert people.wang_wu.user_id is None
