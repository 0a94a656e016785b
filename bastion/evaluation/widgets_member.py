"""What evaluation shows a person of their own on the home page (待评分, 我的积分, 我的称号) and
in the kernel's 我的任务 (``EvaluationConfig.home_widgets`` and ``my_work``).

Each card is for a person: nothing for an account without one. The rounds come from the same
selector as 我的评分 (``selectors_scoring.home_cards``), so the two never disagree.
"""

from __future__ import annotations

import datetime as dt

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from bastion.core.my_work import WorkItem
from bastion.core.scope import has_permission_anywhere

from .selectors_member import own_points, own_titles
from .selectors_scoring import home_cards, may_score_anywhere

ADD_POINTS = "evaluation.add_pointsentry"
VIEW_TITLES = "evaluation.view_titleaward"


def _person(user):
    return getattr(user, "person", None) if user.is_authenticated else None


def _open_cards(user, today: dt.date) -> list:
    """``home_cards`` once per request: the rounds card and 我的任务 both read it."""
    if not may_score_anywhere(user):
        return []
    cache = user.__dict__.setdefault("_bastion_round_cards", {})
    if today not in cache:
        cache[today] = home_cards(user, today)
    return cache[today]


def rounds_to_rate(request) -> str | None:
    """The open rounds where the person has someone to rate or a key event to submit."""
    user = request.user
    if _person(user) is None or not may_score_anywhere(user):
        return None
    cards = _open_cards(user, timezone.localdate())
    return render_to_string(
        "evaluation/widgets/rounds_to_rate.html",
        {"cards": cards, "scoring_url": reverse("evaluation:scoring_home")},
        request=request,
    )


def my_points(request) -> str | None:
    user = request.user
    person = _person(user)
    if person is None or not has_permission_anywhere(user, ADD_POINTS):
        return None
    return render_to_string(
        "evaluation/widgets/my_points.html",
        {"points": own_points(user, person, timezone.localdate())},
        request=request,
    )


def my_titles(request) -> str | None:
    user = request.user
    person = _person(user)
    if person is None or not has_permission_anywhere(user, VIEW_TITLES):
        return None
    return render_to_string(
        "evaluation/widgets/my_titles.html",
        {
            "titles": own_titles(user, person),
            "history_url": reverse("evaluation:history_person", args=[person.pk]),
        },
        request=request,
    )


def work_items(user, today: dt.date) -> list[WorkItem]:
    """A round with someone left to rate; an arena round whose key event is not in yet."""
    items = []
    for card in _open_cards(user, today):
        closes = card.round.closes_on
        level = "yellow" if (closes - today).days <= 3 else "green"
        if card.pending:
            items.append(
                WorkItem(
                    label=_("评分：%(round)s") % {"round": card.round.name},
                    detail=_("还有 %(n)d 个待评") % {"n": card.pending},
                    url=reverse("evaluation:scoring_round", args=[card.round.pk]),
                    due_on=closes,
                    level=level,
                )
            )
        if card.arena and card.can_submit and card.my_event is None:
            items.append(
                WorkItem(
                    label=_("提交关键事件：%(round)s") % {"round": card.round.name},
                    url=reverse("evaluation:arena_event", args=[card.round.pk]),
                    due_on=closes,
                    level=level,
                )
            )
    return items
