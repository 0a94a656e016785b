"""What both single sign-on backends share: the company's identity service vouches for a 工号,
and the 工号 names the person whose account signs in. The identity service never creates an
account of its own (no LDAP-named or e-mail-named users): a sign-in either lands on the person's
account or is refused with a message the login page shows."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

# The login page reads the refusal from this request attribute (LDAP: the same request) or from
# Django's messages (OIDC: the refusal happens in the callback, which redirects to the page).
REFUSAL_ATTRIBUTE = "sso_refusal"


def account_for_employee_no(employee_no: str | None, *, attribute: str):
    """The active account of the person whose 工号 the identity service gave, opened on first
    use; PermissionDenied with a Chinese message when there is no such person, the person has
    left or the account is deactivated. ``attribute`` names where the 工号 was read (for the
    message when it is missing)."""
    from bastion.accounts.selectors import person_by_employee_no
    from bastion.accounts.services import account_for_sign_in

    employee_no = (employee_no or "").strip()
    if not employee_no:
        raise PermissionDenied(
            _(
                "统一身份认证没有提供您的工号（%(attribute)s），无法对应到堡垒中的人员，请联系信息管理员。"
            )
            % {"attribute": attribute}
        )
    person = person_by_employee_no(employee_no)
    if person is None:
        raise PermissionDenied(
            _(
                "统一身份认证账号（工号 %(employee_no)s）在堡垒中没有对应人员，"
                "请联系本支部书记或党建工作部。"
            )
            % {"employee_no": employee_no}
        )
    return account_for_sign_in(person=person)


def first_value(value) -> str | None:
    """An attribute or claim as one string: directories give lists of bytes, providers give
    strings or numbers."""
    if isinstance(value, list | tuple):
        value = value[0] if value else None
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return None if value is None else str(value)


def remember_refusal(request, exc: PermissionDenied) -> None:
    """Keep the refusal's message for the login page of this request."""
    if request is not None:
        setattr(request, REFUSAL_ATTRIBUTE, str(exc))
