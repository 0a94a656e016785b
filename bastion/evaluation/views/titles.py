"""The title board (称号榜): 流动红旗, 不放心支部 挂牌督办, 五星党支部, 擂主 and 达标, current as of
the latest published rounds. Needs ``view_titleaward`` somewhere; rows come through the scope door
and ``TitleAwardFilter`` (as ``GET titles/``): an organization outside the scope is 404."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from bastion.core.scope import has_permission_anywhere
from bastion.orgs.selectors import nearby_choices

from .. import selectors_titles
from ..filters import TitleAwardFilter, chosen
from ..models import TitleAward


@login_required
def title_board(request):
    user = request.user
    if not has_permission_anywhere(user, "evaluation.view_titleaward"):
        raise Http404
    found = TitleAwardFilter(
        request.GET, queryset=TitleAward.objects.restrict(user, "view"), request=request
    )
    selected = chosen(found).get("within")
    today = timezone.localdate()
    context = {
        "within_options": nearby_choices(user, selected),
        "within_selected": selected.pk if selected else None,
        "today": today,
        "lifted_days": selectors_titles.LIFTED_DAYS,
        **selectors_titles.board(user, found.qs, selected, today),
    }
    return render(request, "evaluation/titles/board.html", context)
