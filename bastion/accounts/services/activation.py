"""The person's side: activating with a one-time code, 忘记密码, and signing in through the
company's identity service."""

from __future__ import annotations

import hmac

from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from bastion.core.notifications.holders import nearest_holders
from bastion.core.notifications.services import notification_send
from bastion.core.services import audit_bulk, service
from bastion.orgs.models import Person, RoleAssignment

from .. import codes
from ..models import AccountPolicy, ActivationCode, HelpState, PasswordHelpRequest
from .common import audit, forget_listed_code, revoke_tokens
from .managing import account_reset
from .opening import _create_users

WRONG_CODE = _("用户名或激活码不正确，或激活码已失效。请核对开户清单，或请支部书记重置账号。")
MANAGE_PERMISSION = "accounts.change_account"


def _find_user(username: str):
    User = get_user_model()
    username = (username or "").strip()
    return (
        User.objects.filter(username=username).first()
        or User.objects.filter(username__iexact=username).first()
    )


def account_activate(*, username: str, code: str, password: str):
    """First sign-in: the code proves who it is, the person sets their own password.

    A wrong code counts against the code (five and it is spent) even though nothing else is
    written, so guessing is bounded without locking the person out of their own account."""
    user = _find_user(username)
    current = _valid_code(user)
    if current is None or not hmac.compare_digest(current.digest, codes.digest(code)):
        if current is not None:
            ActivationCode.objects.filter(pk=current.pk).update(
                failed_attempts=F("failed_attempts") + 1
            )
        raise ValidationError({"code": [WRONG_CODE]})
    password_validation.validate_password(password, user)
    with transaction.atomic():
        claimed = ActivationCode.objects.filter(pk=current.pk, used_at__isnull=True).update(
            used_at=timezone.now()
        )
        if not claimed:  # the same code used twice at once: the second loses
            raise ValidationError({"code": [WRONG_CODE]})
        user.set_password(password)
        user.save(update_fields=["password"])
        forget_listed_code(user)
        revoke_tokens(user, _("激活账号"))
        audit(
            user, actor=user, changes={"password": ["***", "***"]}, reason=_("使用激活码设置密码")
        )
    from axes.utils import reset

    reset(username=user.username)
    return user


def _valid_code(user) -> ActivationCode | None:
    if user is None or not user.is_active:
        return None
    return ActivationCode.objects.usable().filter(user=user).order_by("-issued_at").first()


def password_help_request(*, username: str, note: str = "", ip_address=None) -> None:
    """忘记密码: the branch that manages the account is told; nothing says whether the username
    exists (the page answers the same either way)."""
    user = _find_user(username)
    person = (
        Person.objects.filter(user=user).select_related("organization").first() if user else None
    )
    if person is None or not user.is_active:
        return
    recent = PasswordHelpRequest.objects.filter(user=user, state=HelpState.OPEN)
    with transaction.atomic():
        if recent.exists():
            return  # already waiting: one message per request, not per click
        help_request = PasswordHelpRequest.objects.create(
            user=user, person=person, note=(note or "")[:200], ip_address=ip_address
        )
        _tell_managers(help_request, person)


def _tell_managers(help_request: PasswordHelpRequest, person: Person) -> None:
    from django.urls import reverse

    holders = nearest_holders(MANAGE_PERMISSION, [person.organization.path])
    recipients = sorted(holders.get(person.organization.path, set()))
    notification_send(
        actor=None,
        recipients=recipients,
        event="accounts.password_help",
        title=_("%(name)s（%(org)s）忘记密码，请发放新的激活码")
        % {"name": person.name, "org": person.organization.name},
        body=help_request.note,
        url=reverse("accounts:help_list"),
        subjects=[help_request],
        dedupe_key=f"accounts.password_help:{help_request.pk}",
        channels=("email",) if settings.BASTION_EMAIL_ENABLED else (),
    )


@service
def password_help_answer(*, actor, help_request: PasswordHelpRequest) -> str:
    """A new activation code for the person who asked; e-mailed to them where mail is set up."""
    allowed = PasswordHelpRequest.objects.permitted(actor, MANAGE_PERMISSION)
    if not allowed.filter(pk=help_request.pk).exists():
        raise PermissionDenied(_("该申请不在您的管理范围内。"))
    if help_request.state != HelpState.OPEN:
        raise ValidationError(_("该申请已处理。"))
    code = account_reset(actor=actor, user=help_request.user)
    help_request.state = HelpState.ANSWERED
    help_request.answered_by = actor
    help_request.answered_at = timezone.now()
    help_request.save(update_fields=["state", "answered_by", "answered_at"])
    email = help_request.person.email or help_request.user.email
    if settings.BASTION_EMAIL_ENABLED and email:
        transaction.on_commit(lambda: _mail_code(email, help_request.user.username, code))
    return code


def _mail_code(email: str, username: str, code: str) -> None:
    site = settings.BASTION_SITE_URL.rstrip("/")
    send_mail(
        _("堡垒：新的激活码"),
        _("用户名：%(username)s\n激活码：%(code)s\n请打开 %(url)s 设置新密码。激活码只能使用一次。")
        % {"username": username, "code": codes.readable(code), "url": f"{site}/accounts/activate/"},
        None,
        [email],
        fail_silently=True,
    )


def account_for_sign_in(*, person: Person):
    """The account a person matched by the identity service signs in to, opened on first use."""
    policy = AccountPolicy.current()
    if policy.has_left(person):
        raise PermissionDenied(
            _("您的人员状态为“%(status)s”，不能登录堡垒。")
            % {"status": person.get_status_display()}
        )
    if person.user_id:
        if not person.user.is_active:
            raise PermissionDenied(_("您的堡垒账号已停用，请联系本支部书记或党建工作部。"))
        return person.user
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        if person.user_id:
            return person.user
        (user,) = _create_users([person], policy)
        person.user = user
        person.save(update_fields=["user"])
        role = policy.member_role
        if role is not None and person.membership_status in policy.member_statuses:
            RoleAssignment.objects.get_or_create(
                user=user, role=role, organization=person.organization
            )
        audit_bulk(
            actor=None,
            model=get_user_model(),
            changes_by_object=[(user, {"username": [None, user.username]}, LogEntry.Action.CREATE)],
        )
    return user
