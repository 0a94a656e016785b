"""When a branch's dues obligation for a month counts as done: every member on its dues roster
has paid that month. The date is the last payment's, so paying late shows as done late."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Q

from bastion.core.scope import subtree_q
from bastion.orgs.models import Organization, Person
from bastion.orgs.models.person import MembershipStatus

from ..models import DuesPayment, Obligation


def dues_roster_q(org: Organization) -> Q:
    """Members a branch collects dues from: its own and those of its party groups."""
    return Q(organization=org) | (
        subtree_q("organization__path", org.path) & Q(organization__kind="group")
    )


def dues_roster(org: Organization):
    return Person.objects.filter(dues_roster_q(org)).exclude(
        membership_status=MembershipStatus.NONE
    )


def month_fulfilled_on(roster: set[int], paid: dict[int, dt.date], month: dt.date):
    """The date the month was complete, or None. A branch with no members owes nothing."""
    if not roster:
        return month
    if not roster <= paid.keys():
        return None
    return max(paid[person_id] for person_id in roster)


def refresh_dues_obligations(pairs) -> int:
    """``pairs``: (organization id, first day of month). Returns how many are now fulfilled."""
    by_org: dict[int, set[dt.date]] = defaultdict(set)
    for org_id, month in pairs:
        by_org[org_id].add(month)
    fulfilled = 0
    for org in Organization.objects.filter(pk__in=by_org):
        roster = set(dues_roster(org).values_list("pk", flat=True))
        paid: dict[dt.date, dict[int, dt.date]] = defaultdict(dict)
        payments = DuesPayment.objects.filter(person_id__in=roster, month__in=by_org[org.pk])
        for person_id, month, paid_on in payments.values_list("person_id", "month", "paid_on"):
            paid[month][person_id] = paid_on
        for month in by_org[org.pk]:
            fulfilled_on = month_fulfilled_on(roster, paid[month], month)
            Obligation.objects.filter(organization=org, kind="dues", period_start=month).update(
                fulfilled_on=fulfilled_on
            )
            fulfilled += fulfilled_on is not None
    return fulfilled
