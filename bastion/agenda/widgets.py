"""Home page widget of the agenda: alarms and this month's items of the organization in view.

It is for who can act on them (record the meetings, or review them): a member, who may read
their branch's board, is not shown branch alarms on their home page. The red count comes with
the red items themselves, each a link to what settles it (or to its board).
"""

from __future__ import annotations

from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from bastion.core.alerts import BADGE_CLASS
from bastion.core.scope import allows, subtree_q

from .models import AlertLevel, Obligation
from .selectors_agenda import alert_q
from .selectors_board import Links, decorate, month_bounds

MONTH_ITEMS = 6
RED_ITEMS = 8
ACT = ("agenda.add_meeting", "agenda.review_meeting")


def board_summary(request) -> str | None:
    """Red and yellow counts in the switcher's organization's subtree, and the open items due
    this month, soonest first; links to the board. Nothing for a user who sees no obligation."""
    org = request.current_org
    user = request.user
    if not org or not allows(user, "agenda.view_obligation", org):
        return None
    if not any(allows(user, permission, org) for permission in ACT):
        return None
    today = timezone.localdate()
    first, last = month_bounds(today)
    mine = (
        Obligation.objects.restrict(user, "view")
        .filter(subtree_q("organization__path", org.path), organization__is_active=True)
        .order_by()
    )
    open_ = Q(fulfilled_on__isnull=True)
    counts = mine.filter(open_ | Q(fulfilled_on__gte=first)).aggregate(
        red=Count("id", filter=alert_q("red", today)),
        yellow=Count("id", filter=alert_q("yellow", today)),
        month=Count("id", filter=open_ & Q(due_on__gte=today, due_on__lte=last)),
        done=Count("id", filter=Q(fulfilled_on__gte=first, fulfilled_on__lte=today)),
    )
    items = list(
        mine.filter(fulfilled_on__isnull=True, due_on__gte=today, due_on__lte=last)
        .select_related("rule", "organization")
        .order_by("due_on", "rule__sort_order", "organization__path")[:MONTH_ITEMS]
    )
    for item in items:
        item.colour = item.alert(today)
        item.badge_class = BADGE_CLASS[item.colour]
        item.colour_label = AlertLevel(item.colour).label
    board_url = reverse("agenda:board")
    reds = _red_items(mine, today, user, board_url) if counts["red"] else []
    return render_to_string(
        "agenda/board/_widget.html",
        {
            "org": org,
            "counts": counts,
            "items": items,
            "reds": reds,
            "reds_more": counts["red"] - len(reds),
            "board_url": board_url,
            "board_org_url": f"{board_url}?org={org.pk}",
        },
        request=request,
    )


def _red_items(mine, today, user, board_url: str) -> list[Obligation]:
    """The oldest red items (one query): each links to the page that settles it when the user
    may open one, else to its organization's board."""
    reds = list(
        mine.filter(alert_q("red", today))
        .select_related("rule", "organization")
        .order_by("due_on", "organization__path", "rule__sort_order")[:RED_ITEMS]
    )
    links = Links(user)
    for item in reds:
        decorate(item, today, links)
        item.url = item.link_url or f"{board_url}?org={item.organization_id}"
    return reds
