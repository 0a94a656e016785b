"""The login page's single sign-on parts: which identity services are on, and a refusal."""

from types import SimpleNamespace
from urllib.parse import urlencode

from django import template
from django.conf import settings
from django.urls import NoReverseMatch, reverse

from ..sso import REFUSAL_ATTRIBUTE

register = template.Library()


@register.simple_tag(takes_context=True)
def sso_sign_in(context):
    """``ldap``: the form also takes directory passwords; ``oidc_url``: where the 统一身份认证登录
    button goes (empty when OpenID Connect is off); ``refusal``: why the directory refused."""
    request = context.get("request")
    return SimpleNamespace(
        ldap=getattr(settings, "BASTION_SSO_LDAP", False),
        oidc_url=_oidc_url(context.get("next")),
        refusal=getattr(request, REFUSAL_ATTRIBUTE, ""),
    )


def _oidc_url(next_url: str | None) -> str:
    if not getattr(settings, "BASTION_SSO_OIDC", False):
        return ""
    try:
        url = reverse("oidc_authentication_init")
    except NoReverseMatch:  # the URLs were loaded before OpenID Connect was turned on
        return ""
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url
