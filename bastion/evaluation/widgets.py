"""Evaluation on other pages: the titles panel of an organization's page and the home widget.

``org_panel`` is listed in the app's ``org_panels``; ``home_widget`` in its ``home_widgets``.
Both return rendered HTML, or None when there is nothing for this user to see.
"""

from __future__ import annotations

from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.urls import reverse

from bastion.core.scope import has_permission_anywhere

from .models import TitleAward, TitleKind
from .selectors_results import latest_published_rounds, sees_unpublished, visible_all
from .selectors_titles import badges, org_current, stars_text

VIEW_TITLES = "evaluation.view_titleaward"
OWN_RESULTS = 5


def org_panel(request, org) -> str | None:
    """The titles ``org`` holds now: watch list, red flag, stars, its arena champion."""
    user = request.user
    if not has_permission_anywhere(user, VIEW_TITLES):
        return None
    awards = org_current(user, org)
    if not awards:
        return None
    for award in awards:
        award.stars_text = stars_text(award.stars) if award.kind == TitleKind.STAR else ""
    by_kind = {kind: [a for a in awards if a.kind == kind] for kind in TitleKind.values}
    return render_to_string(
        "evaluation/widgets/org_panel.html",
        {
            "org": org,
            "watch": _first_listing(by_kind[TitleKind.WATCH]),
            "red_flags": by_kind[TitleKind.RED_FLAG],
            "stars": by_kind[TitleKind.STAR],
            "champions": by_kind[TitleKind.CHAMPION],
            "others": by_kind[TitleKind.COMPLIANT] + by_kind[TitleKind.HONOUR],
            "history_url": reverse("evaluation:history_org", args=[org.pk]),
            "board_url": reverse("evaluation:title_board"),
        },
        request=request,
    )


def _first_listing(watch: list) -> list:
    """One row per scheme for an organization listed round after round: the award that put it
    on the watch list, whose date is the 挂牌 date."""
    first: dict[int, TitleAward] = {}
    for award in sorted(watch, key=lambda a: (a.awarded_on, a.pk)):
        first.setdefault(award.scheme_id, award)
    return list(first.values())


def _own_results(user) -> list:
    targets = list(
        visible_all(user)
        .filter(person__user=user, total__isnull=False)
        .select_related("round", "person")
        .defer("round__snapshot", "contributions")
        .order_by("-round__period_start", "-round_id")[:OWN_RESULTS]
    )
    for target in targets:
        target.badges = badges(target.titles)
    return targets


def _board_counts(user) -> dict:
    return TitleAward.objects.restrict(user, "view").aggregate(
        red_flags=Count(
            "id", filter=Q(kind=TitleKind.RED_FLAG, round__in=latest_published_rounds())
        ),
        watch=Count(
            "organization", distinct=True, filter=Q(kind=TitleKind.WATCH, lifted_on__isnull=True)
        ),
    )


def home_widget(request) -> str | None:
    """A member's latest published results and titles; for who runs rounds, the red flag and
    watch-list counts with a link to the title board."""
    user = request.user
    if not user.is_authenticated:
        return None
    own = _own_results(user)
    manages = sees_unpublished(user) and has_permission_anywhere(user, VIEW_TITLES)
    counts = _board_counts(user) if manages else None
    if not own and counts is None:
        return None
    return render_to_string(
        "evaluation/widgets/home.html",
        {"own": own, "counts": counts, "board_url": reverse("evaluation:title_board")},
        request=request,
    )
