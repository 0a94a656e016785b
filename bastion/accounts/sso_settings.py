"""Single sign-on settings, read from the environment (both off unless configured).

``bastion/settings.py`` calls :func:`apply_sso_settings` with its namespace. LDAP is on when
``BASTION_LDAP_URL`` is set, OpenID Connect when ``BASTION_OIDC_CLIENT_ID`` is set; docs/sso.md
lists every variable. Local sign-in (ModelBackend, with django-axes in front) always stays first,
so administrators can sign in while the identity service is down.

This module is imported by the settings: it imports nothing from Django's app registry.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

LDAP_BACKEND = "bastion.accounts.sso_ldap.PersonLDAPBackend"
OIDC_BACKEND = "bastion.accounts.sso_oidc.PersonOIDCBackend"
TRUE = {"1", "true", "yes", "on"}


OIDC_ENDPOINTS = (
    "BASTION_OIDC_AUTHORIZATION_ENDPOINT",
    "BASTION_OIDC_TOKEN_ENDPOINT",
    "BASTION_OIDC_USERINFO_ENDPOINT",
    "BASTION_OIDC_JWKS_ENDPOINT",
)


def _require(environ: Mapping[str, str], names) -> None:
    """A half-configured identity service fails at start-up, not at someone's sign-in."""
    from django.core.exceptions import ImproperlyConfigured

    missing = [name for name in names if not environ.get(name, "").strip()]
    if missing:
        raise ImproperlyConfigured("Single sign-on needs " + ", ".join(missing))


def _bool(environ: Mapping[str, str], name: str, default: bool) -> bool:
    return environ.get(name, str(default)).strip().lower() in TRUE


def ldap_settings(environ: Mapping[str, str]) -> dict:
    """django-auth-ldap's settings for a directory (Active Directory by default)."""
    import ldap
    from django_auth_ldap.config import LDAPSearch

    _require(environ, ["BASTION_LDAP_USER_SEARCH_BASE"])
    user_filter = environ.get("BASTION_LDAP_USER_FILTER", "(sAMAccountName=%(user)s)")
    timeout = float(environ.get("BASTION_LDAP_TIMEOUT", "5"))
    return {
        "AUTH_LDAP_SERVER_URI": environ["BASTION_LDAP_URL"],
        "AUTH_LDAP_BIND_DN": environ.get("BASTION_LDAP_BIND_DN", ""),
        "AUTH_LDAP_BIND_PASSWORD": environ.get("BASTION_LDAP_BIND_PASSWORD", ""),
        "AUTH_LDAP_USER_SEARCH": LDAPSearch(
            environ["BASTION_LDAP_USER_SEARCH_BASE"], ldap.SCOPE_SUBTREE, user_filter
        ),
        "AUTH_LDAP_START_TLS": _bool(environ, "BASTION_LDAP_START_TLS", False),
        # Active Directory answers searches at the domain root with referrals the client must
        # not chase; a directory that does not answer must not hold the login page for long.
        "AUTH_LDAP_CONNECTION_OPTIONS": {
            ldap.OPT_REFERRALS: 0,
            ldap.OPT_NETWORK_TIMEOUT: timeout,
            ldap.OPT_TIMEOUT: timeout,
        },
        "BASTION_LDAP_EMPLOYEE_ATTR": environ.get("BASTION_LDAP_EMPLOYEE_ATTR", "employeeNumber"),
    }


def oidc_settings(environ: Mapping[str, str]) -> dict:
    """mozilla-django-oidc's settings: the endpoints come from the provider's discovery
    document (``/.well-known/openid-configuration``)."""
    _require(environ, OIDC_ENDPOINTS)
    verify = environ.get("BASTION_OIDC_VERIFY_SSL", "true").strip()
    if verify.lower() in TRUE | {"false", "0", "no", "off"}:
        verify = verify.lower() in TRUE  # otherwise the path of a CA bundle
    return {
        "OIDC_RP_CLIENT_ID": environ["BASTION_OIDC_CLIENT_ID"],
        "OIDC_RP_CLIENT_SECRET": environ.get("BASTION_OIDC_CLIENT_SECRET", ""),
        "OIDC_OP_AUTHORIZATION_ENDPOINT": environ["BASTION_OIDC_AUTHORIZATION_ENDPOINT"],
        "OIDC_OP_TOKEN_ENDPOINT": environ["BASTION_OIDC_TOKEN_ENDPOINT"],
        "OIDC_OP_USER_ENDPOINT": environ["BASTION_OIDC_USERINFO_ENDPOINT"],
        "OIDC_OP_JWKS_ENDPOINT": environ["BASTION_OIDC_JWKS_ENDPOINT"],
        "OIDC_RP_SIGN_ALGO": environ.get("BASTION_OIDC_SIGN_ALGO", "RS256"),
        "OIDC_RP_SCOPES": environ.get("BASTION_OIDC_SCOPES", "openid profile"),
        "OIDC_TOKEN_USE_BASIC_AUTH": _bool(environ, "BASTION_OIDC_TOKEN_BASIC_AUTH", False),
        "OIDC_VERIFY_SSL": verify,
        "OIDC_TIMEOUT": float(environ.get("BASTION_OIDC_TIMEOUT", "10")),
        "OIDC_USE_PKCE": True,
        "OIDC_CREATE_USER": False,
        "OIDC_CALLBACK_CLASS": "bastion.accounts.sso_oidc.SignInCallbackView",
        "LOGIN_REDIRECT_URL_FAILURE": "login",
        "BASTION_OIDC_EMPLOYEE_CLAIM": environ.get(
            "BASTION_OIDC_EMPLOYEE_CLAIM", "employee_number"
        ),
    }


def sso_settings(
    environ: Mapping[str, str], *, installed_apps: list, backends: list
) -> dict[str, object]:
    """The settings to add for what ``environ`` turns on, with the extended app and backend
    lists; ``BASTION_SSO_LDAP`` and ``BASTION_SSO_OIDC`` tell the login page and the URLs."""
    ldap_on = bool(environ.get("BASTION_LDAP_URL", "").strip())
    oidc_on = bool(environ.get("BASTION_OIDC_CLIENT_ID", "").strip())
    result: dict[str, object] = {"BASTION_SSO_LDAP": ldap_on, "BASTION_SSO_OIDC": oidc_on}
    backends = list(backends)
    installed_apps = list(installed_apps)
    if ldap_on:
        result.update(ldap_settings(environ))
        backends.append(LDAP_BACKEND)
    if oidc_on:
        result.update(oidc_settings(environ))
        backends.append(OIDC_BACKEND)
        installed_apps.append("mozilla_django_oidc")
    result["AUTHENTICATION_BACKENDS"] = backends
    result["INSTALLED_APPS"] = installed_apps
    return result


def apply_sso_settings(namespace: dict, environ: Mapping[str, str] | None = None) -> None:
    """Update a settings module's namespace (``globals()``) from the environment."""
    namespace.update(
        sso_settings(
            os.environ if environ is None else environ,
            installed_apps=namespace["INSTALLED_APPS"],
            backends=namespace["AUTHENTICATION_BACKENDS"],
        )
    )
