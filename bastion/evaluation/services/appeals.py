"""Appeals (申诉) against a published result, and their answer.

Who may appeal: the member whose own result it is, or someone holding ``add_appeal`` *and*
``view_target`` over the target's organization (a branch secretary for the branch and its
members). A member's ``add_appeal`` alone covers only their own results: members do not see
each other's rows, so they cannot appeal them. An appeal is raised while the round is published
and on or before ``appeal_until``; a target has at most one open appeal.

An upheld appeal recomputes the round from the current scores and data and awards its titles
again (the answerer corrects the scores first); a dismissed one changes nothing. Either way the
person who raised it gets one message.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from bastion.core.notifications.models import NotificationLevel
from bastion.core.notifications.services import notification_send
from bastion.core.services import service

from ..models import Appeal, AppealState, RoundState, Target
from ..selectors_appeals import may_appeal, open_appeal, result_url, window_error
from .rounds import round_results_compute, round_titles_award


@service
def appeal_raise(*, actor, target: Target, reason: str, today: dt.date | None = None) -> Appeal:
    """Raise an appeal against ``target``'s published result."""
    if not may_appeal(actor, target):
        raise PermissionDenied(_("您不能对该考评结果提出申诉。"))
    problem = window_error(target.round, today)
    if problem:
        raise ValidationError(problem)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写申诉理由。")})
    if open_appeal(target) is not None:
        raise ValidationError(_("该考评对象已有待处理的申诉，请等待处理结果。"))
    appeal = Appeal(target=target, reason=reason, raised_by=actor)
    appeal.full_clean()
    appeal.save()
    return appeal


@service
def appeal_answer(
    *, actor, appeal: Appeal, uphold: bool, answer: str, today: dt.date | None = None
) -> Appeal:
    """Uphold (recompute the round and award its titles again) or dismiss an open appeal."""
    if not Appeal.objects.restrict(actor, "change").filter(pk=appeal.pk).exists():
        raise PermissionDenied(_("您无权处理该申诉。"))
    if appeal.state != AppealState.OPEN:
        raise ValidationError(_("该申诉已处理，不能重复处理。"))
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": _("请填写处理意见。")})
    round_ = appeal.target.round
    if uphold:
        if round_.state != RoundState.PUBLISHED:
            raise ValidationError(_("本轮考评不在发布状态（已归档），不能重新计算。"))
        round_results_compute(actor=actor, round_=round_)
        round_titles_award(actor=actor, round_=round_, today=today or timezone.localdate())
        round_.computed_at = timezone.now()
        round_.save(update_fields=["computed_at"])
    appeal.state = AppealState.UPHELD if uphold else AppealState.DISMISSED
    appeal.answer = answer
    appeal.answered_by = actor
    appeal.answered_at = timezone.now()
    appeal.full_clean()
    appeal.save()
    _notify(appeal)
    return appeal


def _notify(appeal: Appeal) -> None:
    target = appeal.target
    with translation.override(settings.LANGUAGE_CODE):
        outcome = AppealState(appeal.state).label
        title = _("您对“%(round)s”中“%(target)s”的申诉已处理：%(outcome)s") % {
            "round": target.round.name,
            "target": target.label,
            "outcome": outcome,
        }
        notification_send(
            actor=appeal.answered_by,
            recipients=[appeal.raised_by],
            event="evaluation.appeal_answered",
            level=NotificationLevel.INFO,
            title=title[:200],
            body=appeal.answer,
            url=result_url(target),
            subjects=[appeal],
            dedupe_key=f"evaluation.appeal_answered:{appeal.pk}",
            channels=(),
        )
