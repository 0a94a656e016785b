"""The account rules (账号规则): changed by whoever holds the right at the top of the tree, as a
new row taking effect on a chosen day, so the rules once in force stay readable."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from bastion.core.scope import allows
from bastion.core.services import service
from bastion.orgs.models import Organization

from ..models import AccountPolicy

RULES_PERMISSION = "accounts.change_accountpolicy"
FIELDS = (
    "effective_from",
    "username_source",
    "member_role",
    "member_statuses",
    "leaving_statuses",
    "code_valid_days",
    "source",
)


def may_change_rules(user) -> bool:
    """The rules hold for the whole company: only a holder of the right on a root changes them."""
    if user.is_superuser:
        return True
    roots = Organization.objects.filter(depth=1).only("id", "path")
    return any(allows(user, RULES_PERMISSION, root) for root in roots)


@service
def account_policy_save(*, actor, data: dict) -> AccountPolicy:
    if not may_change_rules(actor):
        raise PermissionDenied(_("只有公司党建工作部可以修改账号规则。"))
    unknown = set(data) - set(FIELDS)
    if unknown:
        raise ValueError(f"unknown fields: {sorted(unknown)}")
    policy = AccountPolicy(**data)
    if policy.effective_from < timezone.localdate():
        raise ValidationError({"effective_from": _("生效日期不能早于今天。")})
    policy.full_clean()
    policy.save()
    return policy
