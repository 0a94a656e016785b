"""Home page widget of the problems: what the viewer must act on.

Listed in ``ProblemsConfig.home_widgets``. Two sides, as the rectification runs
(``services.rectify``):

* **to rectify**: problems not rectified yet (待整改, 整改中, 验收未通过) whose responsible
  organization lies where the viewer holds ``problems.change_problem``; the overdue ones red;
* **to verify**: problems submitted for verification (待验收) whose organization lies where the
  viewer holds ``problems.verify_problem``.

Both start from ``Problem.objects.restrict(user, "view")`` (the door: every linked problem
opens). Nothing for a user who holds neither permission anywhere. Counts in one query, the
first few of each side in one query each and the colour windows (``selectors.windows``): the
same number whatever the number of problems.
"""

from __future__ import annotations

from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from bastion.core.scope import grant

from . import selectors
from .models import Problem, State
from .services.overdue import NOT_RECTIFIED
from .services.rectify import RECTIFY, VERIFY

SHOWN = 5


def _sides(user) -> tuple[Q | None, Q | None]:
    """The conditions of the two sides, None for a side the user is not on."""
    rectify, verify = grant(user, RECTIFY), grant(user, VERIFY)
    to_rectify = to_verify = None
    if rectify:
        to_rectify = rectify.q("responsible_org__path") & Q(state__in=NOT_RECTIFIED)
    if verify:
        to_verify = verify.q("organization__path") & Q(state=State.SUBMITTED)
    return to_rectify, to_verify


def _first(rows, condition: Q, order: tuple[str, ...]) -> list[Problem]:
    return list(selectors.for_list(rows.filter(condition)).order_by(*order)[:SHOWN])


def to_act_on(request) -> str | None:
    """Counts (to rectify, of which overdue; to verify) and the first few of each side."""
    user = request.user
    to_rectify, to_verify = _sides(user)
    if to_rectify is None and to_verify is None:
        return None
    today = timezone.localdate()
    nothing = Q(pk__in=[])
    rectify_q, verify_q = to_rectify or nothing, to_verify or nothing
    rows = Problem.objects.restrict(user, "view")
    counts = (
        rows.filter(rectify_q | verify_q)
        .order_by()
        .aggregate(
            rectify=Count("id", filter=rectify_q),
            overdue=Count("id", filter=rectify_q & Q(deadline__lt=today)),
            verify=Count("id", filter=verify_q),
        )
    )
    rectifying = _first(rows, rectify_q, ("deadline", "pk")) if counts["rectify"] else []
    verifying = _first(rows, verify_q, ("submitted_on", "pk")) if counts["verify"] else []
    if rectifying:
        selectors.with_colours(rectifying)
    list_url = reverse("problems:problem_list")
    return render_to_string(
        "problems/_widget.html",
        {
            "counts": counts,
            "rectifies": to_rectify is not None,
            "verifies": to_verify is not None,
            "rectifying": rectifying,
            "verifying": verifying,
            "list_url": list_url,
            "overdue_url": f"{list_url}?overdue=1",
            "verify_url": f"{list_url}?state={State.SUBMITTED}",
        },
        request=request,
    )
