"""A member's own dues (我的党费): what they pay a month, the months they owe, their last payment.

Read through the door (``restrict``: a member always sees their own rows) and from the day
their dues are owed (``owed_from_expr``: the later of 入党日期 and their dues start in Bastion),
so the home page never shows arrears the branch ledger does not. Three queries, whatever the
number of payments.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from bastion.orgs.models import Person
from bastion.orgs.models.person import MembershipStatus

from .models import DuesPayment, DuesProfile
from .selectors_dues import add_months, last_complete_month, missed_months_alarm_threshold
from .services.dues_fulfilment import owed_from_expr, owes

# Arrears older than this are a matter for the branch's ledger, not a list on a phone.
LOOK_BACK_MONTHS = 120


@dataclass
class OwnDues:
    person: Person
    monthly_amount: Decimal | None = None
    owed: list[dt.date] = field(default_factory=list)  # unpaid months that have ended
    longest_run: int = 0  # the longest run of consecutive unpaid months among them
    alarm_after: int = 0  # a run this long is the red alarm (自行脱党 risk)
    this_month: dt.date | None = None
    this_month_paid: bool = False
    last_paid_month: dt.date | None = None
    last_paid_on: dt.date | None = None

    @property
    def in_alarm(self) -> bool:
        return bool(self.alarm_after) and self.longest_run >= self.alarm_after


def longest_run(months: list[dt.date]) -> int:
    """The longest run of consecutive months in a sorted list (pure)."""
    best = run = 0
    previous = None
    for month in months:
        run = run + 1 if previous is not None and add_months(previous, 1) == month else 1
        best, previous = max(best, run), month
    return best


def owed_months(owed_from, paid: set[dt.date], today: dt.date) -> list[dt.date]:
    """Months that have ended, are owed from ``owed_from`` on and were not paid (pure)."""
    last = last_complete_month(today)
    month = max(add_months(last, -(LOOK_BACK_MONTHS - 1)), (owed_from or last).replace(day=1))
    found = []
    while month <= last:
        if owes(owed_from, month) and month not in paid:
            found.append(month)
        month = add_months(month, 1)
    return found


def own_dues(user, today: dt.date) -> OwnDues | None:
    """The user's own dues, or None for a user who is no party member (or no person)."""
    person = getattr(user, "person", None)
    if person is None or person.membership_status == MembershipStatus.NONE:
        return None
    owed_from = (
        Person.objects.filter(pk=person.pk)
        .annotate(owed_from=owed_from_expr())
        .values_list("owed_from", flat=True)
        .first()
    )
    payments = list(
        DuesPayment.objects.restrict(user, "view")
        .filter(person=person)
        .order_by("-paid_on", "-month")
        .values_list("month", "paid_on")
    )
    profile = (
        DuesProfile.objects.restrict(user, "view")
        .filter(person=person, year__lte=today.year)
        .order_by("-year", "-pk")
        .only("monthly_amount")
        .first()
    )
    paid = {month for month, _paid_on in payments}
    owed = owed_months(owed_from, paid, today)
    this_month = today.replace(day=1)
    last_month, last_on = payments[0] if payments else (None, None)
    return OwnDues(
        person=person,
        monthly_amount=profile.monthly_amount if profile else None,
        owed=owed,
        longest_run=longest_run(owed),
        alarm_after=missed_months_alarm_threshold(today),
        this_month=this_month,
        this_month_paid=this_month in paid,
        last_paid_month=last_month,
        last_paid_on=last_on,
    )
