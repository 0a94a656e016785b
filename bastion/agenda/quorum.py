"""Quorum of a 支部党员大会: more than a share of the voting members must be present.

The share is data: ``CalendarRule.quorum_ratio`` of the rule in force for the meeting's kind on
the meeting's date. Voting members are full members (正式党员) only: probationary members and
non-members may attend but are not counted on either side.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bastion.orgs.models import Person
from bastion.orgs.models.person import MembershipStatus

from .models import Attendance, AttendanceStatus, CalendarRule, ItemKind, Meeting

# Wording only (the ratio itself always comes from the rule): shares with a usual Chinese name.
SHARE_WORDS = {
    Fraction(1, 2): gettext_lazy("半数"),
    Fraction(2, 3): gettext_lazy("三分之二"),
    Fraction(4, 5): gettext_lazy("五分之四"),
}


@dataclass(frozen=True)
class QuorumCounts:
    voting_total: int  # 应到有表决权党员
    present_voting: int  # 实到有表决权党员


@dataclass(frozen=True)
class QuorumResult:
    voting_total: int
    present_voting: int
    needed: int  # the least number present for the meeting to be valid
    ratio: Decimal
    ok: bool
    kind_label: str

    @property
    def message(self) -> str:
        values = {
            "kind": self.kind_label,
            "present": self.present_voting,
            "total": self.voting_total,
            "share": share_text(self.ratio),
            "needed": self.needed,
        }
        if self.ok:
            return (
                _(
                    "%(kind)s实到有表决权党员 %(present)s 人，应到 %(total)s 人，"
                    "超过%(share)s，符合法定人数。"
                )
                % values
            )
        return (
            _(
                "%(kind)s实到有表决权党员 %(present)s 人，应到 %(total)s 人，未超过%(share)s"
                "（至少需 %(needed)s 人），会议决议无效。"
            )
            % values
        )

    def __str__(self):
        return self.message


def share_text(ratio: Decimal) -> str:
    fraction = Fraction(ratio)
    if fraction in SHARE_WORDS:
        return str(SHARE_WORDS[fraction])
    return _("应到人数的 %(percent)s%%") % {"percent": f"{ratio * 100:.0f}"}


def needed_for(voting_total: int, ratio: Decimal) -> int:
    """The least head count strictly above ``ratio`` of ``voting_total``."""
    return math.floor(Fraction(ratio) * voting_total) + 1


def ratio_for(kind: str, on: dt.date | None = None) -> Decimal | None:
    """The quorum ratio of the rule in force for ``kind`` on ``on``; None when no rule sets one."""
    on = on or timezone.localdate()
    rule = (
        CalendarRule.objects.in_force(on)
        .filter(kind=kind, is_active=True, quorum_ratio__isnull=False)
        .order_by("-effective_from", "sort_order")
        .first()
    )
    return rule.quorum_ratio if rule else None


def assembly_ratio(on: dt.date | None = None) -> Decimal | None:
    return ratio_for(ItemKind.BRANCH_ASSEMBLY, on)


def meeting_counts(meeting: Meeting) -> QuorumCounts:
    """Who should attend: the full members on the roster now and any full member recorded on
    the meeting (people may have moved since). One query."""
    from .selectors_meetings import roster_q

    recorded = Attendance.objects.filter(meeting=meeting)
    present = recorded.filter(status=AttendanceStatus.PRESENT).values("person_id")
    row = (
        Person.objects.filter(membership_status=MembershipStatus.FULL)
        .filter(roster_q(meeting.organization) | Q(pk__in=recorded.values("person_id")))
        .aggregate(total=Count("id"), present=Count("id", filter=Q(pk__in=present)))
    )
    return QuorumCounts(voting_total=row["total"], present_voting=row["present"])


def check(meeting_or_counts, ratio: Decimal | None = None) -> QuorumResult | None:
    """Judge a meeting (or bare counts). ``ratio`` None: the in-force rule's ratio for the
    meeting's kind on its date (for bare counts: 支部党员大会 today). None when no rule sets one."""
    if isinstance(meeting_or_counts, Meeting):
        meeting = meeting_or_counts
        kind, on = meeting.kind, meeting.held_on
        kind_label = meeting.get_kind_display()
    else:
        meeting = None
        kind, on = ItemKind.BRANCH_ASSEMBLY, None
        kind_label = str(ItemKind.BRANCH_ASSEMBLY.label)
    if ratio is None:
        ratio = ratio_for(kind, on)
        if ratio is None:
            return None
    counts = meeting_counts(meeting) if meeting is not None else _as_counts(meeting_or_counts)
    ratio = Decimal(ratio)
    needed = needed_for(counts.voting_total, ratio)
    return QuorumResult(
        voting_total=counts.voting_total,
        present_voting=counts.present_voting,
        needed=needed,
        ratio=ratio,
        ok=counts.voting_total > 0 and counts.present_voting >= needed,
        kind_label=kind_label,
    )


def _as_counts(value) -> QuorumCounts:
    if isinstance(value, QuorumCounts):
        return value
    if isinstance(value, dict):
        return QuorumCounts(value["voting_total"], value["present_voting"])
    total, present = value
    return QuorumCounts(voting_total=total, present_voting=present)
