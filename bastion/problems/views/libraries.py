"""The three library levels (三级问题库): problems owned inside the user's scope."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from bastion.core.scope import has_permission_anywhere

from .. import selectors
from ..models import Library
from .problems import filtered, list_context


def default_level(user) -> str:
    """The level of the highest organization the user holds problems for."""
    from bastion.orgs.selectors import scope_roots

    roots = scope_roots(user)
    depth = min((r.depth for r in roots), default=99)
    return Library.COMPANY if depth == 1 else Library.COUNTY if depth == 2 else Library.BRANCH


@login_required
def library(request, level=None):
    user = request.user
    level = level or default_level(user)
    if level not in Library.values or not has_permission_anywhere(user, "problems.view_problem"):
        raise Http404
    form, problems, selected = filtered(request, selectors.library(user, level))
    context = list_context(request, problems, form, selected)
    context.update(level=level, level_label=Library(level).label, levels=Library.choices)
    return render(request, "problems/library.html", context)
