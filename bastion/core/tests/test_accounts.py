"""Login, lockout, logout, password change and the login log."""

import pytest
from django.urls import reverse

from bastion.core.models import SecurityEvent


def login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_login_page_speaks_chinese(client, db):
    html = client.get(reverse("login")).content.decode()
    assert "登录您的账号" in html
    assert 'lang="zh-hans"' in html


def test_successful_login_is_recorded(client, personas):
    response = login(client, "p_secretary_a", "bastion-test")
    assert response.status_code == 302
    event = SecurityEvent.objects.get(username="p_secretary_a")
    assert event.kind == SecurityEvent.Kind.LOGIN
    assert event.user == personas.secretary_a


def test_failed_login_is_recorded_with_a_chinese_message(client, personas):
    response = login(client, "p_secretary_a", "wrong")
    assert "用户名或密码不正确" in response.content.decode()
    assert SecurityEvent.objects.filter(kind="failed", username="p_secretary_a").count() == 1


def test_five_failures_lock_the_account_even_with_the_right_password(client, personas):
    for _ in range(5):
        login(client, "p_secretary_a", "wrong")
    response = login(client, "p_secretary_a", "bastion-test")
    assert "账号已临时锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Another account behind the same address is not locked out.
    assert login(client, "p_secretary_b", "bastion-test").status_code == 302


def test_four_failures_then_success_resets_the_counter(client, personas):
    for _ in range(4):
        login(client, "p_member", "wrong")
    assert login(client, "p_member", "bastion-test").status_code == 302


def test_logout_is_recorded(client, personas):
    login(client, "p_member", "bastion-test")
    client.post(reverse("logout"))
    assert SecurityEvent.objects.filter(kind="logout", username="p_member").exists()


def test_password_change_checks_the_old_password(client, personas):
    client.force_login(personas.member)
    url = reverse("password_change")
    response = client.post(
        url,
        {
            "old_password": "nope",
            "new_password1": "Qz7!party-2026",
            "new_password2": "Qz7!party-2026",
        },
    )
    assert "old_password" in response.context["form"].errors
    response = client.post(
        url,
        {
            "old_password": "bastion-test",
            "new_password1": "Qz7!party-2026",
            "new_password2": "Qz7!party-2026",
        },
    )
    assert response.status_code == 302
    personas.member.refresh_from_db()
    assert personas.member.check_password("Qz7!party-2026")


def test_weak_new_password_is_refused(client, personas):
    client.force_login(personas.member)
    response = client.post(
        reverse("password_change"),
        {"old_password": "bastion-test", "new_password1": "12345678", "new_password2": "12345678"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"]


def test_superuser_reads_the_login_log(client, personas, django_user_model):
    login(client, "p_member", "wrong")
    admin = django_user_model.objects.create_superuser("root", password="x-Strong-1")
    client.force_login(admin)
    response = client.get(reverse("security_log"), {"kind": "failed"})
    assert [e.username for e in response.context["page"]] == ["p_member"]


@pytest.mark.parametrize("persona", ["company", "member"])
def test_account_page_lists_own_roles(client, personas, persona):
    client.force_login(getattr(personas, persona))
    response = client.get(reverse("account"))
    assert response.status_code == 200
    assert list(response.context["assignments"])


def test_healthz_is_liveness_only(client, db):  # the database is /readyz's (test_readiness)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
