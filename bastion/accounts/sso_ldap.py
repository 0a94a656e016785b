"""Sign-in through the company directory (LDAP, Active Directory) with django-auth-ldap.

The directory checks the password; the 工号 attribute of the directory entry (a setting,
``BASTION_LDAP_EMPLOYEE_ATTR``) names the person, and the person's account signs in. The user
types the directory login (sAMAccountName) and password in the ordinary login form.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django_auth_ldap.backend import LDAPBackend

from .sso import account_for_employee_no, first_value, remember_refusal


class PersonLDAPBackend(LDAPBackend):
    # The directory only vouches for the 工号: nothing is copied into the account, so there is
    # nothing to update or save at each sign-in.
    default_settings = {"ALWAYS_UPDATE_USER": False, "MIRROR_GROUPS": False}

    def authenticate(self, request, username=None, password=None, **kwargs):
        try:
            return super().authenticate(request, username=username, password=password, **kwargs)
        except PermissionDenied as exc:
            # Django stops at PermissionDenied and the form says "wrong password"; the login
            # page shows this message instead.
            remember_refusal(request, exc)
            raise

    def get_or_build_user(self, username, ldap_user):
        """Called once the directory accepted the password: the person's account, never a new
        user named after the directory login."""
        attribute = settings.BASTION_LDAP_EMPLOYEE_ATTR
        values = {name.lower(): value for name, value in (ldap_user.attrs or {}).items()}
        employee_no = first_value(values.get(attribute.lower()))
        return account_for_employee_no(employee_no, attribute=attribute), False

    def get_user(self, user_id):
        # The session's account, as the local backend gives it (a deactivated account is
        # signed out); no directory lookup on every request.
        return ModelBackend().get_user(user_id)

    def get_group_permissions(self, user, obj=None):
        # Permissions come from roles on the organization tree, never from directory groups.
        return set()
