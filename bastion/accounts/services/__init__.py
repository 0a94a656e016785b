"""Writes to accounts. Pages, the API, commands and single sign-on all call these."""

from .activation import (
    account_activate,
    account_for_sign_in,
    password_help_answer,
    password_help_request,
)
from .managing import (
    account_deactivate,
    account_reactivate,
    account_reset,
    account_unlock,
    accounts_close_for_leavers,
)
from .opening import (
    BulkPreview,
    OpenedAccount,
    account_list_take,
    account_open,
    accounts_bulk_open,
    accounts_bulk_preview,
)
from .policy import account_policy_save, may_change_rules

__all__ = [
    "BulkPreview",
    "OpenedAccount",
    "account_activate",
    "account_deactivate",
    "account_for_sign_in",
    "account_list_take",
    "account_open",
    "account_policy_save",
    "account_reactivate",
    "account_reset",
    "account_unlock",
    "accounts_bulk_open",
    "accounts_bulk_preview",
    "accounts_close_for_leavers",
    "may_change_rules",
    "password_help_answer",
    "password_help_request",
]
