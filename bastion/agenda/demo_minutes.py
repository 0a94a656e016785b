"""The demo's meeting evidence: a meeting of a rule that lists required evidence (会议记录、签到表、
照片 …) is approved only with a file, so every demo meeting of such a rule carries one.

One PDF per meeting, the 会议记录 with its 签到表 as a branch files it: organization, kind, topic,
date, place, host, the attendance counts, then each member and how they attended. Written by
hand (bastion.core.demo_pdf), one or two kilobytes with no embedded font.
"""

from __future__ import annotations

from collections import defaultdict

from bastion.core.demo_pdf import save_demo_file, sheet_pdf
from bastion.core.evidence import EvidenceKind
from bastion.orgs.models import Organization, Person

from .models import Attendance, AttendanceStatus, CalendarRule, Meeting, MeetingAttachment

FOLDER = "agenda/meetings/demo"
ROSTER_LINES = 36  # the sign-in table lists at most this many members (it fits one page)
NAME_COLUMNS = (0, 120, 190)  # points: 姓名, 出勤, 事由


def attach_minutes(planned, attendance: list[Attendance]) -> int:
    """Give each meeting of ``planned`` (obligation, meeting) whose rule requires evidence its
    会议记录 PDF. Returns the number of files written."""
    wanting = set(CalendarRule.objects.exclude(evidence_required=[]).values_list("pk", flat=True))
    meetings = [m for obligation, m in planned if obligation.rule_id in wanting]
    if not meetings:
        return 0
    rows = defaultdict(list)
    for row in attendance:
        rows[row.meeting_id].append(row)
    names = dict(
        Person.objects.filter(pk__in={r.person_id for r in attendance}).values_list("pk", "name")
    )
    names.update(
        Person.objects.filter(pk__in={m.host_id for m in meetings if m.host_id}).values_list(
            "pk", "name"
        )
    )
    org_names = dict(
        Organization.objects.filter(pk__in={m.organization_id for m in meetings}).values_list(
            "pk", "name"
        )
    )
    files = []
    for meeting in meetings:
        body = _minutes_pdf(meeting, org_names[meeting.organization_id], rows[meeting.pk], names)
        stored = save_demo_file(f"{FOLDER}/{meeting.organization_id}/{meeting.pk}.pdf", body)
        files.append(
            MeetingAttachment(
                meeting=meeting,
                file=stored,
                original_name=f"会议记录{meeting.held_on:%Y%m%d}.pdf",
                size=len(body),
                kind=EvidenceKind.DOCUMENT,
            )
        )
    MeetingAttachment.objects.bulk_create(files, batch_size=1000)
    return len(files)


def _minutes_pdf(meeting: Meeting, org_name: str, rows: list[Attendance], names) -> bytes:
    labels = dict(AttendanceStatus.choices)
    counts = dict.fromkeys(labels, 0)
    for row in rows:
        counts[row.status] += 1
    rows = sorted(rows, key=lambda row: (list(labels).index(row.status), names[row.person_id]))
    shown = [(names[r.person_id], str(labels[r.status]), r.reason) for r in rows[:ROSTER_LINES]]
    if len(rows) > ROSTER_LINES:
        shown.append(("……", f"另 {len(rows) - ROSTER_LINES} 人", ""))
    return sheet_pdf(
        title=f"{meeting.get_kind_display()}会议记录",
        facts=[
            f"党组织：{org_name}",
            f"会议主题：{meeting.topic}",
            f"召开日期：{meeting.held_on:%Y-%m-%d}    地点：{meeting.place}",
            f"主持人：{names.get(meeting.host_id, '—')}",
            "应到 {total} 人，出席 {present} 人，请假 {leave} 人，缺席 {absent} 人".format(
                total=len(rows), **counts
            ),
            f"会议内容：{meeting.minutes}",
            "",
            "签到表",
        ],
        table=[("姓名", "出勤", "事由"), *shown],
        columns=NAME_COLUMNS,
    )
