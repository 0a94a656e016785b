from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "bastion.accounts"
    label = "accounts"
    verbose_name = _("账号")
    person_panels = ["bastion.accounts.widgets.person_account_panel"]
    home_widgets = ["bastion.accounts.widgets.help_requests_waiting"]
    # A person who left on a day no page saw it (a bulk edit, an import) loses the account the
    # next morning at the latest.
    daily_jobs = ["bastion.accounts.services.accounts_close_for_leavers"]

    @property
    def navigation(self):
        from bastion.core.navigation import NavItem, NavSection

        return [
            NavSection(
                _("账号管理"),
                "user-shield",
                order=12,
                items=[
                    NavItem(
                        _("人员账号"), "accounts:account_list", "users", "accounts.view_account"
                    ),
                    NavItem(
                        _("批量开通"), "accounts:bulk_open", "user-plus", "accounts.add_account"
                    ),
                    NavItem(
                        _("忘记密码申请"),
                        "accounts:help_list",
                        "lifebuoy",
                        "accounts.change_account",
                    ),
                    NavItem(
                        _("账号规则"),
                        "accounts:policy",
                        "settings",
                        "accounts.view_accountpolicy",
                    ),
                ],
            ),
        ]

    def ready(self):
        from auditlog.registry import auditlog

        from . import signals  # noqa: F401  (closes the account of a person who leaves)
        from .models import AccountPolicy

        auditlog.register(AccountPolicy)
