"""When a branch's dues obligation for a month counts as done: every member on its dues roster
has paid that month. The date is the last payment's, so paying late shows as done late.

A branch's dues roster is its own members and the members of its party groups (党小组): a
person belongs to the nearest organization above (or at) their own that is not a group.

A member owes the months from their *owed-from* day on: the later of their 入党日期 and the start
of their dues in Bastion, which is the day they were entered in Bastion, or the first month of
their earliest dues profile or payment when a branch recorded earlier history on purpose. So a
roster imported with 入党日期 years ago brings no past arrears (issue 13).

``refresh_dues_obligations`` serves both one payment and ``generate_year`` over thousands of
organizations: its query count depends only on how deeply party groups nest, never on the
number of organizations, months or members (long id lists become unfiltered reads).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Case, DateField, F, OuterRef, Q, Subquery, When
from django.db.models.functions import Coalesce, Least, Length, Substr, TruncDate
from django.utils import timezone

from bastion.core.periods import month_end
from bastion.orgs.models import Organization, Person
from bastion.orgs.models.organization import OrganizationKind
from bastion.orgs.models.person import MembershipStatus

from ..models import DuesPayment, DuesProfile, Obligation

CHUNK = 2000  # well under SQLite's bound-parameter limit
BATCH = 2000


def narrowed(queryset, field: str, values):
    """``queryset`` filtered by ``field__in=values``, or unfiltered when the list is too long
    to bind: the caller filters the rows in Python either way, and one query stays one."""
    values = sorted(values)
    if len(values) > CHUNK:
        return queryset
    return queryset.filter(**{f"{field}__in": values})


def collecting_paths(path: str, depth: int) -> list[str]:
    """The paths of ``path`` and its ancestors, nearest first (pure)."""
    step = Organization.steplen
    return [path[: step * level] for level in range(depth, 0, -1)]


def collecting_branch(org: Organization) -> Organization:
    """The organization that collects dues from people of ``org``: itself unless it is a party
    group, else the nearest ancestor that is not a group (one query for a group, none else)."""
    if org.kind != OrganizationKind.GROUP:
        return org
    ancestors = Organization.objects.filter(
        path__in=collecting_paths(org.path, org.depth)[1:]
    ).exclude(kind=OrganizationKind.GROUP)
    return ancestors.order_by("-depth").first() or org


def group_owners(branches: dict[str, int]) -> dict[int, int]:
    """Party groups below the given organizations (``{path: id}``), as ``{group id: owner id}``.

    A group's owner is the nearest non-group organization above it; groups inside groups are
    followed one level per query.
    """
    step = Organization.steplen
    owners: dict[int, int] = {}
    frontier = dict(branches)
    while frontier:
        found: dict[str, int] = {}
        groups = Organization.objects.filter(kind=OrganizationKind.GROUP).annotate(
            parent_path=Substr("path", 1, Length("path") - step)
        )
        groups = narrowed(groups, "parent_path", frontier)
        for pk, path, parent_path in groups.values_list("pk", "path", "parent_path"):
            if parent_path in frontier and pk not in owners:
                owners[pk] = frontier[parent_path]
                found[path] = frontier[parent_path]
        frontier = found
    return owners


def roster_q(org: Organization) -> Q:
    """People of ``org`` and of its party groups (one query to find the groups)."""
    groups = group_owners({org.path: org.pk})
    return Q(organization_id__in=[org.pk, *groups])


def dues_roster_q(org: Organization) -> Q:
    """Members a branch collects dues from: its own and those of its party groups."""
    return roster_q(org) & ~Q(membership_status=MembershipStatus.NONE)


def dues_roster(org: Organization):
    return Person.objects.filter(dues_roster_q(org))


# --- from when dues are owed -----------------------------------------------------------------


def dues_start_expr(prefix: str = ""):
    """SQL: the day a member's dues start in Bastion: the day the person was entered, or an
    earlier month the branch recorded on purpose: the first month of their earliest dues
    profile, or of their earliest recorded payment (a month paid was a month owed). So every
    payment lies in the months owed, which keeps the arrears queries free of this expression.
    ``prefix`` reaches the person (``"person__"`` from a profile)."""
    person = OuterRef(f"{prefix}pk")
    first_profile = (
        DuesProfile.objects.filter(person=person).order_by("starts_on").values("starts_on")[:1]
    )
    first_payment = DuesPayment.objects.filter(person=person).order_by("month").values("month")
    entered = TruncDate(f"{prefix}created_at")
    return Least(
        Coalesce(Subquery(first_profile, output_field=DateField()), entered),
        Coalesce(Subquery(first_payment[:1], output_field=DateField()), entered),
        entered,
        output_field=DateField(),
    )


def owed_from_expr(prefix: str = ""):
    """SQL: the first day a member owes dues: the later of 入党日期 and the dues start."""
    start = dues_start_expr(prefix)
    admitted = f"{prefix}admitted_on"
    return Case(
        When(**{f"{admitted}__gt": start}, then=F(admitted)),
        default=start,
        output_field=DateField(),
    )


def entered_on(person) -> dt.date:
    """The (local) day a person was entered in Bastion."""
    return (
        timezone.localtime(person.created_at).date() if person.created_at else timezone.localdate()
    )


def default_profile_start(person, year: int) -> dt.date:
    """The first month a new profile of ``year`` is owed from: the month the member was
    entered when that falls in ``year`` (a roster imported in December owes from December),
    else January (a past year's profile entered afterwards records history on purpose)."""
    entered = entered_on(person)
    return entered.replace(day=1) if entered.year == year else dt.date(year, 1, 1)


def rosters(org_ids: Iterable[int]) -> dict[int, dict[int, dt.date | None]]:
    """``{branch id: {member id: owed-from day}}`` for the given organizations."""
    org_ids = set(org_ids)
    orgs = {
        path: pk
        for path, pk in narrowed(Organization.objects.all(), "pk", org_ids).values_list(
            "path", "pk"
        )
        if pk in org_ids
    }
    owners = {pk: pk for pk in orgs.values()}
    owners.update(group_owners(orgs))
    found: dict[int, dict[int, dt.date | None]] = {pk: {} for pk in orgs.values()}
    members = Person.objects.exclude(membership_status=MembershipStatus.NONE)
    members = narrowed(members, "organization_id", owners)
    members = members.annotate(owed_from=owed_from_expr())
    for pk, org_id, since in members.values_list("pk", "organization_id", "owed_from"):
        if org_id in owners:
            found[owners[org_id]][pk] = since
    return found


def owes(owed_from: dt.date | None, month: dt.date) -> bool:
    """A member owes a month's dues unless their owed-from day is after it ended (pure)."""
    return owed_from is None or owed_from <= month_end(month.year, month.month)


def month_fulfilled_on(roster: set[int], paid: dict[int, dt.date], month: dt.date):
    """The date the month was complete, or None. A branch with no members owes nothing."""
    if not roster:
        return month
    if not roster <= paid.keys():
        return None
    return max(paid[person_id] for person_id in roster)


def paid_dates(member_ids: set[int], months: set[dt.date]) -> dict[tuple[int, dt.date], dt.date]:
    """``{(member id, month): paid_on}`` for the given members and months."""
    payments = narrowed(
        DuesPayment.objects.filter(month__in=sorted(months)), "person_id", member_ids
    )
    return {
        (person_id, month): paid_on
        for person_id, month, paid_on in payments.values_list("person_id", "month", "paid_on")
        if person_id in member_ids
    }


def refresh_dues_obligations(pairs) -> int:
    """``pairs``: (organization id, first day of month). Sets each matching dues obligation's
    ``fulfilled_on``; returns how many of them are now fulfilled."""
    wanted = {(org_id, month) for org_id, month in pairs}
    if not wanted:
        return 0
    months = {month for _org, month in wanted}
    org_ids = sorted({org_id for org_id, _month in wanted})
    candidates = Obligation.objects.filter(kind="dues", period_start__in=sorted(months))
    candidates = narrowed(candidates, "organization_id", org_ids).only(
        "id", "organization_id", "period_start", "fulfilled_on"
    )
    obligations = [o for o in candidates if (o.organization_id, o.period_start) in wanted]
    if not obligations:
        return 0
    by_branch = rosters({o.organization_id for o in obligations})
    every_member = set().union(*(set(r) for r in by_branch.values()))
    paid = paid_dates(every_member, {o.period_start for o in obligations})
    changed, fulfilled = [], 0
    for obligation in obligations:
        month = obligation.period_start
        roster = by_branch.get(obligation.organization_id, {})
        owing = {pk for pk, since in roster.items() if owes(since, month)}
        paid_in_month = {pk: paid[(pk, month)] for pk in owing if (pk, month) in paid}
        fulfilled_on = month_fulfilled_on(owing, paid_in_month, month)
        fulfilled += fulfilled_on is not None
        if obligation.fulfilled_on != fulfilled_on:
            obligation.fulfilled_on = fulfilled_on
            changed.append(obligation)
    Obligation.objects.bulk_update(changed, ["fulfilled_on"], batch_size=BATCH)
    return fulfilled
