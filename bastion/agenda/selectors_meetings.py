"""Reads about meetings: rosters, who may review what, list annotations, attendance rates.

Every function costs a fixed number of queries whatever the number of rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case, Count, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce

from bastion.core.scope import grant, subtree_q
from bastion.orgs.models import Organization, Person
from bastion.orgs.models.organization import OrganizationKind
from bastion.orgs.models.person import MembershipStatus

from .models import (
    FULFILLING_STATUSES,
    Attendance,
    AttendanceStatus,
    MeetingAttachment,
    MeetingStatus,
)

REVIEW_PERMISSION = "agenda.review_meeting"
BRANCH_KINDS = (
    OrganizationKind.BRANCH,
    OrganizationKind.TEMPORARY_BRANCH,
    OrganizationKind.GENERAL_BRANCH,
)
RATE_ORG_KINDS = (*BRANCH_KINDS, OrganizationKind.GROUP)


# --- roster ---------------------------------------------------------------------------------


def roster_q(org: Organization) -> Q:
    """People who belong to ``org``'s meetings: its own people; for a branch also the people of
    its party groups; for a party group also the branch people assigned to it."""
    condition = Q(organization_id=org.pk)
    if org.kind in BRANCH_KINDS:
        condition |= (
            subtree_q("organization__path", org.path)
            & Q(organization__kind=OrganizationKind.GROUP)
            & Q(organization__depth=org.depth + 1)
        )
    elif org.kind == OrganizationKind.GROUP:
        condition |= Q(party_group_id=org.pk)
    return condition


MEMBERSHIP_ORDER = Case(
    When(membership_status=MembershipStatus.FULL, then=Value(0)),
    When(membership_status=MembershipStatus.PROBATIONARY, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


ATTENDANCE_ORDER = Case(
    When(status=AttendanceStatus.PRESENT, then=Value(0)),
    When(status=AttendanceStatus.LEAVE, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def roster(org: Organization, *, also_ids=()):
    """The roster of ``org``, full members first; ``also_ids`` adds people already recorded."""
    condition = roster_q(org)
    if also_ids:
        condition |= Q(pk__in=list(also_ids))
    return (
        Person.objects.filter(condition)
        .select_related("organization")
        .annotate(membership_order=MEMBERSHIP_ORDER)
        .order_by("membership_order", "name", "id")
    )


# --- review ---------------------------------------------------------------------------------


def can_review(user, org: Organization) -> bool:
    """Review is done from strictly above: a grant on the branch itself is not enough."""
    held = grant(user, REVIEW_PERMISSION)
    return held.everywhere or held.covers(org.path[: -Organization.steplen])


def review_queue(user, meetings):
    """``meetings`` (already scoped) waiting for ``user``'s review."""
    held = grant(user, REVIEW_PERMISSION)
    if not held:
        return meetings.none()
    reviewable = held.q("organization__path", strictly_below=True)
    return meetings.filter(reviewable, status=MeetingStatus.SUBMITTED)


# --- list -----------------------------------------------------------------------------------


def _count_per_meeting(queryset):
    counted = queryset.filter(meeting=OuterRef("pk")).order_by().values("meeting")
    counted = counted.annotate(n=Count("id")).values("n")[:1]
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def with_list_counts(meetings):
    """Attendance and attachment counts as correlated subqueries: computed for the page's rows
    only, never joined (a join would multiply rows and slow the paginator's count)."""
    return meetings.annotate(
        recorded_count=_count_per_meeting(Attendance.objects.all()),
        present_count=_count_per_meeting(
            Attendance.objects.filter(status=AttendanceStatus.PRESENT)
        ),
        attachment_count=_count_per_meeting(MeetingAttachment.objects.all()),
    )


# --- attendance rates -----------------------------------------------------------------------


@dataclass
class RateRow:
    should: int
    present: int
    leave: int
    absent: int

    @property
    def rate(self) -> float | None:
        """出席率: present among everyone who should attend (leave counts as not present)."""
        return round(self.present * 100 / self.should, 1) if self.should else None

    @property
    def rate_excluding_leave(self) -> float | None:
        """出席率（扣除请假）: present among those who did not ask for leave."""
        expected = self.should - self.leave
        return round(self.present * 100 / expected, 1) if expected else None


def _counted() -> dict:
    return {
        "should": Count("id"),
        "present": Count("id", filter=Q(status=AttendanceStatus.PRESENT)),
        "leave": Count("id", filter=Q(status=AttendanceStatus.LEAVE)),
        "absent": Count("id", filter=Q(status=AttendanceStatus.ABSENT)),
    }


def year_attendance(organization: Organization, year: int):
    """Attendance rows of the meetings held in ``organization``'s subtree in ``year`` that
    count (a returned record does not)."""
    return Attendance.objects.filter(
        subtree_q("meeting__organization__path", organization.path),
        meeting__held_on__year=year,
        meeting__status__in=FULFILLING_STATUSES,
    )


def member_attendance_rates(organization: Organization, year: int):
    """One row per person recorded on a meeting in the subtree (a values queryset, one query;
    page it with a Paginator). Each row: person fields, should/present/leave/absent."""
    return (
        year_attendance(organization, year)
        .values(
            "person_id",
            "person__name",
            "person__membership_status",
            "person__organization__name",
            "person__organization__path",
        )
        .annotate(**_counted())
        .order_by("person__organization__path", "person__name", "person_id")
    )


def branch_attendance_rates(organization: Organization, year: int):
    """One row per branch or party group in the subtree, with meetings held and attendance."""
    counted = Q(meetings__held_on__year=year, meetings__status__in=FULFILLING_STATUSES)

    def rows(status=None):
        condition = counted
        if status:
            condition &= Q(meetings__attendance__status=status)
        return Count("meetings__attendance__id", filter=condition)

    return (
        Organization.objects.filter(subtree_q("path", organization.path), kind__in=RATE_ORG_KINDS)
        .annotate(
            meetings_held=Count("meetings", filter=counted, distinct=True),
            should=rows(),
            present=rows(AttendanceStatus.PRESENT),
            leave=rows(AttendanceStatus.LEAVE),
            absent=rows(AttendanceStatus.ABSENT),
        )
        .order_by("path")
    )


def attendance_totals(organization: Organization, year: int) -> RateRow:
    row = year_attendance(organization, year).aggregate(**_counted())
    return RateRow(**row)


def attendance_rates(organization: Organization, year: int) -> dict:
    """Both tables and the totals for ``organization``'s subtree in ``year``."""
    return {
        "totals": attendance_totals(organization, year),
        "branches": branch_attendance_rates(organization, year),
        "members": member_attendance_rates(organization, year),
    }


def person_attendance(person: Person, year: int) -> RateRow:
    """One person's attendance in ``year`` (for profiles and evaluations), one query."""
    row = Attendance.objects.filter(
        person=person, meeting__held_on__year=year, meeting__status__in=FULFILLING_STATUSES
    ).aggregate(**_counted())
    return RateRow(**row)


def as_rate_row(row) -> RateRow:
    get = row.get if isinstance(row, dict) else lambda k: getattr(row, k)
    return RateRow(get("should"), get("present"), get("leave"), get("absent"))
