"""``users/`` and ``auth/activate/``: what opening, bulk opening and managing accounts through
the API do to the database, and ``me/`` with the person."""

import io

import pytest
from auditlog.models import LogEntry
from django.contrib.auth import get_user_model
from openpyxl import load_workbook

from bastion.accounts import services
from bastion.accounts.models import AccountList, ActivationCode
from bastion.accounts.services import opening
from bastion.core.testing import count_queries, login
from bastion.core.tokens import ApiToken, api_token_issue
from bastion.orgs.models import Person, Role, RoleAssignment
from bastion.orgs.tests.factories import PersonFactory, UserFactory, grant

from .api_fixtures import PASSWORD, accounts_fixture, users_url  # noqa: F401

pytestmark = pytest.mark.django_db
User = get_user_model()
BULK = users_url(action="bulk-open")
ACTIVATE = "/api/v1/auth/activate/"


@pytest.fixture
def station_a2(tree, people):
    """Three party members of A2 without an account, and one who has resigned."""
    members = [
        PersonFactory(name=f"A2党员{n}", organization=tree.station_a2, membership_status="full")
        for n in range(3)
    ]
    PersonFactory(
        name="已离职", organization=tree.station_a2, membership_status="full", status="resigned"
    )
    return members


def activate(api, username, code, password=PASSWORD):
    api.logout()
    body = {"username": username, "code": code, "password": password}
    return api.post(ACTIVATE, body, format="json")


# --- the list -----------------------------------------------------------------------------------


def test_a_row_shows_the_person_and_the_state_of_the_account(api, personas, tree, accounts):
    login(api, personas.secretary_a)
    rows = {row["id"]: row for row in api.get(users_url()).json()["results"]}
    li_si = rows[accounts.li_si.pk]
    assert li_si["username"] == accounts.li_si.username
    assert li_si["is_active"] is True
    assert li_si["last_login"] is None
    assert li_si["person"] == {
        "id": accounts.li_si.person.pk,
        "name": "李四",
        "organization": {"id": tree.station_a1.pk, "name": "A1供电所党支部"},
    }
    assert li_si["awaiting_activation"] is True
    assert li_si["locked"] is False
    assert rows[accounts.zhang_san.pk]["awaiting_activation"] is False


def test_the_list_filters_by_name_subtree_and_state(api, personas, tree, accounts):
    login(api, personas.company)

    def names(**params):
        rows = api.get(users_url(), params).json()["results"]
        return {row["person"]["name"] for row in rows}

    assert names(q="李四") == {"李四"}
    assert names(within=tree.county_b.pk) == {"赵六"}
    assert names(awaiting=0) == {"张三"}
    services.account_deactivate(actor=personas.company, user=accounts.wang_wu)
    assert names(is_active=0) == {"王五"}


def test_a_subtree_outside_the_scope_is_404(api, personas, tree, accounts):
    login(api, personas.secretary_a)
    assert api.get(users_url(), {"within": tree.station_b1.pk}).status_code == 404


def test_the_list_costs_the_same_queries_for_5_or_25_accounts(api, personas, tree, accounts):
    login(api, personas.company)
    small = count_queries(api, users_url())
    for n in range(20):
        PersonFactory(name=f"新人{n}", organization=tree.station_b1)
    services.accounts_bulk_open(actor=personas.company, people=Person.objects.all())
    _lock(api, accounts.li_si.username)
    login(api, personas.company)
    large = count_queries(api, users_url())
    body = large.response.json()
    assert body["count"] == 25
    assert {row["id"]: row["locked"] for row in body["results"]}[accounts.li_si.pk] is True
    assert large == small


def _lock(api, username):
    api.logout()
    for _attempt in range(5):
        api.post("/api/v1/auth/token/", {"username": username, "password": "wrong"})


# --- opening one --------------------------------------------------------------------------------


def test_opening_one_returns_a_code_that_activates_the_account(api, personas, people):
    login(api, personas.secretary_a)
    response = api.post(users_url(), {"person": people.li_si.pk}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {"id", "username", "activation_code"}
    people.li_si.refresh_from_db()
    assert people.li_si.user_id == body["id"]
    assert body["username"] == people.li_si.employee_no
    user = services.account_activate(
        username=body["username"], code=body["activation_code"], password=PASSWORD
    )
    assert user.check_password(PASSWORD)


def test_a_person_with_an_account_is_refused_with_the_reason(api, personas, people, accounts):
    login(api, personas.secretary_a)
    response = api.post(users_url(), {"person": people.li_si.pk}, format="json")
    assert response.status_code == 400
    assert "已有账号" in response.json()["person"][0]


def test_a_branch_secretary_cannot_open_an_account_in_another_branch(api, personas, people):
    login(api, personas.secretary_a)
    for person in (people.zhao_liu, people.wang_wu):
        response = api.post(users_url(), {"person": person.pk}, format="json")
        assert response.status_code == 404
        person.refresh_from_db()
        assert person.user_id is None


@pytest.mark.parametrize("body", [{}, {"person": "x"}, {"person": None}, {"person": 99999}])
def test_a_bad_person_is_400_or_404_never_500(api, personas, body):
    login(api, personas.company)
    assert api.post(users_url(), body, format="json").status_code in (400, 404)


# --- bulk ---------------------------------------------------------------------------------------


def test_a_bulk_preview_counts_and_names_the_skipped_and_writes_nothing(
    api, personas, tree, people, station_a2
):
    login(api, personas.county)
    body = {"within": tree.county_a.pk, "membership_status": "members", "dry_run": True}
    response = api.post(BULK, body, format="json")
    assert response.status_code == 200, response.content
    preview = response.json()
    assert preview["to_open"] == 4  # 王五 and the three A2 members
    reasons = {row["name"]: row["reason"] for row in preview["skipped"]}
    assert set(reasons) == {"张三", "已离职"}
    assert "已有账号" in reasons["张三"]
    assert "离职" in reasons["已离职"]
    assert {row["person"] for row in preview["skipped"]} >= {people.zhang_san.pk}
    assert preview["signature"]
    assert not AccountList.objects.exists()
    assert User.objects.count() == 6  # the personas only


def test_a_bulk_opening_opens_all_then_a_second_run_opens_nothing(
    api, personas, tree, people, station_a2
):
    login(api, personas.county)
    body = {"within": tree.county_a.pk, "membership_status": "members"}
    preview = api.post(BULK, {**body, "dry_run": True}, format="json").json()
    response = api.post(BULK, {**body, "signature": preview["signature"]}, format="json")
    assert response.status_code == 201, response.content
    answer = response.json()
    assert answer["opened"] == 4
    account_list = AccountList.objects.get()
    assert answer["list"] == f"http://testserver/api/v1/users/lists/{account_list.pk}/"
    assert account_list.opened_by == personas.county
    assert account_list.description == "A县公司党委 · 正式党员和预备党员"
    opened = Person.objects.filter(pk__in=[p.pk for p in station_a2] + [people.wang_wu.pk])
    assert not opened.filter(user__isnull=True).exists()
    assert Person.objects.get(name="已离职").user_id is None
    assert RoleAssignment.objects.filter(role__code="member", user__person__in=opened).count() == 4

    again = api.post(BULK, body, format="json")
    assert again.status_code == 400
    assert again.json()["non_field_errors"] == ["没有需要开通账号的人员。"]
    assert AccountList.objects.count() == 1


def test_the_opener_downloads_the_list_through_the_api_once(
    api, personas, tree, people, station_a2
):
    login(api, personas.county)
    body = {"within": tree.county_a.pk, "membership_status": "members"}
    url = api.post(BULK, body, format="json").json()["list"]
    login(api, personas.company)  # above the county, but not the opener: not theirs to take
    assert api.get(url).status_code == 404
    login(api, personas.county)
    response = api.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Cache-Control"] == "no-store"
    rows = list(
        load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True)
    )
    assert len(rows) == 1 + 4 and "http://testserver/accounts/activate/" in rows[1][4]
    again = api.get(url)
    assert again.status_code == 410 and "已下载过" in again.json()["detail"]


def test_a_stale_preview_is_refused(api, personas, tree, people, station_a2):
    login(api, personas.county)
    body = {"within": tree.county_a.pk, "membership_status": "members"}
    preview = api.post(BULK, {**body, "dry_run": True}, format="json").json()
    services.account_open(actor=personas.company, person=station_a2[0])  # someone else, meanwhile
    response = api.post(BULK, {**body, "signature": preview["signature"]}, format="json")
    assert response.status_code == 400
    assert "数据已变化" in response.json()["non_field_errors"][0]
    assert User.objects.count() == 7  # the personas and the one opened meanwhile


def test_a_bulk_opening_is_all_or_nothing(api, personas, tree, station_a2, monkeypatch):
    def fail_midway(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(opening, "_grant_member_role", fail_midway)  # after users and codes
    login(api, personas.company)
    with pytest.raises(RuntimeError):
        api.post(BULK, {"within": tree.station_a2.pk}, format="json")
    assert User.objects.count() == 6
    assert not ActivationCode.objects.exists()
    assert not AccountList.objects.exists()
    assert not Person.objects.filter(user__isnull=False).exclude(name="张三").exists()


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"within": "x"},
        {"within": 1, "membership_status": "cadre"},
        {"within": 1, "dry_run": "maybe"},
    ],
)
def test_a_bad_bulk_body_is_400(api, personas, tree, body):
    login(api, personas.company)
    if body.get("within") == 1:
        body = {**body, "within": tree.company.pk}
    assert api.post(BULK, body, format="json").status_code == 400


def test_a_bulk_opening_outside_the_scope_is_404(api, personas, tree, people):
    login(api, personas.secretary_a)
    for org in (tree.station_b1, tree.county_a, tree.station_a2):
        response = api.post(BULK, {"within": org.pk, "dry_run": True}, format="json")
        assert response.status_code == 404
    assert api.post(BULK, {"within": tree.station_b1.pk}, format="json").status_code == 404
    assert not Person.objects.filter(user__isnull=False).exclude(name="张三").exists()


# --- managing -----------------------------------------------------------------------------------


def test_deactivate_and_reactivate(api, personas, accounts):
    account = accounts.li_si
    _token, key = api_token_issue(user=account, name="脚本")
    login(api, personas.secretary_a)
    response = api.post(users_url(account.pk, "deactivate"), {"reason": "调离"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["is_active"] is False
    account.refresh_from_db()
    assert not account.is_active
    assert not ApiToken.objects.filter(user=account).exists()
    entry = LogEntry.objects.get_for_object(account).latest("timestamp")
    assert entry.additional_data["reason"] == "调离"

    response = api.post(users_url(account.pk, "reactivate"), format="json")
    assert response.status_code == 200
    assert response.json()["is_active"] is True
    account.refresh_from_db()
    assert account.is_active


def test_one_who_has_left_is_not_reactivated(
    api, personas, people, accounts, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        people.li_si.status = "resigned"
        people.li_si.save()
    accounts.li_si.refresh_from_db()
    assert not accounts.li_si.is_active  # closed when the person left
    login(api, personas.secretary_a)
    response = api.post(users_url(accounts.li_si.pk, "reactivate"), format="json")
    assert response.status_code == 400
    assert "离职" in response.json()["non_field_errors"][0]
    accounts.li_si.refresh_from_db()
    assert not accounts.li_si.is_active


def test_a_reset_gives_a_new_code_and_the_old_password_stops_working(api, personas, accounts):
    account = accounts.zhang_san  # the member persona: has a password and no code
    login(api, personas.secretary_a)
    response = api.post(users_url(account.pk, "reset"), format="json")
    assert response.status_code == 200, response.content
    code = response.json()["activation_code"]
    account.refresh_from_db()
    assert not account.has_usable_password()
    assert activate(api, account.username, code).status_code == 200
    account.refresh_from_db()
    assert account.check_password(PASSWORD)


def test_a_deactivated_account_is_not_reset(api, personas, accounts):
    services.account_deactivate(actor=personas.company, user=accounts.li_si)
    login(api, personas.secretary_a)
    response = api.post(users_url(accounts.li_si.pk, "reset"), format="json")
    assert response.status_code == 400
    assert response.json()["non_field_errors"] == ["账号已停用，请先启用。"]


def test_unlock_lifts_the_lockout(api, personas, accounts):
    account = accounts.zhang_san
    _lock(api, account.username)
    login(api, personas.secretary_a)
    assert api.get(users_url(account.pk)).json()["locked"] is True
    response = api.post(users_url(account.pk, "unlock"), format="json")
    assert response.status_code == 200
    assert response.json()["locked"] is False
    api.logout()
    token = api.post(
        "/api/v1/auth/token/", {"username": account.username, "password": "bastion-test"}
    )
    assert token.status_code == 200, token.content


def test_the_last_root_administrator_cannot_be_deactivated(api, personas, tree):
    # The company persona manages accounts on the root without administering it; the only
    # party_department holder there is another account, with its person in the company.
    keeper = Role.objects.create(
        code="account_keeper",
        name="账号管理员",
        permissions=["accounts.view_account", "accounts.change_account"],
    )
    RoleAssignment.objects.filter(user=personas.company).delete()
    RoleAssignment.objects.create(user=personas.company, role=keeper, organization=tree.company)
    admin = UserFactory(username="p_admin")
    PersonFactory(name="党建部主任", organization=tree.company, user=admin)
    grant(admin, "party_department", tree.company)
    login(api, personas.company)
    response = api.post(users_url(admin.pk, "deactivate"), format="json")
    assert response.status_code == 400
    assert response.json()["non_field_errors"] == ["这是最后一个能管理顶级组织的账号，不能停用。"]
    admin.refresh_from_db()
    assert admin.is_active


def test_nobody_deactivates_their_own_account(api, personas, tree, people):
    people.county_clerk.user = personas.county
    people.county_clerk.save()
    login(api, personas.county)
    response = api.post(users_url(personas.county.pk, "deactivate"), format="json")
    assert response.status_code == 400
    assert response.json()["non_field_errors"] == ["不能停用自己的账号。"]


# --- activation ---------------------------------------------------------------------------------


def test_activation_sets_the_password_once(api, personas, people):
    opened = services.account_open(actor=personas.secretary_a, person=people.li_si)
    username = opened.user.username
    response = activate(api, username, opened.code.lower())
    assert response.status_code == 200, response.content
    assert response.json() == {"username": username}
    token = api.post("/api/v1/auth/token/", {"username": username, "password": PASSWORD})
    assert token.status_code == 200

    again = activate(api, username, opened.code, password="Another-2026-pw")
    assert again.status_code == 400
    assert "激活码" in again.json()["code"][0]
    opened.user.refresh_from_db()
    assert opened.user.check_password(PASSWORD)


def test_a_weak_password_is_refused_on_the_password_field(api, personas, people):
    opened = services.account_open(actor=personas.secretary_a, person=people.li_si)
    response = activate(api, opened.user.username, opened.code, password="123")
    assert response.status_code == 400
    assert response.json()["password"]
    assert activate(api, opened.user.username, opened.code).status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"username": "nobody", "code": "ABCD-EFGH", "password": PASSWORD},
        {"username": "x", "code": "y"},
        {"username": "a\x00b", "code": "ABCD-EFGH", "password": PASSWORD},
    ],
)
def test_bad_activations_are_400(api, db, body):
    assert api.post(ACTIVATE, body, format="json").status_code == 400


# --- me -----------------------------------------------------------------------------------------


def test_me_shows_the_person_name_and_organization(api, personas, accounts):
    api.force_login(accounts.li_si)
    body = api.get("/api/v1/me/").json()
    assert body["display_name"] == "李四"
    assert body["person"]["name"] == "李四"
    assert body["person"]["organization_name"] == "A1供电所党支部"
    assert body["username"] == accounts.li_si.username


def test_me_without_a_person_shows_the_username(api, personas):
    api.force_login(personas.outsider)
    body = api.get("/api/v1/me/").json()
    assert body["display_name"] == "p_outsider"
    assert body["person"] is None


# --- schema -------------------------------------------------------------------------------------

ACCOUNT_PATHS = {
    "/api/v1/users/",
    "/api/v1/users/{id}/",
    "/api/v1/users/bulk-open/",
    "/api/v1/users/{id}/deactivate/",
    "/api/v1/users/{id}/reactivate/",
    "/api/v1/users/{id}/reset/",
    "/api/v1/users/{id}/unlock/",
    "/api/v1/auth/activate/",
}


def test_every_account_path_is_documented_in_chinese(api_schema):
    assert set(api_schema["paths"]) >= ACCOUNT_PATHS
    for path in ACCOUNT_PATHS:
        for operation in api_schema["paths"][path].values():
            assert any("\u4e00" <= ch <= "\u9fff" for ch in operation["summary"]), path
            assert "queryset" not in operation.get("description", ""), path
    assert api_schema["paths"]["/api/v1/auth/activate/"]["post"].get("security", []) in ([], [{}])
    components = api_schema["components"]["schemas"]
    assert "members" in components["BulkOpenMembershipEnum"]["enum"]
    assert components["MembershipStatusEnum"]["enum"] == ["full", "probationary", "none"]
