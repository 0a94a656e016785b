"""Meetings of 三会一课 and other organisational life: record, correct, review, evidence.

A meeting record fulfils an obligation (nobody ticks one by hand). Every write is one
transaction: the record, its attendance and its files are checked first, then written together;
files reach the storage last, after every check passed.

Review is done from strictly above the meeting's organization. A returned record stops counting
(its obligation reopens); changing a reviewed record (returned or approved) sends it back to
review, and it counts again while it waits.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from bastion.core import evidence as checks
from bastion.core.scope import allows, ensure_in_scope
from bastion.core.services import audit_bulk, service
from bastion.orgs.models import Organization, Person

from ..models import (
    MEETING_KINDS,
    Attendance,
    AttendanceStatus,
    CalendarRule,
    Meeting,
    MeetingAttachment,
    MeetingStatus,
    Obligation,
)
from ..selectors_meetings import can_review, roster_q
from .obligations import (
    default_obligation_for_meeting,
    link_meeting,
    refresh_meeting_obligations,
)

SIMPLE_FIELDS = ("kind", "topic", "held_on", "place", "host", "lecturer", "minutes")
UPDATABLE = ("organization", *SIMPLE_FIELDS, "attendance", "obligation", "files")
REVIEWED = (MeetingStatus.RETURNED, MeetingStatus.APPROVED)
REVIEW_FIELDS = ["status", "review_note", "reviewed_by", "reviewed_at", "updated_at"]


def _require(actor, org: Organization, action: str) -> None:
    if not allows(actor, f"agenda.{action}_meeting", org):
        raise PermissionDenied(_("该组织不在您的管理范围内。"))


class _Errors(dict):
    def add(self, field: str, messages) -> None:
        if isinstance(messages, ValidationError):
            messages = messages.messages
        if isinstance(messages, str):
            messages = [messages]
        self.setdefault(field, []).extend(messages)

    def raise_if_any(self) -> None:
        if self:
            raise ValidationError(dict(self))


# --- validation -----------------------------------------------------------------------------


def _check_dates_and_kind(meeting: Meeting, errors: _Errors) -> None:
    if meeting.kind not in MEETING_KINDS and "kind" not in errors:
        errors.add("kind", _("会议类型无效。"))
    today = timezone.localdate()
    if isinstance(meeting.held_on, dt.date) and meeting.held_on > today and "held_on" not in errors:
        errors.add(
            "held_on",
            _("召开日期不能晚于今天（%(today)s）。") % {"today": today.isoformat()},
        )


def _check_fields(meeting: Meeting, errors: _Errors) -> None:
    try:
        meeting.full_clean(
            exclude=["status", "review_note", "reviewed_by", "reviewed_at", "recorded_by"]
        )
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            if field not in errors:
                errors.add(field, messages)


def _person_label(person) -> str:
    return getattr(person, "name", None) or f"#{getattr(person, 'pk', person)}"


def _clean_attendance(org, rows, *, also_ids, host, errors: _Errors) -> list[tuple]:
    """Validate ``(person, status, reason)`` rows against ``org``'s roster (one query)."""
    rows = [(p, s, (r or "").strip()) for p, s, r in rows]
    wanted = {getattr(p, "pk", p) for p, _s, _r in rows}
    if host is not None:
        wanted.add(host.pk)
    allowed = set(
        Person.objects.filter(pk__in=wanted)
        .filter(roster_q(org) | Q(pk__in=list(also_ids)))
        .values_list("pk", flat=True)
    )
    if host is not None and host.pk not in allowed:
        errors.add(
            "host",
            _("主持人“%(name)s”不在“%(org)s”的人员名册中。") % {"name": host.name, "org": org.name},
        )
    cleaned, seen, problems = [], set(), []
    for person, status, reason in rows:
        pk, values = getattr(person, "pk", person), {"name": _person_label(person)}
        if pk not in allowed:
            values["org"] = org.name
            problems.append(_("“%(name)s”不在“%(org)s”的人员名册中。") % values)
        elif pk in seen:
            problems.append(_("“%(name)s”重复登记了出勤。") % values)
        elif status not in AttendanceStatus.values:
            problems.append(_("“%(name)s”的出勤情况无效。") % values)
        elif status == AttendanceStatus.LEAVE and not reason:
            problems.append(_("“%(name)s”请假，请填写请假事由。") % values)
        elif len(reason) > 200:
            problems.append(_("“%(name)s”的事由超过 200 字。") % values)
        seen.add(pk)
        cleaned.append((pk, status, reason))
    if problems:
        errors.add("attendance", problems)
    return cleaned


def _check_obligation(meeting: Meeting, obligation: Obligation | None, errors: _Errors):
    """The obligation the meeting will fulfil (explicit, or the default for its period)."""
    if not isinstance(meeting.held_on, dt.date) or meeting.organization_id is None:
        return None
    if obligation is None:
        return default_obligation_for_meeting(meeting.organization, meeting.kind, meeting.held_on)
    if obligation.organization_id != meeting.organization_id:
        errors.add("obligation", _("所选应办事项不属于该组织。"))
    elif obligation.kind != meeting.kind:
        errors.add(
            "obligation",
            _("所选应办事项是“%(item)s”，与会议类型不符。")
            % {"item": obligation.get_kind_display()},
        )
    elif obligation.period_start > meeting.held_on:
        errors.add(
            "obligation",
            _("所选应办事项的周期（%(period)s）从 %(start)s 开始，晚于会议召开日期。")
            % {"period": obligation.period_label, "start": obligation.period_start.isoformat()},
        )
    elif (
        obligation.fulfilled_on is not None
        and obligation.meeting_id is not None
        and obligation.meeting_id != meeting.pk
    ):
        errors.add("obligation", _("所选应办事项已由另一次会议完成。"))
    return obligation


def _check_files(files, errors: _Errors) -> list[checks.CheckedFile]:
    try:
        return checks.check_uploads(files)
    except ValidationError as exc:
        errors.add("files", exc.messages)
        return []


# --- writing --------------------------------------------------------------------------------


def _summary(rows) -> str:
    counts = dict.fromkeys(AttendanceStatus.values, 0)
    for _pk, status, _reason in rows:
        counts[status] += 1
    return "，".join(f"{label} {counts[value]}" for value, label in AttendanceStatus.choices)


def _write_attendance(meeting: Meeting, rows, *, actor) -> tuple[str, str]:
    """Make the meeting's attendance equal ``rows``; returns the summary before and after."""
    existing = {a.person_id: a for a in meeting.attendance.all()}
    before = _summary([(a.person_id, a.status, a.reason) for a in existing.values()])
    created, changed, audit = [], [], []
    for pk, status, reason in rows:
        row = existing.pop(pk, None)
        if row is None:
            created.append(Attendance(meeting=meeting, person_id=pk, status=status, reason=reason))
        elif (row.status, row.reason) != (status, reason):
            diff = {"status": [row.status, status], "reason": [row.reason, reason]}
            row.status, row.reason = status, reason
            changed.append(row)
            audit.append((row, diff, LogEntry.Action.UPDATE))
    if existing:
        Attendance.objects.filter(pk__in=[a.pk for a in existing.values()]).delete()
    Attendance.objects.bulk_create(created)
    Attendance.objects.bulk_update(changed, ["status", "reason"])
    audit += [
        (a, {"status": [None, a.status], "reason": [None, a.reason]}, LogEntry.Action.CREATE)
        for a in created
    ]
    if audit:
        audit_bulk(actor=actor, model=Attendance, changes_by_object=audit)
    return before, _summary(rows)


def _store_files(meeting: Meeting, checked: list[checks.CheckedFile], *, actor) -> list:
    """Write the checked files; if one fails, remove those already written, then re-raise."""
    stored = []
    try:
        for item in checked:
            attachment = MeetingAttachment(
                meeting=meeting,
                original_name=item.original_name,
                kind=item.kind,
                size=item.size,
                uploaded_by=actor,
            )
            item.upload.seek(0)
            attachment.file.save(item.storage_name(), item.upload, save=False)
            stored.append(attachment)
            attachment.save()
    except Exception:
        for attachment in stored:
            attachment.file.delete(save=False)
        raise
    return stored


def _log_on_meeting(meeting: Meeting, changes: dict, *, actor) -> None:
    """Attendance and files on the meeting's own history page (they are separate rows)."""
    if changes:
        audit_bulk(
            actor=actor,
            model=Meeting,
            changes_by_object=[(meeting, changes, LogEntry.Action.UPDATE)],
        )


def _resubmit(meeting: Meeting) -> None:
    """A reviewed record that changes goes back to review; the old verdict stays in history."""
    meeting.status = MeetingStatus.SUBMITTED
    meeting.review_note = ""
    meeting.reviewed_by = None
    meeting.reviewed_at = None


# --- services -------------------------------------------------------------------------------


@service
def meeting_record(
    *,
    actor,
    organization: Organization,
    kind: str,
    topic: str,
    held_on: dt.date,
    place: str = "",
    host: Person | None = None,
    lecturer: str = "",
    minutes: str = "",
    attendance=(),
    obligation: Obligation | None = None,
    files=(),
) -> Meeting:
    """Record a meeting with its attendance and files; it fulfils ``obligation`` (or the
    default one for its period). Status starts at 待审核."""
    _require(actor, organization, "add")
    meeting = Meeting(
        organization=organization,
        kind=kind,
        topic=(topic or "").strip(),
        held_on=held_on,
        place=(place or "").strip(),
        host=host,
        lecturer=(lecturer or "").strip(),
        minutes=minutes or "",
        status=MeetingStatus.SUBMITTED,
        recorded_by=actor,
    )
    errors = _Errors()
    _check_fields(meeting, errors)
    _check_dates_and_kind(meeting, errors)
    rows = _clean_attendance(organization, attendance, also_ids=(), host=host, errors=errors)
    target = _check_obligation(meeting, obligation, errors)
    checked = _check_files(files, errors)
    errors.raise_if_any()

    meeting.save()
    _write_attendance(meeting, rows, actor=actor)
    link_meeting(meeting, target)
    ensure_in_scope(actor, meeting, "add")
    _store_files(meeting, checked, actor=actor)
    return meeting


@service
def meeting_update(*, actor, meeting: Meeting, **changes) -> Meeting:
    """Change any of the fields ``meeting_record`` takes; ``files`` adds attachments.

    ``obligation`` left out keeps the current link while it still fits; ``None`` picks the
    default. A returned (or approved) record goes back to 待审核."""
    unknown = set(changes) - set(UPDATABLE)
    if unknown:
        raise TypeError(f"meeting_update got unknown fields: {sorted(unknown)}")
    meeting = Meeting.objects.select_related("organization").get(pk=meeting.pk)
    _require(actor, meeting.organization, "change")
    organization = changes.get("organization", meeting.organization)
    if organization.pk != meeting.organization_id:
        _require(actor, organization, "change")
    before = {name: getattr(meeting, name) for name in ("organization", *SIMPLE_FIELDS)}
    meeting.organization = organization
    for name in SIMPLE_FIELDS:
        if name in changes:
            value = changes[name]
            is_text = name in ("topic", "place", "lecturer")
            setattr(meeting, name, (value or "").strip() if is_text else value)
    if "minutes" in changes:
        meeting.minutes = changes["minutes"] or ""

    errors = _Errors()
    _check_fields(meeting, errors)
    _check_dates_and_kind(meeting, errors)
    recorded = list(meeting.attendance.values_list("person_id", "status", "reason"))
    moved = organization.pk != before["organization"].pk
    # People recorded earlier stay acceptable while the organization is unchanged (they may
    # have moved since); a new host, or any host of a moved record, must be on the roster.
    host_changed = meeting.host_id != getattr(before["host"], "pk", None)
    rows = _clean_attendance(
        organization,
        changes.get("attendance", recorded),
        also_ids=[] if moved else [pk for pk, _s, _r in recorded],
        host=meeting.host if meeting.host and (host_changed or moved) else None,
        errors=errors,
    )
    target = _check_obligation(meeting, _wanted_obligation(meeting, changes, before), errors)
    checked = _check_files(changes.get("files", ()), errors)
    errors.raise_if_any()

    if meeting.status in REVIEWED:
        _resubmit(meeting)
    meeting.save()
    summary_before, summary_after = _write_attendance(meeting, rows, actor=actor)
    link_meeting(meeting, target)
    refresh_meeting_obligations(meeting)
    ensure_in_scope(actor, meeting, "change")
    stored = _store_files(meeting, checked, actor=actor)
    log = {}
    if sorted(rows) != sorted(recorded):
        log[_("出勤")] = [summary_before, summary_after]
    if stored:
        log[_("附件")] = ["", _added(stored)]
    _log_on_meeting(meeting, log, actor=actor)
    return meeting


def _wanted_obligation(meeting: Meeting, changes: dict, before: dict) -> Obligation | None:
    """The explicit choice; else the current link while it still fits (same organization and
    kind, and the date unchanged or still inside its period: a make-up meeting stays one);
    else None, which means the default for the new date."""
    if "obligation" in changes:
        return changes["obligation"]
    current = Obligation.objects.filter(meeting=meeting).order_by("period_start").first()
    if (
        current is None
        or current.organization_id != meeting.organization_id
        or current.kind != meeting.kind
        or not isinstance(meeting.held_on, dt.date)
    ):
        return None
    if meeting.held_on == before["held_on"] or (
        current.period_start <= meeting.held_on <= current.period_end
    ):
        return current
    return None


def _added(stored) -> str:
    return _("新增：%(names)s") % {"names": "、".join(a.original_name for a in stored)}


def rules_wanting_evidence(meeting: Meeting) -> list[CalendarRule]:
    """The calendar rules this record is judged by that list required evidence: the rules of
    the obligations it fulfils, or (fulfilling none) the rule in force for its kind."""
    rules = [o.rule for o in meeting.obligations.select_related("rule").order_by("period_start")]
    if not rules and isinstance(meeting.held_on, dt.date):
        in_force = CalendarRule.objects.in_force(meeting.held_on).filter(
            kind=meeting.kind, is_active=True
        )
        rules = [rule for rule in in_force if rule.applies_to(meeting.organization)]
    return [rule for rule in rules if rule.evidence_required]


def missing_evidence(meeting: Meeting) -> str:
    """Why the record cannot be approved yet for lack of files ("" when nothing is missing).

    The rule's list names documents (会议记录、签到表、照片), not typed uploads: one scan often
    holds several of them, so the record needs at least one file, and the reviewer judges
    whether the files cover the list."""
    if meeting.attachments.exists():
        return ""
    rules = rules_wanting_evidence(meeting)
    if not rules:
        return ""
    wanted = "、".join(dict.fromkeys(name for rule in rules for name in rule.evidence_required))
    return _(
        "会议“%(topic)s”对应的“%(rules)s”须附佐证材料（%(wanted)s），"
        "该记录尚未上传任何附件，不能审核通过；可退回并请支部补充后重新提交。"
    ) % {
        "topic": meeting.topic,
        "rules": "、".join(dict.fromkeys(rule.name for rule in rules)),
        "wanted": wanted,
    }


def lacking_evidence(meetings) -> set[int]:
    """Of ``meetings`` (a page of the list, with ``attachment_count``), the ids of those waiting
    for review that cannot be approved for lack of files; a fixed number of queries."""
    bare = [m for m in meetings if m.status == MeetingStatus.SUBMITTED and not m.attachment_count]
    if not bare:
        return set()
    linked = defaultdict(list)
    for meeting_id, evidence in Obligation.objects.filter(
        meeting_id__in=[m.pk for m in bare]
    ).values_list("meeting_id", "rule__evidence_required"):
        linked[meeting_id].append(evidence)
    versions = list(
        CalendarRule.objects.filter(kind__in={m.kind for m in bare}).order_by("-effective_from")
    )
    lacking = set()
    for meeting in bare:
        if meeting.pk in linked:
            wanted = any(linked[meeting.pk])
        else:  # fulfils no obligation: the rule in force for its kind, as missing_evidence does
            wanted = any(
                rule.evidence_required and rule.is_active and rule.applies_to(meeting.organization)
                for rule in _in_force(versions, meeting.kind, meeting.held_on)
            )
        if wanted:
            lacking.add(meeting.pk)
    return lacking


def _in_force(versions: list[CalendarRule], kind: str, on: dt.date) -> list[CalendarRule]:
    """The latest version of each rule code of ``kind`` in force on ``on`` (newest first)."""
    seen, found = set(), []
    for rule in versions:
        if rule.kind == kind and rule.effective_from <= on and rule.code not in seen:
            seen.add(rule.code)
            found.append(rule)
    return found


@service
def meeting_review(*, actor, meeting: Meeting, approve: bool, note: str = "") -> Meeting:
    """Approve, or send back with a reason. Only from strictly above the meeting's organization."""
    meeting = Meeting.objects.select_related("organization").get(pk=meeting.pk)
    if not can_review(actor, meeting.organization):
        raise PermissionDenied(_("只有上级党组织可以审核该会议记录。"))
    note = (note or "").strip()
    if meeting.status != MeetingStatus.SUBMITTED:
        raise ValidationError(
            _("该会议记录当前状态为“%(status)s”，只有待审核的记录可以审核。")
            % {"status": meeting.get_status_display()}
        )
    if not approve and not note:
        raise ValidationError({"note": _("退回时请填写退回原因。")})
    missing = missing_evidence(meeting) if approve else ""
    if missing:
        raise ValidationError(missing)
    if len(note) > Meeting._meta.get_field("review_note").max_length:
        raise ValidationError({"note": _("审核意见不能超过 500 字。")})
    meeting.status = MeetingStatus.APPROVED if approve else MeetingStatus.RETURNED
    meeting.review_note = note
    meeting.reviewed_by = actor
    meeting.reviewed_at = timezone.now()
    meeting.save(update_fields=REVIEW_FIELDS)
    refresh_meeting_obligations(meeting)
    if not approve:
        from .notify import notify_meeting_returned

        notify_meeting_returned(meeting, actor=actor)  # at once, not in tomorrow's digest
    return meeting


@service
def meeting_attach(*, actor, meeting: Meeting, files) -> list[MeetingAttachment]:
    """Add evidence files. A reviewed record goes back to review (its evidence changed)."""
    meeting = Meeting.objects.select_related("organization").get(pk=meeting.pk)
    _require(actor, meeting.organization, "change")
    errors = _Errors()
    checked = _check_files(files, errors)
    if not checked and not errors:
        errors.add("files", _("请选择要上传的文件。"))
    errors.raise_if_any()
    _after_evidence_change(meeting)
    stored = _store_files(meeting, checked, actor=actor)
    _log_on_meeting(meeting, {_("附件"): ["", _added(stored)]}, actor=actor)
    return stored


@service
def meeting_detach(*, actor, attachment: MeetingAttachment) -> None:
    """Remove one evidence file (the stored file goes once the transaction commits)."""
    attachment = MeetingAttachment.objects.select_related("meeting__organization").get(
        pk=attachment.pk
    )
    meeting = attachment.meeting
    _require(actor, meeting.organization, "change")
    _after_evidence_change(meeting)
    name, storage = attachment.file.name, attachment.file.storage
    attachment.delete()
    _log_on_meeting(
        meeting,
        {_("附件"): [attachment.original_name, _("已删除")]},
        actor=actor,
    )
    transaction.on_commit(lambda: storage.delete(name))


def _after_evidence_change(meeting: Meeting) -> None:
    if meeting.status in REVIEWED:
        _resubmit(meeting)
        meeting.save(update_fields=REVIEW_FIELDS)
        refresh_meeting_obligations(meeting)


@service
def meeting_delete(*, actor, meeting: Meeting) -> None:
    """Delete a record that was not approved; its obligation reopens."""
    meeting = Meeting.objects.select_related("organization").get(pk=meeting.pk)
    _require(actor, meeting.organization, "delete")
    if meeting.status == MeetingStatus.APPROVED:
        raise ValidationError(_("已通过审核的会议记录不能删除。"))
    link_meeting(meeting, None)
    files = [(a.file.storage, a.file.name) for a in meeting.attachments.all()]
    meeting.delete()
    transaction.on_commit(lambda: [storage.delete(name) for storage, name in files])
