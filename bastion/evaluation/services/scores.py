"""An evaluator's submission: the scores of one target's manual items, as one evaluator group.

Who may act as which group follows the tree, so no roster has to be kept:

- 自评 (self): the member themself, or for an organization the holder of a grant to score as
  the committee on exactly that organization (its secretary, not every member);
- 互评 (peers): another member of the same branch; for an organization, the holder of such a
  grant on a sibling organization;
- 上级党组织 (higher): a grant to score as the committee on an organization above the target
  (for a member, on their branch or above);
- 业务部门 (business): a grant to score as a business department covering the target, held by
  someone who does not score as the committee there;
- 服务对象 (public): the survey result, entered by someone who may score as the committee.

Nobody but the self group scores their own target: that is refused with a message (HTTP 400).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from bastion.core.scope import Grant, grant
from bastion.core.services import service
from bastion.orgs.models import Organization

from ..models import MANUAL_KINDS, EvaluatorKind, Round, RoundState, Score, Target

SCORE = "evaluation.score_target"
AS_COMMITTEE = "evaluation.score_as_committee"
AS_BUSINESS = "evaluation.score_as_business"


def _covers(held: Grant, path: str, *, strictly_above: bool = False) -> bool:
    """``held`` covers ``path`` (with ``strictly_above``: through a grant above it)."""
    return held.covers(path[: -Organization.steplen] if strictly_above else path)


def is_own_target(user, target: Target) -> bool:
    return bool(target.person_id) and target.person.user_id == user.pk


def evaluator_groups(user, target: Target) -> set[str]:
    """The evaluator groups ``user`` may score ``target`` as (empty: none)."""
    path = target.organization.path
    if not grant(user, SCORE).covers(path):
        return set()
    groups = set()
    own = is_own_target(user, target)
    committee = grant(user, AS_COMMITTEE)
    if target.person_id:
        if own:
            groups.add(EvaluatorKind.SELF)
        person = getattr(user, "person", None)
        if not own and person is not None and person.organization_id == target.organization_id:
            groups.add(EvaluatorKind.PEERS)
    else:
        # The organization's own committee scores itself; a sibling's committee, as a peer.
        if path in committee.nodes:
            groups.add(EvaluatorKind.SELF)
        parent = path[: -Organization.steplen]
        if any(
            p != path and len(p) == len(path) and p.startswith(parent) for p in committee.nodes
        ):
            groups.add(EvaluatorKind.PEERS)
    if not own and _covers(committee, path, strictly_above=not target.person_id):
        groups.update({EvaluatorKind.HIGHER, EvaluatorKind.PUBLIC})
    # A committee holds the business permission only so that it may grant the business role.
    business = grant(user, AS_BUSINESS).covers(path)
    if not own and business and not committee.covers(path):
        groups.add(EvaluatorKind.BUSINESS)
    return groups


def scorable_items(round_: Round, group: str) -> list[dict]:
    """The manual items of the round's scheme that ``group`` scores."""
    return [
        item for item in round_.snapshot["indicators"]
        if item["kind"] in MANUAL_KINDS and (not item["scored_by"] or group in item["scored_by"])
    ]  # fmt: skip


def scoring_open(round_: Round, today: dt.date | None = None) -> bool:
    today = today or timezone.localdate()
    return round_.state == RoundState.SCORING and round_.opens_on <= today <= round_.closes_on


@service
def score_submit(
    *, actor, round_: Round, target: Target, group: str, values: dict, comment: str = "",
    today: dt.date | None = None,
) -> list[Score]:  # fmt: skip
    """Save (or replace) ``actor``'s scores of ``target`` as ``group``; all or nothing."""
    _check_window(round_, today)
    if target.round_id != round_.pk:
        raise ValidationError({"target": _("该评价对象不属于本轮考评。")})
    if not Target.objects.restrict(actor, "score").filter(pk=target.pk).exists():
        raise PermissionDenied(_("该评价对象不在您的评价范围内。"))
    if group not in {g["kind"] for g in round_.snapshot["groups"]}:
        raise ValidationError(
            {"group": _("本方案没有“%(group)s”这一评价主体。") % {"group": group}}
        )
    if group != EvaluatorKind.SELF and is_own_target(actor, target):
        raise ValidationError({"target": _("不能给自己评分：本人只能参加自评。")})
    if group not in evaluator_groups(actor, target):
        raise PermissionDenied(_("您不能以“%(group)s”的身份评价该对象。")
                               % {"group": EvaluatorKind(group).label})  # fmt: skip
    if round_.snapshot.get("style") == "arena" and not hasattr(target, "key_event"):
        raise ValidationError({"target": _("该党员尚未提交关键事件，暂不能评价。")})
    cleaned = _clean_values(round_, group, values)
    Score.objects.filter(round=round_, target=target, group=group, evaluator=actor).delete()
    scores = [
        Score(round=round_, target=target, indicator=code, group=group, evaluator=actor,
              value=value, comment=comment[:300])
        for code, value in cleaned.items()
    ]  # fmt: skip
    Score.objects.bulk_create(scores)
    return scores


def _check_window(round_: Round, today) -> None:
    today = today or timezone.localdate()
    if round_.state != RoundState.SCORING:
        raise ValidationError(_("本轮考评已结束评分，不能再提交。"))
    if today < round_.opens_on:
        raise ValidationError(_("评分尚未开始（%(day)s 开始）。") % {"day": round_.opens_on})
    if today > round_.closes_on:
        raise ValidationError(_("评分已于 %(day)s 截止。") % {"day": round_.closes_on})


def _clean_values(round_: Round, group: str, values: dict) -> dict[str, Decimal]:
    items = {item["code"]: item for item in scorable_items(round_, group)}
    errors, cleaned = {}, {}
    for code, raw in values.items():
        item = items.get(code)
        if item is None:
            errors[code] = _("指标“%(code)s”不是该评价主体的评分项。") % {"code": code}
            continue
        if raw in (None, ""):
            continue  # left blank: not scored
        try:
            value = Decimal(str(raw).strip())
        except InvalidOperation:
            errors[code] = _("“%(name)s”的分值“%(raw)s”不是数字。") % {
                "name": item["name"],
                "raw": raw,
            }
            continue
        top = Decimal(1) if item["kind"] == "veto" else Decimal(item["max_score"])
        if not value.is_finite() or value < 0 or value > top:
            message = _("“%(name)s”的分值应在 0 到 %(top)s 之间。")
            errors[code] = message % {"name": item["name"], "top": format(top.normalize(), "f")}
            continue
        cleaned[code] = value.quantize(Decimal("0.01"))
    if errors:
        raise ValidationError(errors)
    if not cleaned:
        raise ValidationError(_("请至少填写一项评分。"))
    return cleaned
