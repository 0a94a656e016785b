"""党员积分手册: record a member's points for a handbook item, and review what members record.

A member records for themself: the entry waits for review (pending). A secretary or committee
holding ``approve_pointsentry`` over the member's organization records for a member: the entry
counts at once (approved, with them as approver). Nobody approves their own entry. Only
approved entries count in balances (``selectors_points``) and in the star-member scheme.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from bastion.core.evidence import check_upload
from bastion.core.local_names import local_name
from bastion.core.scope import allows, ensure_in_scope
from bastion.core.services import service
from bastion.orgs.models import Person
from bastion.orgs.models.person import MembershipStatus

from ..models import EntryState, PointsEntry, PointsItem
from .notify import points_review_notify

ADD = "evaluation.add_pointsentry"
APPROVE = "evaluation.approve_pointsentry"
MEMBER_STATUSES = {MembershipStatus.FULL, MembershipStatus.PROBATIONARY}
MAX_POINTS = Decimal("9999.99")


def _may_approve_for(user, person: Person) -> bool:
    return allows(user, APPROVE, person.organization)


def _is_own(user, person: Person) -> bool:
    return user is not None and person.user_id is not None and person.user_id == user.pk


def _points(raw, item: PointsItem) -> Decimal:
    if raw in (None, ""):
        return item.points
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError(
            {"points": _("积分“%(v)s”不是数字。") % {"v": str(raw)[:20]}}
        ) from None
    if not value.is_finite() or value == 0 or abs(value) > MAX_POINTS:
        raise ValidationError({"points": _("积分应为不等于 0 的数字，绝对值不超过 9999.99。")})
    if value != value.quantize(Decimal("0.01")):
        raise ValidationError({"points": _("积分最多保留两位小数。")})
    return value


def _missing_evidence(item: PointsItem) -> str:
    return _("积分项目“%(name)s”须附佐证材料。") % {"name": local_name(item)}


def _check(actor, person, item, occurred_on, today, points, evidence) -> bool:
    """Validate; return True when the entry counts at once (recorded by an approver)."""
    own = _is_own(actor, person)
    approver = not own and _may_approve_for(actor, person)
    if own and not allows(actor, ADD, person.organization):
        raise PermissionDenied(_("您无权登记积分。"))
    if not own and not approver:
        raise PermissionDenied(_("您只能为自己登记积分，或为您有审核权限的党员登记积分。"))
    errors = {}
    if person.membership_status not in MEMBER_STATUSES:
        errors["person"] = _("“%(name)s”不是党员（含预备党员），不能登记积分。") % {
            "name": person.name
        }
    if not item.is_active:
        errors["item"] = _("积分项目“%(name)s”已停用。") % {"name": item.name}
    if occurred_on is None:
        errors["occurred_on"] = _("请填写日期。")
    elif occurred_on > today:
        errors["occurred_on"] = _("日期不能晚于今天（%(today)s）。") % {"today": today}
    if points not in (None, "") and not approver:
        errors["points"] = _("分值按积分手册确定，只有审核人可以调整。")
    if item.evidence_required and not evidence:
        errors["evidence"] = _missing_evidence(item)
    if errors:
        raise ValidationError(errors)
    return approver


@service
def points_entry_create(
    *,
    actor,
    person: Person,
    item: PointsItem,
    occurred_on: dt.date,
    note: str = "",
    evidence=None,
    points=None,
    today: dt.date | None = None,
) -> PointsEntry:
    """Record ``person``'s points for ``item``: pending when they record it themself,
    approved when an approver records it for them."""
    today = today or timezone.localdate()
    approved = _check(actor, person, item, occurred_on, today, points, evidence)
    checked = None
    if evidence:
        try:
            checked = check_upload(evidence)
        except ValidationError as exc:
            raise ValidationError({"evidence": exc.messages}) from exc
    entry = PointsEntry(
        person=person,
        item=item,
        occurred_on=occurred_on,
        points=_points(points, item),
        note=(note or "").replace("\x00", "").strip(),
        recorded_by=actor,
        state=EntryState.APPROVED if approved else EntryState.PENDING,
    )
    if approved:
        entry.approver, entry.approved_at = actor, timezone.now()
    if checked is not None:
        entry.evidence.save(checked.storage_name(), File(evidence), save=False)
        entry.evidence_name = checked.original_name
    try:
        entry.full_clean(exclude=["evidence"])
        entry.save()
        ensure_in_scope(actor, entry, "view")
    except Exception:
        if checked is not None:  # the file must not outlive a refused write
            entry.evidence.storage.delete(entry.evidence.name)
        raise
    if not approved:
        points_review_notify(actor=actor, entry=entry)  # the reviewers: it waits for them
    return entry


@service
def points_entry_review(
    *, actor, entry: PointsEntry, approve: bool, reason: str = ""
) -> PointsEntry:
    """Approve (认定) or reject a pending entry of someone else within the actor's scope."""
    entry = (
        PointsEntry.objects.select_for_update()
        .select_related("person__organization", "item")
        .get(pk=entry.pk)
    )
    if not PointsEntry.objects.filter(pk=entry.pk).restrict(actor, "approve").exists():
        raise PermissionDenied(_("您无权审核该积分记录。"))
    if _is_own(actor, entry.person):
        raise ValidationError(_("不能审核自己的积分记录。"))
    if entry.state != EntryState.PENDING:
        raise ValidationError(
            _("该记录已是“%(state)s”，只能审核待审核的记录。")
            % {"state": entry.get_state_display()}
        )
    if approve and entry.item.evidence_required and not entry.evidence:
        # An entry can reach the queue without its file (recorded before the item asked for
        # evidence, or written by an import): it counts only once the file is there.
        raise ValidationError(
            _("%(missing)s该记录没有佐证，不能认定；可不认定并请党员补充佐证后重新登记。")
            % {"missing": _missing_evidence(entry.item)}
        )
    reason = (reason or "").replace("\x00", "").strip()[:300]
    entry.state = EntryState.APPROVED if approve else EntryState.REJECTED
    entry.approver, entry.approved_at = actor, timezone.now()
    entry.save(update_fields=["state", "approver", "approved_at"])
    if not approve:
        _notify_rejected(entry, reason)
    return entry


def _notify_rejected(entry: PointsEntry, reason: str) -> None:
    """The member learns why an entry did not count (the ledger keeps no reason field)."""
    if entry.person.user_id is None:
        return
    from bastion.core.notifications.services import notification_send

    body = _("%(date)s “%(item)s” %(points)s 分未被认定。") % {
        "date": entry.occurred_on,
        "item": entry.item.name,
        "points": entry.points,
    }
    if reason:
        body += _("原因：%(reason)s") % {"reason": reason}
    notification_send(
        actor=entry.approver,
        recipients=[entry.person.user_id],
        event="evaluation.points_rejected",
        title=_("积分记录未被认定"),
        body=body,
        url=reverse("evaluation:points_mine"),
        subjects=[entry],
        channels=(),
    )
