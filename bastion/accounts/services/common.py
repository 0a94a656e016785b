"""What the account services share: the scope check, issuing codes, the audit line."""

from __future__ import annotations

import datetime as dt

from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import codes
from ..models import Account, AccountList, AccountPolicy, ActivationCode


def managed_account(actor, user, action: str = "change") -> Account:
    """``user`` as an Account inside ``actor``'s scope for ``action``, else PermissionDenied."""
    account = Account.objects.restrict(actor, action).with_person().filter(pk=user.pk).first()
    if account is None:
        raise PermissionDenied(_("该账号不在您的管理范围内。"))
    return account


def issue_code(*, user, actor, reason: str, policy: AccountPolicy | None = None) -> str:
    """A new one-time code for ``user``; every older unused one stops working."""
    policy = policy or AccountPolicy.current()
    ActivationCode.objects.filter(user=user, used_at__isnull=True).delete()
    forget_listed_code(user)
    code = codes.new_code()
    ActivationCode.objects.create(
        user=user,
        digest=codes.digest(code),
        reason=reason,
        issued_by=actor,
        expires_at=code_expiry(policy),
    )
    return code


def forget_listed_code(user) -> None:
    """A code that was used or replaced leaves the 开户清单 still waiting to be downloaded: a
    list nobody downloads (the code was read off the screen) keeps no working secret."""
    with transaction.atomic():  # a download at the same moment waits, and wins or loses whole
        waiting = AccountList.objects.select_for_update().filter(downloaded_at__isnull=True)
        for account_list in waiting.exclude(entries=[]):
            kept = [entry for entry in account_list.entries if entry[1] != user.pk]
            if len(kept) != len(account_list.entries):
                account_list.entries = kept
                account_list.save(update_fields=["entries"])


def code_expiry(policy: AccountPolicy) -> dt.datetime:
    return timezone.now() + dt.timedelta(days=policy.code_valid_days)


def audit(user, *, actor, changes: dict, reason: str) -> None:
    """One line in the account's history saying what changed and why."""
    person = getattr(user, "person", None)
    LogEntry.objects.log_create(
        user,
        force_log=True,
        action=LogEntry.Action.UPDATE,
        actor=actor,
        changes=changes,
        additional_data={
            "reason": reason,
            "organization_path": person.organization.path if person else "",
        },
    )


def revoke_tokens(user, reason: str) -> None:
    """API tokens never outlive the account's password or its person."""
    from bastion.core.tokens import api_tokens_revoke

    api_tokens_revoke(user=user, reason=reason)
