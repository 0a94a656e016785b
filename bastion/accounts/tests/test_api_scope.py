"""The persona matrix of ``users/``: every account read and written inside the scope, 404
outside it (403 only for an account that manages no accounts anywhere)."""

import pytest

from bastion.core.testing import PERSONAS, Scope, login, persona_matrix
from bastion.orgs.models import Person

from .api_fixtures import accounts_fixture, users_url  # noqa: F401

pytestmark = pytest.mark.django_db

# Who manages whose account: accounts lie where their person's organization lies.
SEEN_BY = {
    "zhang_san": {"company", "county", "secretary_a"},
    "li_si": {"company", "county", "secretary_a"},
    "wang_wu": {"company", "county"},
    "zhao_liu": {"company", "secretary_b"},
    "county_clerk": {"company", "county"},
}
ACCOUNTS = Scope(
    objects="accounts",
    seen_by=SEEN_BY,
    detail=["api:user-detail"],
    rows=["api:user-list"],
)

test_accounts_are_read_inside_the_scope_only = persona_matrix(ACCOUNTS)

# No account-managing role anywhere: 403 for a write, as everywhere in the API.
NO_ACCOUNT_ROLE = {"member", "outsider"}


def expected(persona, inside):
    if persona in inside:
        return {200, 201}
    return {403, 404} if persona in NO_ACCOUNT_ROLE else {404}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("move", ["deactivate", "reactivate", "reset", "unlock"])
def test_every_move_is_allowed_inside_the_scope_only(api, personas, accounts, persona, move):
    login(api, getattr(personas, persona))
    wrong = []
    for name, inside in SEEN_BY.items():
        if getattr(personas, persona) == getattr(accounts, name):
            continue  # one's own account: the service's own refusal, tested elsewhere
        response = api.post(users_url(getattr(accounts, name).pk, move), {}, format="json")
        if response.status_code not in expected(persona, inside):
            wrong.append(f"{name}: {response.status_code}")
    assert not wrong, f"{persona} {move}: " + "; ".join(wrong)


@pytest.mark.parametrize("persona", PERSONAS)
def test_an_account_is_opened_for_a_person_inside_the_scope_only(api, personas, tree, persona):
    opens = {
        "station_a1": {"company", "county", "secretary_a"},
        "station_a2": {"company", "county"},
        "station_b1": {"company", "secretary_b"},
    }
    login(api, getattr(personas, persona))
    wrong = []
    for org_name, inside in opens.items():
        person = Person.objects.create(
            name=f"新人{org_name}", organization=getattr(tree, org_name), employee_no=org_name
        )
        response = api.post(users_url(), {"person": person.pk}, format="json")
        allowed = {201} if persona in inside else expected(persona, set())
        if response.status_code not in allowed:
            wrong.append(f"{org_name}: {response.status_code}")
    assert not wrong, f"{persona}: " + "; ".join(wrong)


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_bulk_preview_names_an_organization_inside_the_scope_only(
    api, personas, tree, people, persona
):
    opens = {
        "company": {"company"},
        "county_a": {"company", "county"},
        "station_a1": {"company", "county", "secretary_a"},
        "station_b1": {"company", "secretary_b"},
    }
    login(api, getattr(personas, persona))
    wrong = []
    for org_name, inside in opens.items():
        body = {"within": getattr(tree, org_name).pk, "dry_run": True}
        response = api.post(users_url(action="bulk-open"), body, format="json")
        allowed = {200} if persona in inside else expected(persona, set())
        if response.status_code not in allowed:
            wrong.append(f"{org_name}: {response.status_code}")
    assert not wrong, f"{persona}: " + "; ".join(wrong)


def test_the_member_and_the_outsider_are_refused_writes_with_403(api, personas, accounts):
    login(api, personas.member)
    assert api.post(users_url(), {"person": 1}, format="json").status_code == 403
    body = {"within": 1, "dry_run": True}
    assert api.post(users_url(action="bulk-open"), body, format="json").status_code == 403


def test_anonymous_is_refused(api, accounts):
    assert api.get(users_url()).status_code in (401, 403)
    assert api.post(users_url(accounts.li_si.pk, "reset"), {}).status_code in (401, 403)
