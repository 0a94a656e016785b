"""党员积分手册 pages: my points, the branch ledger with the review queue and the monthly
ranking, recording an entry, reviewing one, the handbook and evidence downloads.

Entries come through ``PointsEntry.objects.restrict``: a member sees their own, a secretary
their branch, a committee its subtree; anything else is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bastion.core.evidence import file_response
from bastion.core.local_names import local_name
from bastion.core.pages import apply_errors
from bastion.core.scope import has_permission_anywhere
from bastion.orgs.selectors import nearby_choices

from .. import selectors_points as selectors
from ..filters import PointsEntryFilter, chosen
from ..forms_points import PointsEntryForm, ReviewForm
from ..models import PointsCategory, PointsEntry
from ..services import points as service

PAGE_SIZE = 50
QUEUE_SIZE = 50
VIEW = "evaluation.view_pointsentry"


def _own_person(user):
    return getattr(user, "person", None)


def _chart(rows) -> dict:
    return {
        "months": [f"{r['month']:%Y-%m}" for r in rows],
        "totals": [float(r["total"]) for r in rows],
        "label": _("已认定积分"),
    }


@login_required
def points_mine(request):
    user = request.user
    person = _own_person(user)
    if person is None:
        raise Http404
    mine = PointsEntry.objects.restrict(user, "view").filter(person=person)
    page = Paginator(selectors.ledger(mine), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = selectors.monthly(mine, timezone.localdate())
    context = {
        "person": person,
        "page": page,
        "months": list(reversed(rows)),
        "chart": _chart(rows),
        "this_month": rows[-1],
        "can_add": has_permission_anywhere(user, service.ADD),
    }
    return render(request, "evaluation/points/mine.html", context)


@login_required
def points_list(request):
    user = request.user
    if not has_permission_anywhere(user, VIEW):
        raise Http404
    base = PointsEntry.objects.restrict(user, "view")
    found = PointsEntryFilter(request.GET, queryset=base, request=request)
    filters = chosen(found)
    page = Paginator(selectors.ledger(found.qs), PAGE_SIZE).get_page(request.GET.get("page"))
    month = filters["month"].start if filters.get("month") else timezone.localdate().replace(day=1)
    selected = filters.get("within")
    in_org = found.filters["within"].filter(base, selected)  # the ranking: the subtree only
    queue = selectors.pending_for(user)
    context = {
        "form": found.form,
        "page": page,
        "month": month,
        "ranking": selectors.ranking(in_org, *selectors.month_bounds(month)),
        "queue": list(queue[:QUEUE_SIZE]),
        "queue_count": queue.count(),
        "within_options": nearby_choices(user, selected),
        "within_selected": selected.pk if selected else None,
        "can_add": has_permission_anywhere(user, service.ADD)
        or has_permission_anywhere(user, service.APPROVE),
        "next": request.get_full_path(),
    }
    return render(request, "evaluation/points/list.html", context)


@login_required
def points_create(request):
    user = request.user
    own = _own_person(user)
    if not has_permission_anywhere(user, service.APPROVE) and (
        own is None or not has_permission_anywhere(user, service.ADD)
    ):
        raise Http404
    form = PointsEntryForm(request.POST or None, request.FILES or None, user=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            entry = service.points_entry_create(
                actor=user,
                person=data["person"],
                item=data["item"],
                occurred_on=data["occurred_on"],
                note=data.get("note", ""),
                evidence=data.get("evidence"),
                points=data.get("points"),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc) or _("您无权执行该操作。"))
        else:
            if entry.state == "approved":
                messages.success(request, _("积分已登记并认定。"))
            else:
                messages.success(request, _("积分已登记，等待支部审核认定。"))
            return redirect(
                "evaluation:points_mine"
                if own and entry.person_id == own.pk
                else "evaluation:points_list"
            )
    return render(request, "evaluation/points/form.html", {"form": form})


@login_required
@require_POST
def points_review(request, pk):
    user = request.user
    entry = get_object_or_404(PointsEntry.objects.restrict(user, "view"), pk=pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择认定或不认定。"))
    else:
        try:
            service.points_entry_review(
                actor=user,
                entry=entry,
                approve=form.cleaned_data["decision"] == "approve",
                reason=form.cleaned_data["reason"],
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("已审核：%(name)s %(item)s。")
                % {"name": entry.person.name, "item": local_name(entry.item)},
            )
    target = request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return redirect(target)
    return redirect("evaluation:points_list")


@login_required
def points_items(request):
    items = list(selectors.handbook())
    groups = [
        (label, [i for i in items if i.category == value])
        for value, label in PointsCategory.choices
    ]
    return render(
        request,
        "evaluation/points/items.html",
        {"groups": [(label, rows) for label, rows in groups if rows]},
    )


@login_required
def points_evidence(request, pk):
    entry = get_object_or_404(PointsEntry.objects.restrict(request.user, "view"), pk=pk)
    if not entry.evidence:
        raise Http404
    return file_response(entry.evidence, entry.evidence_name or entry.evidence.name)
