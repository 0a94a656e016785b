from .dues import DuesBracket, DuesCategory, DuesPayment, DuesProfile
from .guide import GuideAttachment, GuidePage
from .meetings import (
    FULFILLING_STATUSES,
    MEETING_KIND_CHOICES,
    Attendance,
    AttendanceStatus,
    Meeting,
    MeetingAttachment,
    MeetingStatus,
)
from .rules import (
    MEETING_KINDS,
    AlertLevel,
    CalendarRule,
    DueTerm,
    ItemKind,
    Obligation,
    Recurrence,
)
from .tallies import ObligationTally
from .terms import ElectedMember, Election, TermRule

__all__ = [
    "FULFILLING_STATUSES",
    "MEETING_KINDS",
    "MEETING_KIND_CHOICES",
    "AlertLevel",
    "Attendance",
    "AttendanceStatus",
    "CalendarRule",
    "DuesBracket",
    "DuesCategory",
    "DuesPayment",
    "DuesProfile",
    "DueTerm",
    "ElectedMember",
    "Election",
    "GuideAttachment",
    "GuidePage",
    "ItemKind",
    "Meeting",
    "MeetingAttachment",
    "MeetingStatus",
    "Obligation",
    "ObligationTally",
    "Recurrence",
    "TermRule",
]
