"""The title board (称号榜): 流动红旗, 不放心支部 挂牌督办, 五星党支部, 擂主 and 达标, current as of
the latest published rounds. Needs ``view_titleaward`` somewhere; rows come through the scope door
(``selectors_titles``)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from bastion.core.scope import has_permission_anywhere
from bastion.orgs.selectors import nearby_choices

from .. import selectors_results, selectors_titles


@login_required
def title_board(request):
    user = request.user
    if not has_permission_anywhere(user, "evaluation.view_titleaward"):
        raise Http404
    selected, _q, refused = selectors_results.parse_filters(user, request.GET)
    today = timezone.localdate()
    context = {
        "within_options": nearby_choices(user, selected),
        "within_selected": selected.pk if selected else None,
        "refused": refused,
        "today": today,
        "lifted_days": selectors_titles.LIFTED_DAYS,
    }
    if refused:
        context.update(red_flags=[], watch=[], lifted=[], star_counts=[], five_stars=[],
                       champions=[], compliance=[])  # fmt: skip
    else:
        context.update(selectors_titles.board(user, selected, today))
    return render(request, "evaluation/titles/board.html", context)
