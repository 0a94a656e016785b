"""更正评分: after scoring has closed, the round's managers correct a target's scores (usually to
uphold an appeal). A correction replaces every score the group gave for the corrected items with
one score by the corrector, its reason in the comment and in the audit log, then recomputes the
round and, when it is already published, re-awards its titles."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from bastion.core.services import service

from ..models import Round, RoundState, Score, Target
from ..selectors_results import CORRECTABLE
from .rounds import round_results_compute, round_titles_award
from .scores import _clean_values


@service
def score_correct(
    *,
    actor,
    target: Target,
    group: str,
    values: dict,
    reason: str,
    today: dt.date | None = None,
) -> list[Score]:
    round_ = target.round
    if not Round.objects.restrict(actor, "change").filter(pk=round_.pk).exists():
        raise PermissionDenied(_("您无权更正该轮次的评分。"))
    if round_.state not in CORRECTABLE:
        raise ValidationError(
            _("只有已计算或已发布、尚未归档的轮次才能更正评分；评分期内请直接评分。")
        )
    if not (reason or "").strip():
        raise ValidationError({"reason": _("请填写更正理由。")})
    if group not in {g["kind"] for g in round_.snapshot["groups"]}:
        raise ValidationError({"group": _("本方案没有该评价主体。")})
    cleaned = _clean_values(round_, group, values)
    comment = (_("更正：") + reason.strip())[:300]
    corrected = []
    for code, value in cleaned.items():
        Score.objects.filter(target=target, indicator=code, group=group).delete()
        corrected.append(
            Score.objects.create(
                round=round_,
                target=target,
                indicator=code,
                group=group,
                evaluator=actor,
                value=value,
                comment=comment,
            )
        )
    round_results_compute(actor=actor, round_=round_)
    if round_.state == RoundState.PUBLISHED:
        round_titles_award(actor=actor, round_=round_, today=today or timezone.localdate())
    return corrected
