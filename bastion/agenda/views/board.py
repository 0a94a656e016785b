"""Pages of the board (生命树), the annual map (一图) and the roll-up (统计汇总) with its export.

Scope: a node is shown only if it lies inside the user's ``agenda.view_obligation`` grants
(exports: ``agenda.export_obligation``); anything else is 404. Without ``?org=`` the page shows
the organization chosen in the switcher, else the top of the user's scope; a user who may see
no obligation at all gets an empty board.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header

from bastion.core.excel import XLSX_CONTENT_TYPE
from bastion.core.scope import allows, grant, subtree_q
from bastion.orgs.models import Organization
from bastion.orgs.selectors import breadcrumb, default_organization, nearby_choices

from .. import exports
from ..forms_board import MapQueryForm, OrgQueryForm, RollupQueryForm
from ..selectors_board import (
    BRANCH_KINDS,
    ITEM_BOARD_KINDS,
    Links,
    annual_map,
    board_items,
    branch_status,
    branch_statuses,
    inactive_after_days,
    legend,
)
from ..selectors_rollup import chart_data, rollup

VIEW = "agenda.view_obligation"
EXPORT = "agenda.export_obligation"
BRANCHES_PER_PAGE = 50


def node_for(request, form: OrgQueryForm, permission: str = VIEW) -> Organization | None:
    """The organization a page is about: ``?org=`` (404 outside the grants of
    ``permission``), else the switcher's organization or the top of the user's scope."""
    if "org" in form.errors:
        raise Http404
    pk = form.value("org", None)
    if pk is not None:
        org = Organization.objects.permitted(request.user, permission).filter(pk=pk).first()
        if org is None:
            raise Http404
        return org
    return default_organization(request.user, permission, request.current_org)


def picker(request, node: Organization | None) -> list[Organization]:
    """Nearby organizations the user may see the obligations of (never the whole tree)."""
    return nearby_choices(request.user, node, VIEW)


def _query(**params) -> str:
    return "?" + urlencode({k: v for k, v in params.items() if v not in (None, "")})


def map_url(org: Organization, year: int) -> str:
    return reverse("agenda:annual_map") + _query(org=org.pk, year=year)


# --- the board -----------------------------------------------------------------------------------


@login_required
def board(request):
    form = OrgQueryForm(request.GET)
    node = node_for(request, form)
    today = timezone.localdate()
    context = {"node": node, "today": today, "choices": picker(request, node), "legend": legend()}
    if node is None:
        return render(request, "agenda/board/board.html", context)
    links = Links(request.user)
    own_items = node.kind in ITEM_BOARD_KINDS
    scope = subtree_q("organization__path", node.path) if own_items else Q(organization=node)
    context.update(
        items=board_items(scope, today, request.user, links),
        own_items=own_items,
        map_url=map_url(node, today.year),
        rollup_url=reverse("agenda:rollup") + _query(org=node.pk),
        inactive_days=inactive_after_days(),
    )
    if node.kind in BRANCH_KINDS:
        context["status"] = branch_status(node, today)
    if not own_items:
        statuses = branch_statuses(node, today, request.user)
        page = Paginator(statuses, BRANCHES_PER_PAGE).get_page(request.GET.get("page"))
        for status in page:
            status.board_url = reverse("agenda:board") + _query(org=status.org.pk)
            status.map_url = map_url(status.org, today.year)
        context.update(
            branches=page,
            branch_count=len(statuses),
            silent_count=sum(s.inactive for s in statuses),
            red_branch_count=sum(bool(s.red) for s in statuses),
        )
    return render(request, "agenda/board/board.html", context)


# --- the annual map ------------------------------------------------------------------------------


@login_required
def annual_map_view(request):
    form = MapQueryForm(request.GET)
    node = node_for(request, form)
    today = timezone.localdate()
    year = form.value("year", today.year)
    context = {
        "form": form,
        "node": node,
        "year": year,
        "today": today,
        "choices": picker(request, node),
        "legend": legend(),
        "months": range(1, 13),
    }
    if node is not None:
        context["map"] = annual_map(node, year, today, request.user, Links(request.user))
        context["prev_url"] = map_url(node, year - 1) if year > 2000 else None
        context["next_url"] = map_url(node, year + 1) if year < 2100 else None
        context["board_url"] = reverse("agenda:board") + _query(org=node.pk)
    return render(request, "agenda/board/annual_map.html", context)


# --- the roll-up ---------------------------------------------------------------------------------


def _period_params(period) -> dict:
    params = {"period": period.kind, "year": period.year}
    if period.kind == "quarter":
        params["q"] = period.number
    elif period.kind == "month":
        params["m"] = period.number
    return params


@login_required
def rollup_view(request):
    form = RollupQueryForm(request.GET)
    node = node_for(request, form)
    today = timezone.localdate()
    period = form.to_period(today)
    context = {"form": form, "node": node, "period": period, "choices": picker(request, node)}
    if node is None:
        return render(request, "agenda/board/rollup.html", context)
    result = rollup(node, period, today, request.user)
    params = _period_params(period)
    for row in result.rows:
        if row.is_leaf:
            row.drill_url = map_url(row.org, period.year)
        else:
            row.drill_url = reverse("agenda:rollup") + _query(org=row.org.pk, **params)
    viewable = grant(request.user, VIEW)
    visible = Organization.objects.restrict(request.user, "view")
    crumbs = [
        {"org": org, "url": reverse("agenda:rollup") + _query(org=org.pk, **params)}
        for org in breadcrumb(node, visible)
        if viewable.covers(org)
    ]
    context.update(
        result=result,
        crumbs=crumbs,
        chart=chart_data(result),
        legend=legend(),
        period_params=params,
        export_url=reverse("agenda:rollup_export") + _query(org=node.pk, **params),
        can_export=allows(request.user, EXPORT, node),
        years=range(today.year - 4, today.year + 2),
        quarters=range(1, 5),
        month_numbers=range(1, 13),
    )
    return render(request, "agenda/board/rollup.html", context)


@login_required
def rollup_export(request):
    form = RollupQueryForm(request.GET)
    node = node_for(request, form, EXPORT)
    if node is None:
        raise Http404
    if form.errors:  # the page shows what is wrong
        return redirect(reverse("agenda:rollup") + "?" + request.GET.urlencode())
    today = timezone.localdate()
    result = rollup(node, form.to_period(today), today, request.user)
    return HttpResponse(
        exports.rollup_xlsx(result),
        content_type=XLSX_CONTENT_TYPE,
        headers={
            "Content-Disposition": content_disposition_header(True, exports.rollup_filename(result))
        },
    )
