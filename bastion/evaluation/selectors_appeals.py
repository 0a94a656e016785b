"""Reads behind the appeal pages and the appeal services: who may appeal a result, whether the
round takes appeals today, the open appeal of a target, the link to a result."""

from __future__ import annotations

import datetime as dt

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from bastion.core.scope import allows

from .models import Appeal, AppealState, Round, RoundState, Target


def _is_own(user, target: Target) -> bool:
    return bool(target.person_id) and target.person.user_id == user.pk


def may_appeal(user, target: Target) -> bool:
    """Whether ``user`` may appeal ``target``'s result (the window aside)."""
    if _is_own(user, target):
        return True
    path = target.organization.path
    return allows(user, "evaluation.add_appeal", path) and allows(
        user, "evaluation.view_target", path
    )


def window_error(round_: Round, today: dt.date | None = None) -> str | None:
    """Why ``round_`` takes no appeal today, or None when it does."""
    today = today or timezone.localdate()
    if round_.state in (RoundState.SCORING, RoundState.COMPUTED):
        return _("本轮考评结果尚未发布，暂不能申诉。")
    if round_.state == RoundState.CLOSED:
        return _("本轮考评已归档，不再受理申诉。")
    if round_.appeal_until is None or today > round_.appeal_until:
        day = round_.appeal_until.isoformat() if round_.appeal_until else "—"
        return _("申诉期已于 %(day)s 截止。") % {"day": day}
    return None


def open_appeal(target: Target) -> Appeal | None:
    return Appeal.objects.filter(target=target, state=AppealState.OPEN).first()


def result_url(target: Target) -> str:
    try:
        return reverse("evaluation:target_detail", args=[target.pk])
    except NoReverseMatch:  # the results pages are mounted by another module
        return ""
