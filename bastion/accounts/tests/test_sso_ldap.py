"""Sign-in through the company directory (LDAP / Active Directory), against a real slapd started
by the tests: the directory checks the password, the 工号 attribute names the person."""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from bastion.accounts.sso_settings import LDAP_BACKEND, sso_settings
from bastion.orgs.tests.factories import PersonFactory, UserFactory

from .sso_servers import directory  # noqa: F401  (the slapd fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("sso")]

User = get_user_model()


@pytest.fixture
def ldap_on(settings, directory):  # noqa: F811
    """LDAP turned on as an operator would, through the environment."""

    def turn_on(**environ):
        configured = sso_settings(
            directory.environ(**environ),
            installed_apps=settings.INSTALLED_APPS,
            backends=settings.AUTHENTICATION_BACKENDS,
        )
        configured.pop("INSTALLED_APPS")  # LDAP adds no app; leave the registry alone
        for name, value in configured.items():
            setattr(settings, name, value)
        return directory

    return turn_on


@pytest.fixture
def member(tree):
    return PersonFactory(
        name="林一", employee_no="D1001", organization=tree.station_a1, membership_status="full"
    )


def sign_in(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def signed_in_user(client):
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


def test_directory_sign_in_lands_on_the_persons_new_account(client, ldap_on, member):
    server = ldap_on()
    server.add_person("lin.yi", "directory-pass-1", employee_no="D1001")

    response = sign_in(client, "lin.yi", "directory-pass-1")

    assert response.status_code == 302, response.content.decode()[:2000]
    member.refresh_from_db()
    assert member.user is not None
    assert signed_in_user(client) == member.user
    assert client.session["_auth_user_backend"] == LDAP_BACKEND
    # No account named after the directory login: the person's account is the only one.
    assert not User.objects.filter(username="lin.yi").exists()
    # The next request finds the account through the backend the session names.
    assert client.get(reverse("password_change")).status_code == 200


def test_directory_sign_in_uses_the_account_the_person_has(client, ldap_on, member):
    member.user = UserFactory(username="D1001")
    member.save()
    server = ldap_on()
    server.add_person("lin.yi.2", "directory-pass-2", employee_no=" D1001 ")

    assert sign_in(client, "lin.yi.2", "directory-pass-2").status_code == 302
    assert signed_in_user(client) == member.user


def test_unmatched_directory_account_is_refused_with_a_chinese_message(client, ldap_on, member):
    server = ldap_on()
    server.add_person("stranger", "directory-pass-3", employee_no="D9999")
    users_before = User.objects.count()

    response = sign_in(client, "stranger", "directory-pass-3")

    assert response.status_code == 200
    page = response.content.decode()
    assert "统一身份认证账号（工号 D9999）在堡垒中没有对应人员" in page
    assert "用户名或密码不正确" not in page
    assert signed_in_user(client) is None
    assert User.objects.count() == users_before


def test_directory_entry_without_employee_number_is_refused(client, ldap_on, member):
    server = ldap_on()
    server.add_person("no.number", "directory-pass-4")

    response = sign_in(client, "no.number", "directory-pass-4")

    assert response.status_code == 200
    assert "没有提供您的工号（employeeNumber）" in response.content.decode()
    assert signed_in_user(client) is None


def test_person_who_left_is_refused(client, ldap_on, member):
    member.status = "transferred"
    member.save()
    server = ldap_on()
    server.add_person("left.one", "directory-pass-5", employee_no="D1001")

    response = sign_in(client, "left.one", "directory-pass-5")

    assert response.status_code == 200
    assert "工号 D1001" in response.content.decode()
    assert signed_in_user(client) is None
    member.refresh_from_db()
    assert member.user is None


def test_deactivated_account_is_refused(client, ldap_on, member):
    member.user = UserFactory(username="D1001", is_active=False)
    member.save()
    server = ldap_on()
    server.add_person("stopped", "directory-pass-6", employee_no="D1001")

    response = sign_in(client, "stopped", "directory-pass-6")

    assert response.status_code == 200
    assert "已停用" in response.content.decode()
    assert signed_in_user(client) is None


def test_wrong_directory_password_is_refused_as_any_wrong_password(client, ldap_on, member):
    server = ldap_on()
    server.add_person("lin.yi.3", "directory-pass-7", employee_no="D1001")

    response = sign_in(client, "lin.yi.3", "not-the-password")

    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()
    assert signed_in_user(client) is None
    member.refresh_from_db()
    assert member.user is None


def test_the_employee_attribute_is_a_setting(client, ldap_on, member):
    server = ldap_on(BASTION_LDAP_EMPLOYEE_ATTR="employeeType")
    server.add_person("typed", "directory-pass-8", employee_no="D9998", employeeType="D1001")

    assert sign_in(client, "typed", "directory-pass-8").status_code == 302
    member.refresh_from_db()
    assert signed_in_user(client) == member.user


def test_local_sign_in_stays_for_administrators(client, ldap_on):
    ldap_on()
    admin = UserFactory(username="local-admin", is_superuser=True, is_staff=True)

    response = sign_in(client, "local-admin", "bastion-test")

    assert response.status_code == 302
    assert signed_in_user(client) == admin
    assert client.session["_auth_user_backend"] == "django.contrib.auth.backends.ModelBackend"


def test_login_page_says_directory_passwords_work(client, ldap_on):
    page = client.get(reverse("login")).content.decode()
    assert "公司域账号" not in page
    ldap_on()
    assert "公司域账号" in client.get(reverse("login")).content.decode()


def test_ldap_is_off_unless_the_environment_configures_it(settings):
    configured = sso_settings({}, installed_apps=["a"], backends=["b"])
    assert configured["BASTION_SSO_LDAP"] is False
    assert configured["AUTHENTICATION_BACKENDS"] == ["b"]
    assert LDAP_BACKEND not in settings.AUTHENTICATION_BACKENDS or settings.BASTION_SSO_LDAP


def test_half_configured_ldap_fails_at_start_up():
    with pytest.raises(ImproperlyConfigured, match="BASTION_LDAP_USER_SEARCH_BASE"):
        sso_settings({"BASTION_LDAP_URL": "ldap://127.0.0.1:1"}, installed_apps=[], backends=[])
