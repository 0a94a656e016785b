"""The 开户清单 workbook: one row per opened account, and a sheet saying how to sign in.

Its rows come from ``services.account_list_take`` (once: the codes are wiped as they leave), so
the page and the API build the same file from the same rows.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from bastion.core.excel import Column, build_workbook

from .models import AccountPolicy

COLUMNS = [
    Column("name", "姓名", width=12),
    Column("organization", "所在党组织", width=30),
    Column("username", "用户名", width=18),
    Column("code", "激活码", width=14),
    Column("how", "登录方式", width=70),
]


def _notes(policy: AccountPolicy) -> list[str]:
    return [
        _("请把每人的用户名和激活码单独交给本人，不要张贴或群发。"),
        _("激活码只能使用一次，有效期 %(days)s 天；首次登录时用它设置自己的密码。")
        % {"days": policy.code_valid_days},
        _("激活码输错 5 次即作废；作废、过期或遗失时，请在“人员账号”中重置该账号。"),
        _("本清单只能下载一次，系统不再保存其中的激活码，请妥善保管，发放完毕后销毁。"),
        _("生成时间：%(now)s") % {"now": timezone.localtime().strftime("%Y-%m-%d %H:%M")},
    ]


def account_list_xlsx(rows: list[dict]) -> bytes:
    """``rows`` as ``account_list_take`` returns them."""
    return build_workbook(
        title=_("开户清单"),
        columns=COLUMNS,
        rows=([row[column.key] for column in COLUMNS] for row in rows),
        notes=_notes(AccountPolicy.current()),
        notes_title=_("发放说明"),
    )


def account_list_filename(account_list) -> str:
    day = timezone.localtime(account_list.created_at).date()
    return f"开户清单-{day:%Y-%m-%d}.xlsx"
