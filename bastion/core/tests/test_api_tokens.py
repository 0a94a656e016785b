"""API tokens (``bastion.core.tokens``): issued anew on each request, shown once, expiring, and
refused once revoked, after a password change, for a deactivated or a locked account."""

import datetime as dt
from importlib import import_module
from types import SimpleNamespace

import pytest
from auditlog.models import LogEntry
from django.apps import apps as django_apps
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from bastion.core.daily import daily_jobs
from bastion.core.testing import login
from bastion.core.tokens import (
    ApiToken,
    active_tokens,
    api_token_issue,
    api_tokens_purge,
    api_tokens_revoke,
    key_digest,
)
from bastion.orgs.tests.factories import UserFactory

TOKEN_URL = "/api/v1/auth/token/"
TOKENS_URL = "/api/v1/auth/tokens/"
PASSWORD = "bastion-test"


def issue(api, username="p_member", **extra):
    response = api.post(TOKEN_URL, {"username": username, "password": PASSWORD, **extra})
    assert response.status_code == 200, response.content
    return response.json()


def client_with(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def me(key: str):
    return client_with(key).get(reverse("api:me"))


def refused(response, words: str) -> bool:
    return response.status_code == 401 and words in response.json()["detail"]


# --- issue and use ------------------------------------------------------------------------------


def test_a_token_is_issued_with_its_expiry_and_only_its_digest_is_stored(api, personas):
    before = timezone.now()
    body = issue(api, name="Excel 同步脚本")
    key = body["token"]
    token = ApiToken.objects.get(user=personas.member)
    assert token.key_digest == key_digest(key) != key
    assert token.prefix == key[:8]
    assert token.name == "Excel 同步脚本"
    assert not ApiToken.objects.filter(key_digest=key).exists()
    expires = dt.datetime.fromisoformat(body["expires_at"])
    assert before + dt.timedelta(days=30) <= expires <= timezone.now() + dt.timedelta(days=30)


def test_the_lifetime_is_a_setting(api, personas, settings):
    settings.BASTION_API_TOKEN_DAYS = 7
    expires = dt.datetime.fromisoformat(issue(api)["expires_at"])
    assert expires - timezone.now() < dt.timedelta(days=7, minutes=1)
    assert expires - timezone.now() > dt.timedelta(days=6, hours=23)


def test_each_request_issues_another_token_and_all_of_them_work(api, personas):
    keys = {issue(api)["token"] for _client in range(3)}
    assert len(keys) == 3
    assert ApiToken.objects.filter(user=personas.member).count() == 3
    for key in keys:
        assert me(key).json()["username"] == "p_member"


def test_a_name_longer_than_the_field_is_400(api, personas):
    body = {"username": "p_member", "password": PASSWORD, "name": "长" * 101}
    response = api.post(TOKEN_URL, body)
    assert response.status_code == 400
    assert "name" in response.json()
    assert not ApiToken.objects.exists()


def test_a_stale_authorization_header_does_not_stop_a_new_token(api, personas):
    api.credentials(HTTP_AUTHORIZATION="Token expired-or-unknown")
    assert issue(api)["token"]


def test_use_stamps_last_used_at_at_most_once_a_minute(api, personas):
    key = issue(api)["token"]
    token = ApiToken.objects.get()
    assert token.last_used_at is None
    assert me(key).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    recent = timezone.now() - dt.timedelta(seconds=30)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=recent)
    me(key)
    token.refresh_from_db()
    assert token.last_used_at == recent
    old = timezone.now() - dt.timedelta(minutes=2)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=old)
    me(key)
    token.refresh_from_db()
    assert token.last_used_at > old + dt.timedelta(minutes=1)


# --- refused ------------------------------------------------------------------------------------


def test_an_unknown_token_is_refused_in_chinese(api, people):
    response = me("0123456789abcdef0123456789abcdef01234567")
    assert refused(response, "令牌无效")
    assert response["WWW-Authenticate"] == "Token"


def test_a_header_without_a_key_is_refused(api, people):
    api.credentials(HTTP_AUTHORIZATION="Token")
    assert api.get(reverse("api:me")).status_code == 401


def test_an_expired_token_is_refused(api, personas):
    key = issue(api)["token"]
    ApiToken.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert refused(me(key), "过期")


def test_a_password_change_kills_every_older_token(api, personas):
    old_keys = [issue(api)["token"], issue(api)["token"]]
    personas.member.set_password("a-new-long-passphrase")
    personas.member.save()
    for key in old_keys:
        assert refused(me(key), "密码已修改")
    body = {"username": "p_member", "password": "a-new-long-passphrase"}
    new_key = api.post(TOKEN_URL, body).json()["token"]
    assert me(new_key).status_code == 200
    assert list(active_tokens(personas.member)) == [ApiToken.objects.for_key(new_key).get()]


def test_a_password_changed_on_the_account_page_kills_tokens(api, client, personas):
    key = issue(api)["token"]
    login(client, personas.member)
    new = "another-long-passphrase"
    form = {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    assert client.post(reverse("password_change"), form).status_code == 302
    assert refused(me(key), "密码已修改")


def test_a_deactivated_account_is_refused(api, personas):
    key = issue(api)["token"]
    personas.member.is_active = False
    personas.member.save()
    assert refused(me(key), "停用")
    assert list(active_tokens(personas.member)) == []


def test_a_locked_account_is_refused_through_the_token_endpoint(api, personas):
    key = issue(api)["token"]
    for _attempt in range(5):
        api.post(TOKEN_URL, {"username": "p_member", "password": "wrong"})
    assert refused(me(key), "锁定")


def test_a_locked_account_is_refused_after_failures_on_the_login_page(api, client, personas):
    key = issue(api, username="p_county")["token"]
    for _attempt in range(5):
        client.post(reverse("login"), {"username": "p_county", "password": "bad"})
    assert refused(me(key), "锁定")
    other = issue(api, username="p_member")["token"]  # the lockout is per account
    assert me(other).status_code == 200


# --- revoke -------------------------------------------------------------------------------------


def test_delete_revokes_the_calling_token_only(api, personas):
    calling, other = issue(api)["token"], issue(api)["token"]
    response = client_with(calling).delete(TOKEN_URL)
    assert response.status_code == 204
    assert refused(me(calling), "令牌无效")
    assert me(other).status_code == 200
    assert LogEntry.objects.filter(action=LogEntry.Action.DELETE).count() == 1


def test_delete_without_a_token_is_401(api, personas):
    assert api.delete(TOKEN_URL).status_code == 401
    login(api, personas.member)  # a session is not a token: nothing to revoke
    assert api.delete(TOKEN_URL).status_code == 401


def test_the_list_shows_the_callers_active_tokens_without_keys(api, personas):
    key = issue(api, name="脚本A")["token"]
    issue(api, name="过期的")
    ApiToken.objects.filter(name="过期的").update(expires_at=timezone.now())
    issue(api, username="p_county")
    rows = client_with(key).get(TOKENS_URL).json()["results"]
    assert [row["name"] for row in rows] == ["脚本A"]
    assert set(rows[0]) == {"id", "name", "prefix", "created_at", "expires_at", "last_used_at"}
    assert rows[0]["prefix"] == key[:8]
    assert key not in str(rows)


@pytest.mark.parametrize("persona", ["company", "county", "secretary_a", "member", "outsider"])
def test_every_persona_lists_and_revokes_only_their_own(api, personas, persona):
    user = getattr(personas, persona)
    own, _key = api_token_issue(user=user)
    foreign, _key = api_token_issue(user=personas.secretary_b)
    login(api, user)
    assert [row["id"] for row in api.get(TOKENS_URL).json()["results"]] == [own.pk]
    assert api.delete(f"{TOKENS_URL}{foreign.pk}/").status_code == 404
    assert ApiToken.objects.filter(pk=foreign.pk).exists()
    assert api.delete(f"{TOKENS_URL}{own.pk}/").status_code == 204
    assert not ApiToken.objects.filter(pk=own.pk).exists()


def test_revoking_all_of_a_users_tokens_is_audited_with_the_reason(api, personas):
    keys = [issue(api)["token"], issue(api)["token"]]
    kept = issue(api, username="p_county")["token"]
    assert api_tokens_revoke(user=personas.member, reason="deactivated") == 2
    assert all(refused(me(key), "令牌无效") for key in keys)
    assert me(kept).status_code == 200
    reasons = LogEntry.objects.filter(action=LogEntry.Action.DELETE).values_list(
        "changes", flat=True
    )
    assert len(reasons) == 2
    assert all("deactivated" in str(changes) for changes in reasons)


# --- the account page ---------------------------------------------------------------------------


def test_the_account_page_lists_tokens_and_revokes_one(client, personas):
    token, key = api_token_issue(user=personas.member, name="Excel 同步脚本")
    login(client, personas.member)
    page = client.get(reverse("account")).content.decode()
    assert "API 令牌" in page and "Excel 同步脚本" in page and f"{token.prefix}…" in page
    assert key not in page
    url = reverse("api_token_revoke", args=[token.pk])
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    assert not ApiToken.objects.filter(pk=token.pk).exists()


def test_the_account_page_cannot_revoke_someone_elses_token(client, personas):
    token, _key = api_token_issue(user=personas.county)
    login(client, personas.member)
    assert client.post(reverse("api_token_revoke", args=[token.pk])).status_code == 404
    assert ApiToken.objects.filter(pk=token.pk).exists()


# --- the daily cleanup --------------------------------------------------------------------------


def test_the_daily_job_drops_expired_and_dead_tokens(personas):
    live, _key = api_token_issue(user=personas.member)
    expired, _key = api_token_issue(user=personas.member)
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now())
    dead, _key = api_token_issue(user=personas.county)
    personas.county.set_password("changed-long-passphrase")
    personas.county.save()
    assert "bastion.core.tokens.api_tokens_purge" in dict(daily_jobs())
    result = api_tokens_purge(today=timezone.localdate())
    assert result == {"expired": 1, "password_changed": 1}
    assert list(ApiToken.objects.all()) == [live]


# --- DRF tokens from before ---------------------------------------------------------------------

MIGRATION = import_module("bastion.core.migrations.0004_apitoken")
OLD_KEY = "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"


def create_drf_token_table(user) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            'CREATE TABLE authtoken_token ("key" varchar(40) NOT NULL PRIMARY KEY, '
            '"created" timestamp NOT NULL, "user_id" bigint NOT NULL UNIQUE)'
        )
        cursor.execute(
            'INSERT INTO authtoken_token ("key", "created", "user_id") VALUES (%s, %s, %s)',
            [OLD_KEY, timezone.now(), user.pk],
        )


def test_old_drf_tokens_are_copied_as_digests_and_their_table_dropped(personas):
    create_drf_token_table(personas.secretary_a)
    editor = SimpleNamespace(connection=connection)
    assert MIGRATION.copy_drf_tokens(django_apps, editor) == 1
    token = ApiToken.objects.for_key(OLD_KEY).get()
    assert (token.user, token.prefix) == (personas.secretary_a, OLD_KEY[:8])
    assert token.expires_at - timezone.now() > dt.timedelta(days=29)
    with connection.cursor() as cursor:
        assert "authtoken_token" not in connection.introspection.table_names(cursor)
    assert me(OLD_KEY).json()["username"] == "p_secretary_a"


def test_the_copy_does_nothing_without_the_old_table(db):
    UserFactory(username="someone")
    assert MIGRATION.copy_drf_tokens(django_apps, SimpleNamespace(connection=connection)) == 0
    assert not ApiToken.objects.exists()


# --- the schema ---------------------------------------------------------------------------------


def test_the_schema_documents_the_token_routes(api_schema):
    paths = api_schema["paths"]
    assert set(paths["/api/v1/auth/token/"]) == {"post", "delete"}
    assert set(paths["/api/v1/auth/tokens/"]) == {"get"}
    assert set(paths["/api/v1/auth/tokens/{id}/"]) == {"delete"}
    assert paths["/api/v1/auth/token/"]["delete"]["summary"] == "撤销当前令牌"
