"""首次登录 with an activation code, 忘记密码, and the manager's answer to it."""

import pytest
from django.urls import reverse

from bastion.accounts import services
from bastion.accounts.models import PasswordHelpRequest
from bastion.core.notifications.models import Notification

from .page_fixtures import STRONG_PASSWORD, help_request_fixture, opened_fixture  # noqa: F401 (fixtures)

ACTIVATE = "accounts:activate"
FORGOT = "accounts:forgot_password"


@pytest.fixture
def fresh(personas, people):
    """李四's account just opened by secretary A: (user, code)."""
    result = services.account_open(actor=personas.secretary_a, person=people.li_si)
    return result.user, result.code


def activate(client, username, code, password=STRONG_PASSWORD, again=None):
    data = {"username": username, "code": code, "password1": password}
    data["password2"] = password if again is None else again
    return client.post(reverse(ACTIVATE), data)


def test_login_page_links_to_activation_and_forgot_password(client, tree):
    html = client.get(reverse("login")).content.decode()
    assert "首次登录（使用激活码）" in html and reverse(ACTIVATE) in html
    assert "忘记密码" in html and reverse(FORGOT) in html


def test_activation_page_fits_a_phone(client, tree):
    response = client.get(reverse(ACTIVATE))
    html = response.content.decode()
    assert 'name="viewport" content="width=device-width' in html
    assert "container-tight" in html
    assert 'autocomplete="one-time-code"' in html
    assert "no-store" in response["Cache-Control"]


def test_activation_sets_the_password_signs_in_and_goes_home(client, fresh):
    user, code = fresh
    response = activate(client, user.username, code.lower())  # typed in lower case, no dash
    assert response.status_code == 302 and response["Location"] == reverse("home")
    user.refresh_from_db()
    assert user.check_password(STRONG_PASSWORD)
    home = client.get(reverse("home"))
    assert home.context["user"] == user
    assert "账号已激活，欢迎您，李四" in home.content.decode()


def test_a_code_used_twice_is_refused_beside_the_code(client, fresh):
    user, code = fresh
    activate(client, user.username, code)
    client.logout()
    response = activate(client, user.username, code, password="Another-pass-2026")
    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    assert "用户名或激活码不正确" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(STRONG_PASSWORD)


def test_a_wrong_code_or_unknown_user_gets_the_same_answer(client, fresh):
    user, _code = fresh
    wrong = activate(client, user.username, "ABCD-EFGH").context["form"].errors["code"]
    unknown = activate(client, "nobody-here", "ABCD-EFGH").context["form"].errors["code"]
    assert wrong == unknown
    user.refresh_from_db()
    assert not user.has_usable_password()


def test_passwords_that_differ_are_refused_beside_the_second(client, fresh):
    user, code = fresh
    response = activate(client, user.username, code, again="Something-else-1")
    assert "两次输入的密码不一致" in response.context["form"].errors["password2"][0]
    user.refresh_from_db()
    assert not user.has_usable_password()
    assert activate(client, user.username, code).status_code == 302  # the code still works


def test_a_weak_password_is_refused_beside_the_password(client, fresh):
    user, code = fresh
    response = activate(client, user.username, code, password="12345678")
    assert response.context["form"].errors["password1"]
    assert "code" not in response.context["form"].errors
    user.refresh_from_db()
    assert not user.has_usable_password()


def test_missing_fields_are_named_in_chinese(client, tree):
    response = client.post(reverse(ACTIVATE), {})
    errors = response.context["form"].errors
    assert set(errors) == {"username", "code", "password1", "password2"}
    assert "该字段是必填项" in response.content.decode()


# --- 忘记密码 ------------------------------------------------------------------------------------


def test_forgot_password_answers_the_same_for_known_and_unknown_usernames(client, opened):
    known = client.post(reverse(FORGOT), {"username": opened.wang_wu.username, "note": "王五"})
    unknown = client.post(reverse(FORGOT), {"username": "no-such-user"})
    sent = "已通知您所在支部的书记"
    assert sent in known.content.decode() and sent in unknown.content.decode()
    request = PasswordHelpRequest.objects.get()
    assert request.user == opened.wang_wu and request.note == "王五"
    assert request.ip_address == "127.0.0.1"


def test_forgot_password_tells_the_branch_managers(client, personas, opened):
    client.post(reverse(FORGOT), {"username": opened.zhao_liu.username})
    told = set(Notification.objects.values_list("recipient__username", flat=True))
    assert "p_secretary_b" in told and "p_secretary_a" not in told


def test_help_list_shows_open_requests_in_the_scope(client, personas, help_request):
    client.force_login(personas.county)
    response = client.get(reverse("accounts:help_list"))
    assert [r.person.name for r in response.context["page"]] == ["王五"]
    assert 'data-testid="help-answer"' in response.content.decode()
    client.force_login(personas.secretary_b)
    assert list(client.get(reverse("accounts:help_list")).context["page"]) == []


def test_answering_shows_a_code_once_that_sets_a_new_password(client, personas, help_request):
    client.force_login(personas.county)
    response = client.post(reverse("accounts:help_answer", args=[help_request.pk]))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    code = response.context["code"]
    assert code in response.content.decode()
    help_request.refresh_from_db()
    assert help_request.state == "answered" and help_request.answered_by == personas.county
    assert list(client.get(reverse("accounts:help_list")).context["page"]) == []
    client.logout()
    assert activate(client, help_request.user.username, code).status_code == 302
    again = client.post(reverse("accounts:help_answer", args=[help_request.pk]))
    assert again.status_code == 404  # signed in as the member now: outside any scope


def test_answering_twice_is_refused_with_a_message(client, personas, help_request):
    client.force_login(personas.county)
    client.post(reverse("accounts:help_answer", args=[help_request.pk]))
    response = client.post(reverse("accounts:help_answer", args=[help_request.pk]))
    assert response.status_code == 302
    assert "该申请已处理" in client.get(response["Location"]).content.decode()
