"""Sign-in through the company's OpenID Connect provider with mozilla-django-oidc.

The provider signs the user in; the 工号 claim of its user info (a setting,
``BASTION_OIDC_EMPLOYEE_CLAIM``) names the person, and the person's account signs in. A refused
sign-in comes back to the login page with the reason.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.shortcuts import resolve_url
from django.utils.translation import gettext as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView

from .sso import REFUSAL_ATTRIBUTE, account_for_employee_no, first_value, remember_refusal


class PersonOIDCBackend(OIDCAuthenticationBackend):
    def authenticate(self, request, **kwargs):
        try:
            return super().authenticate(request, **kwargs)
        except PermissionDenied as exc:
            # The callback redirects to the login page: the message travels with the session.
            remember_refusal(request, exc)
            messages.error(request, str(exc), fail_silently=True)
            raise

    @property
    def claim(self) -> str:
        return settings.BASTION_OIDC_EMPLOYEE_CLAIM

    def verify_claims(self, claims):
        # A provider that gives no 工号 is refused with a message, in filter_users_by_claims.
        return True

    def filter_users_by_claims(self, claims):
        employee_no = first_value(claims.get(self.claim))
        account = account_for_employee_no(employee_no, attribute=self.claim)
        return get_user_model().objects.filter(pk=account.pk)

    def create_user(self, claims):
        # Never reached (filter_users_by_claims finds the account or refuses); an account is
        # never named after the provider's claims.
        raise PermissionDenied(_("统一身份认证不能自行开通账号。"))

    def describe_user_by_claims(self, claims):
        return f"{self.claim} {claims.get(self.claim)}"

    def get_user(self, user_id):
        # As the local backend: a deactivated account is signed out on its next request.
        return ModelBackend().get_user(user_id)


class SignInCallbackView(OIDCAuthenticationCallbackView):
    """The provider's redirect back: a failure lands on the login page, with a reason."""

    @property
    def failure_url(self):
        return resolve_url(self.get_settings("LOGIN_REDIRECT_URL_FAILURE", settings.LOGIN_URL))

    def login_failure(self):
        if not getattr(self.request, REFUSAL_ATTRIBUTE, None):
            messages.error(
                self.request,
                _("统一身份认证登录没有完成，请重试，或使用用户名和密码登录。"),
                fail_silently=True,
            )
        return super().login_failure()
