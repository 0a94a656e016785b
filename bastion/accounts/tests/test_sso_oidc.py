"""Sign-in through the company's OpenID Connect provider, against a real provider started by the
tests (panva's certified oidc-provider): the whole authorization-code flow with PKCE, RS256 ID
tokens checked against the provider's JWKS, and the 工号 claim naming the person."""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from bastion.accounts.sso_settings import OIDC_BACKEND, sso_settings
from bastion.orgs.tests.factories import PersonFactory, UserFactory

from .sso_servers import oidc_provider, sign_in_at_provider  # noqa: F401  (the provider fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("sso")]

User = get_user_model()


@pytest.fixture
def oidc_on(settings, oidc_provider):  # noqa: F811
    """OpenID Connect turned on as an operator would, with the endpoints of the discovery
    document in the environment."""

    def turn_on(**environ):
        configured = sso_settings(
            oidc_provider.environ(**environ),
            installed_apps=settings.INSTALLED_APPS,
            backends=settings.AUTHENTICATION_BACKENDS,
        )
        # mozilla_django_oidc has no models or templates: the app registry can stay as it is.
        configured.pop("INSTALLED_APPS")
        for name, value in configured.items():
            setattr(settings, name, value)
        settings.ROOT_URLCONF = "bastion.accounts.tests.urls_sso"
        return oidc_provider

    return turn_on


@pytest.fixture
def member(tree):
    return PersonFactory(
        name="周二", employee_no="E2001", organization=tree.station_a1, membership_status="full"
    )


def signed_in_user(client):
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


def refusal_page(client, response) -> str:
    """Where a refused sign-in lands: the login page, with the reason."""
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    return client.get(response["Location"]).content.decode()


def test_login_page_offers_the_identity_service(client, oidc_on):
    page = client.get(reverse("login")).content.decode()
    assert "统一身份认证登录" not in page
    oidc_on()
    page = client.get(reverse("login"), {"next": "/tasks/"}).content.decode()
    assert "统一身份认证登录" in page
    assert "/oidc/authenticate/?next=%2Ftasks%2F" in page


def test_provider_sign_in_lands_on_the_persons_new_account(client, oidc_on, member):
    oidc_on()

    response = sign_in_at_provider(client, "E2001")

    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == reverse("home")
    member.refresh_from_db()
    assert member.user is not None
    assert signed_in_user(client) == member.user
    assert client.session["_auth_user_backend"] == OIDC_BACKEND
    assert (
        not User.objects.filter(username__in=["E2001@oidc", "周二"])
        .exclude(pk=member.user.pk)
        .exists()
    )
    # The next request finds the account through the backend the session names.
    assert client.get(reverse("password_change")).status_code == 200


def test_provider_sign_in_uses_the_account_the_person_has(client, oidc_on, member):
    member.user = UserFactory(username="zhou-er")
    member.save()
    oidc_on()

    assert sign_in_at_provider(client, "E2001").status_code == 302
    assert signed_in_user(client) == member.user


def test_unmatched_provider_account_is_refused_with_a_chinese_message(client, oidc_on, member):
    oidc_on()
    users_before = User.objects.count()

    page = refusal_page(client, sign_in_at_provider(client, "E9999"))

    assert "统一身份认证账号（工号 E9999）在堡垒中没有对应人员" in page
    assert signed_in_user(client) is None
    assert User.objects.count() == users_before


def test_provider_without_the_employee_claim_is_refused(client, oidc_on, member):
    oidc_on()

    page = refusal_page(client, sign_in_at_provider(client, "no-employee-1"))

    assert "没有提供您的工号（employee_number）" in page
    assert signed_in_user(client) is None


def test_person_who_left_is_refused(client, oidc_on, member):
    member.status = "resigned"
    member.save()
    oidc_on()

    page = refusal_page(client, sign_in_at_provider(client, "E2001"))

    assert "工号 E2001" in page
    assert signed_in_user(client) is None


def test_deactivated_account_is_refused(client, oidc_on, member):
    member.user = UserFactory(username="zhou-er", is_active=False)
    member.save()
    oidc_on()

    page = refusal_page(client, sign_in_at_provider(client, "E2001"))

    assert "已停用" in page
    assert signed_in_user(client) is None


def test_sign_in_abandoned_at_the_provider_comes_back_with_a_message(client, oidc_on):
    oidc_on()

    response = client.get("/oidc/callback/", {"error": "access_denied", "state": "x"})

    assert "统一身份认证登录没有完成" in refusal_page(client, response)
    assert signed_in_user(client) is None


def test_the_employee_claim_is_a_setting(client, oidc_on, member):
    # The provider's "sub" is the login name too: a company may carry the 工号 there.
    oidc_on(BASTION_OIDC_EMPLOYEE_CLAIM="sub")

    assert sign_in_at_provider(client, "E2001").status_code == 302
    member.refresh_from_db()
    assert signed_in_user(client) == member.user


def test_local_sign_in_stays_for_administrators(client, oidc_on):
    oidc_on()
    admin = UserFactory(username="local-admin", is_superuser=True, is_staff=True)

    response = client.post(
        reverse("login"), {"username": "local-admin", "password": "bastion-test"}
    )

    assert response.status_code == 302
    assert signed_in_user(client) == admin


def test_oidc_is_off_unless_the_environment_configures_it(client, settings):
    configured = sso_settings({}, installed_apps=["a"], backends=["b"])
    assert configured["BASTION_SSO_OIDC"] is False
    assert configured["INSTALLED_APPS"] == ["a"]
    if not settings.BASTION_SSO_OIDC:
        assert client.get("/oidc/authenticate/").status_code == 404


def test_half_configured_oidc_fails_at_start_up():
    with pytest.raises(ImproperlyConfigured, match="BASTION_OIDC_TOKEN_ENDPOINT"):
        sso_settings({"BASTION_OIDC_CLIENT_ID": "x"}, installed_apps=[], backends=[])
