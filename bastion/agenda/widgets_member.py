"""What the agenda shows a member of their own: the home card 我的党费 and their dues in
我的任务 (the kernel's registries: ``AgendaConfig.home_widgets`` and ``my_work``)."""

from __future__ import annotations

import datetime as dt

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from bastion.core.my_work import WorkItem
from bastion.core.periods import month_end
from bastion.core.scope import allows

from .selectors_member import OwnDues, own_dues

LEDGER = "agenda.view_duespayment"
MONTHS_LISTED = 12


def _ledger_url(user, dues: OwnDues, year: int) -> str | None:
    """The branch ledger, for a member who may open it (a secretary paying their own)."""
    org = dues.person.organization
    if not allows(user, LEDGER, org):
        return None
    return reverse("agenda:dues_ledger") + f"?org={org.pk}&year={year}"


def my_dues(request) -> str | None:
    user = request.user
    today = timezone.localdate()
    dues = own_dues(user, today)
    if dues is None:
        return None
    return render_to_string(
        "agenda/dues/_my_dues_card.html",
        {
            "dues": dues,
            "owed_shown": dues.owed[-MONTHS_LISTED:],
            "owed_more": max(len(dues.owed) - MONTHS_LISTED, 0),
            "ledger_url": _ledger_url(user, dues, today.year),
        },
        request=request,
    )


def work_items(user, today: dt.date) -> list[WorkItem]:
    dues = own_dues(user, today)
    if dues is None:
        return []
    url = _ledger_url(user, dues, today.year)
    items = []
    if dues.owed:
        items.append(
            WorkItem(
                label=_("补缴党费：欠缴 %(n)d 个月") % {"n": len(dues.owed)},
                detail=_("最早 %(month)s") % {"month": f"{dues.owed[0]:%Y-%m}"},
                url=url,
                level="red" if dues.in_alarm else "yellow",
            )
        )
    if not dues.this_month_paid:
        month = dues.this_month
        items.append(
            WorkItem(
                label=_("缴纳 %(month)s 党费") % {"month": f"{month:%Y-%m}"},
                detail=_("每月 %(amount)s 元") % {"amount": dues.monthly_amount}
                if dues.monthly_amount is not None
                else "",
                url=url,
                due_on=month_end(month.year, month.month),
            )
        )
    return items
