"""The rectification state machine (闭环整改) and the rules that file a problem.

planned → in_progress → submitted (with evidence) → verified → closed; submitted → rejected
(a reason) → in_progress / submitted again; closed → in_progress when the problem comes back
(a reason). The rectifying side (``change_problem`` over the responsible organization) moves it
forward; the verifying side (``verify_problem`` over the problem's organization: the inspecting
side or discipline inspection) verifies, rejects, closes and reopens.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from bastion.core import evidence as checks
from bastion.core.scope import allows
from bastion.core.services import service
from bastion.orgs.models import Organization

from ..models import Library, Problem, ProblemEvent, ProblemEvidence, State
from .notify import notify_moved

RECTIFY, VERIFY = "problems.change_problem", "problems.verify_problem"
# to-state → (allowed from-states, permission, needs a reason)
TRANSITIONS = {
    State.IN_PROGRESS: ({State.PLANNED, State.REJECTED}, RECTIFY, False),
    State.SUBMITTED: ({State.IN_PROGRESS, State.REJECTED}, RECTIFY, False),
    State.REJECTED: ({State.SUBMITTED}, VERIFY, True),
    State.VERIFIED: ({State.SUBMITTED}, VERIFY, False),
    State.CLOSED: ({State.VERIFIED}, VERIFY, False),
    "reopen": ({State.CLOSED, State.VERIFIED}, VERIFY, True),
}

# Moves that approve the rectification: each needs evidence on file.
APPROVALS = {State.VERIFIED, State.CLOSED}

MOVE_LABELS = {
    State.IN_PROGRESS: _l("开始整改"),
    State.SUBMITTED: _l("提交验收"),
    State.REJECTED: _l("验收不通过"),
    State.VERIFIED: _l("验收通过"),
    State.CLOSED: _l("销号"),
    "reopen": _l("重新打开"),
}


def allowed_moves(problem: Problem, user) -> list[str]:
    """The targets ``user`` may move ``problem`` to now (for buttons and the API)."""
    return [to for to in TRANSITIONS if _refusal(problem, user, to) is None]


def _refusal(problem: Problem, user, to: str) -> tuple[str, str] | None:
    """None when allowed, else (kind, message) with kind "state" or "permission"."""
    if to not in TRANSITIONS:
        return "state", _("未知的目标状态“%(to)s”。") % {"to": to}
    sources, permission, _needs_reason = TRANSITIONS[to]
    if problem.state not in sources:
        return "state", _("问题当前为“%(now)s”，不能执行该操作。") % {
            "now": problem.get_state_display()
        }
    org = problem.responsible_org if permission == RECTIFY else problem.organization
    if not allows(user, permission, org):
        return "permission", _("您无权执行该操作。")
    return None


@service
def problem_transition(*, actor, problem: Problem, to: str, reason: str = "", files=()) -> Problem:
    """Move ``problem`` to ``to`` (a State value, or "reopen"); ``files`` are evidence.

    The row is locked and read again so two people acting at once cannot both move it."""
    locked = (
        Problem.objects.select_for_update()
        .select_related("organization", "responsible_org")
        .get(pk=problem.pk)
    )
    refusal = _refusal(locked, actor, to)
    if refusal:
        kind, message = refusal
        if kind == "permission":
            raise PermissionDenied(message)
        raise ValidationError({"to": message})
    reason = (reason or "").strip()
    if TRANSITIONS[to][2] and not reason:
        raise ValidationError({"reason": _("请填写原因。")})
    if len(reason) > 500:
        raise ValidationError({"reason": _("原因不能超过 500 字。")})
    files = list(files or ())
    if files:
        try:
            checks.check_uploads(files)
        except ValidationError as exc:
            raise ValidationError({"files": exc.messages}) from exc
    target = State.IN_PROGRESS if to == "reopen" else to
    # After a rejection, new evidence is needed; otherwise any evidence on file will do.
    if (
        target == State.SUBMITTED
        and not files
        and (locked.state == State.REJECTED or not locked.evidence.exists())
    ):
        raise ValidationError({"files": _("提交验收前请上传整改佐证材料（照片或文件）。")})
    # Approving is the check of that evidence: a row that reached 已提交 without any (data
    # from before the rule) is sent back, never approved on trust (issue 14).
    if target in APPROVALS and not files and not locked.evidence.exists():
        raise ValidationError(
            {"files": _("该问题没有整改佐证材料，不能验收通过或销号；请退回责任单位补充佐证。")}
        )
    event = ProblemEvent.objects.create(
        problem=locked, from_state=locked.state, to_state=target, reason=reason, actor=actor
    )
    _attach_evidence(locked, files, event=event)
    today = timezone.localdate()
    locked.state = target
    if target == State.SUBMITTED:
        locked.submitted_on = today
    if target == State.CLOSED:
        locked.closed_on = today
    if to == "reopen":
        locked.closed_on = None
    locked.save(update_fields=["state", "submitted_on", "closed_on"])
    problem.state, problem.submitted_on, problem.closed_on = (
        locked.state,
        locked.submitted_on,
        locked.closed_on,
    )
    notify_moved(locked, actor=actor, step=event)
    return problem


def _attach_evidence(problem: Problem, files, *, event=None) -> list[ProblemEvidence]:
    """Store ``files`` (checked by ``bastion.core.evidence``) under safe generated names;
    the original name is kept for downloads."""
    rows = []
    for upload in files or ():
        checked = checks.check_upload(upload)
        evidence = ProblemEvidence(
            problem=problem, event=event, size=checked.size, original_name=checked.original_name
        )
        evidence.file.save(checked.storage_name(), upload, save=False)
        evidence.save()
        rows.append(evidence)
    return rows


# --- filing: library, owner, recurrence, escalation ----------------------------------------


def library_for_tier(tier: int) -> str:
    """S4's three-level library: minor and general problems stay with the branch, key ones
    go to the county committee, those needing the level above to the company committee."""
    return {1: Library.BRANCH, 2: Library.BRANCH, 3: Library.COUNTY}.get(tier, Library.COMPANY)


def owner_for(org: Organization, library: str) -> Organization:
    """The organization whose library holds the problem: the branch itself, its nearest
    committee (county), or the root committee (company)."""
    if library == Library.COMPANY:
        return Organization.objects.get(path=org.path[: Organization.steplen])
    chain = list(
        Organization.objects.filter(
            path__in=[
                org.path[:i]
                for i in range(Organization.steplen, len(org.path) + 1, Organization.steplen)
            ]
        ).order_by("-depth")
    )
    if library == Library.COUNTY:
        return next((o for o in chain if o.kind == "committee"), chain[-1])
    return next((o for o in chain if o.kind != "group"), chain[0])


def is_recurring(org: Organization, category: str, found_on: dt.date, exclude=None) -> bool:
    """The same category found again at the same organization within a year."""
    earlier = Problem.objects.filter(
        organization=org,
        category=category,
        found_on__gte=found_on - dt.timedelta(days=365),
        found_on__lte=found_on,
    )
    if exclude is not None:
        earlier = earlier.exclude(pk=exclude)
    return earlier.exists()


def suggested_tier(org: Organization, category: str, found_on: dt.date, tier: int) -> int:
    """A recurring problem is at least 多发一般 (tier 2)."""
    return max(tier, 2) if is_recurring(org, category, found_on) else tier


def escalate(problem: Problem) -> None:
    """Tier 4: the committee above the current owner owns the answer."""
    owner = problem.owner
    above = (
        Organization.objects.filter(
            path__in=[
                owner.path[:i]
                for i in range(Organization.steplen, len(owner.path), Organization.steplen)
            ],
            kind="committee",
        )
        .order_by("-depth")
        .first()
    )
    problem.owner = above or owner
    problem.library = Library.COMPANY if problem.owner.depth == 1 else Library.COUNTY
    problem.escalated_at = timezone.now()
