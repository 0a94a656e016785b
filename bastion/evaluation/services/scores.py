"""An evaluator's submission: the scores of one target's manual items, as one evaluator group.

Who may act as which group is ``selectors_scoring.evaluator_groups``. Nobody but the self group
scores their own target: that is refused with a message (HTTP 400).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from bastion.core.services import service

from ..models import EvaluatorKind, Round, RoundState, Score, Target
from ..selectors_scoring import (
    evaluator_groups,
    is_own_target,
    own_target_refusal,
    scorable_items,
    unknown_group_refusal,
)


@service
def score_submit(
    *,
    actor,
    round_: Round,
    target: Target,
    group: str,
    values: dict,
    comment: str = "",
    today: dt.date | None = None,
) -> list[Score]:
    """Save (or replace) ``actor``'s scores of ``target`` as ``group``; all or nothing."""
    _check_window(round_, today)
    if target.round_id != round_.pk:
        raise ValidationError({"target": _("该评价对象不属于本轮考评。")})
    if not Target.objects.restrict(actor, "score").filter(pk=target.pk).exists():
        raise PermissionDenied(_("该评价对象不在您的评价范围内。"))
    if group not in {g["kind"] for g in round_.snapshot["groups"]}:
        raise ValidationError({"group": unknown_group_refusal(round_, group)})
    if group != EvaluatorKind.SELF and is_own_target(actor, target):
        raise ValidationError({"target": own_target_refusal(round_)})
    if group not in evaluator_groups(actor, target):
        raise PermissionDenied(
            _("您不能以“%(group)s”的身份评价该对象。") % {"group": EvaluatorKind(group).label}
        )
    if round_.snapshot.get("style") == "arena" and not hasattr(target, "key_event"):
        raise ValidationError({"target": _("该党员尚未提交关键事件，暂不能评价。")})
    cleaned = _clean_values(round_, group, values)
    Score.objects.filter(round=round_, target=target, group=group, evaluator=actor).delete()
    scores = [
        Score(
            round=round_,
            target=target,
            indicator=code,
            group=group,
            evaluator=actor,
            value=value,
            comment=comment[:300],
        )
        for code, value in cleaned.items()
    ]
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
