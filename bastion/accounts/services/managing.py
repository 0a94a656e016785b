"""Managing accounts: deactivate and reactivate, reset, unlock, and closing the accounts of
people who have left."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from bastion.core.services import service
from bastion.orgs.models import Person
from bastion.orgs.selectors import keeps_root_administrable

from ..models import Account, AccountPolicy, CodeReason, HelpState, PasswordHelpRequest
from .common import audit, issue_code, managed_account, revoke_tokens


@service
def account_deactivate(*, actor, user, reason: str = "") -> None:
    account = managed_account(actor, user)
    if account.pk == actor.pk:
        raise ValidationError(_("不能停用自己的账号。"))
    _deactivate(account, actor=actor, reason=reason or _("管理员停用"))


def _deactivate(account, *, actor, reason: str) -> None:
    if not account.is_active:
        return
    if not keeps_root_administrable(without_user=account):
        raise ValidationError(_("这是最后一个能管理顶级组织的账号，不能停用。"))
    account.is_active = False
    account.save(update_fields=["is_active"])
    revoke_tokens(account, reason)
    audit(account, actor=actor, changes={"is_active": ["True", "False"]}, reason=reason)


@service
def account_reactivate(*, actor, user) -> None:
    account = managed_account(actor, user)
    person = account.person
    policy = AccountPolicy.current()
    if person is not None and policy.has_left(person):
        raise ValidationError(
            _("%(name)s的人员状态为“%(status)s”，请先在人员名册中恢复其状态。")
            % {"name": person.name, "status": person.get_status_display()}
        )
    if account.is_active:
        return
    account.is_active = True
    account.save(update_fields=["is_active"])
    audit(account, actor=actor, changes={"is_active": ["False", "True"]}, reason=_("重新启用"))


@service
def account_reset(*, actor, user) -> str:
    """A new activation code; the old password and every API token stop working at once."""
    account = managed_account(actor, user)
    if not account.is_active:
        raise ValidationError(_("账号已停用，请先启用。"))
    account.set_unusable_password()
    account.save(update_fields=["password"])
    revoke_tokens(account, _("重置账号"))
    _unlock(account)
    audit(account, actor=actor, changes={"password": ["***", "***"]}, reason=_("重置账号"))
    # A reset answers the person's open 忘记密码 requests too: nobody resets them twice.
    PasswordHelpRequest.objects.filter(user=account, state=HelpState.OPEN).update(
        state=HelpState.ANSWERED, answered_by=actor, answered_at=timezone.now()
    )
    return issue_code(user=account, actor=actor, reason=CodeReason.RESET)


@service
def account_unlock(*, actor, user) -> None:
    """Lift the lockout after too many wrong passwords (django-axes keeps it per username)."""
    account = managed_account(actor, user)
    _unlock(account)
    audit(account, actor=actor, changes={"locked": ["True", "False"]}, reason=_("解除锁定"))


def _unlock(account) -> None:
    from axes.utils import reset

    reset(username=account.username)


def accounts_close_for_leavers(*, today=None, person_ids=None) -> dict:
    """Deactivate the accounts of people whose status the rules mark as leaving.

    Called when a person is saved (the signal) and by the daily run, which catches bulk edits.
    """
    policy = AccountPolicy.current()
    leavers = Person.objects.filter(
        status__in=policy.leaving_statuses, user__isnull=False, user__is_active=True
    ).select_related("user", "organization")
    if person_ids is not None:
        leavers = leavers.filter(pk__in=person_ids)
    closed = 0
    for person in leavers:
        reason = _("人员状态变为“%(status)s”，账号自动停用") % {
            "status": person.get_status_display()
        }
        try:
            _deactivate(_as_account(person.user), actor=None, reason=reason)
        except ValidationError:
            continue  # the last administrator of the root stays; a person must decide
        closed += 1
    return {"closed": closed}


def _as_account(user):
    return Account.objects.with_person().get(pk=user.pk)
