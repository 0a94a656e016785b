"""Inspection pages (检查记录): list, record, detail, edit. Scoped by the inspecting org."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from bastion.core.pages import apply_errors
from bastion.core.scope import allows, has_permission_anywhere

from .. import selectors
from ..filters import InspectionFilter
from ..forms import InspectionForm
from ..models import Inspection
from ..services import filing

PAGE_SIZE = 50


def scoped_inspection(request, pk, action="view") -> Inspection:
    queryset = Inspection.objects.restrict(request.user, action).select_related("inspecting_org")
    return get_object_or_404(queryset, pk=pk)


@login_required
def inspection_list(request):
    user = request.user
    if not has_permission_anywhere(user, "problems.view_inspection"):
        raise Http404
    visible = Inspection.objects.restrict(user, "view").select_related("inspecting_org")
    inspection_filter = InspectionFilter(request.GET, queryset=visible, request=request)
    inspections = inspection_filter.qs.annotate(problem_count=Count("problems"))
    page = Paginator(inspections.order_by("-held_on", "-id"), PAGE_SIZE)
    return render(
        request,
        "problems/inspection_list.html",
        {
            "page": page.get_page(request.GET.get("page")),
            "form": inspection_filter.form,
            "can_add": has_permission_anywhere(user, "problems.add_inspection"),
        },
    )


def _save(request, inspection=None):
    user = request.user
    form = InspectionForm(request.POST or None, user=user, inspection=inspection)
    if request.method == "POST" and form.is_valid():
        try:
            if inspection is None:
                inspection = filing.inspection_create(actor=user, **form.service_fields())
                messages.success(request, _("检查记录已保存，可继续登记发现的问题。"))
            else:
                filing.inspection_update(inspection=inspection, actor=user, **form.service_fields())
                messages.success(request, _("检查记录已更新。"))
            return redirect(inspection.get_absolute_url())
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc) or _("您无权执行该操作。"))
    return render(
        request, "problems/inspection_form.html", {"form": form, "inspection": inspection}
    )


@login_required
def inspection_create(request):
    if not has_permission_anywhere(request.user, "problems.add_inspection"):
        raise Http404
    return _save(request)


@login_required
def inspection_edit(request, pk):
    return _save(request, scoped_inspection(request, pk, "change"))


@login_required
def inspection_detail(request, pk):
    user = request.user
    inspection = scoped_inspection(request, pk)
    problems = list(
        selectors.for_list(inspection.problems.all()).order_by("organization__path", "id")
    )
    selectors.with_colours(problems)
    return render(
        request,
        "problems/inspection_detail.html",
        {
            "inspection": inspection,
            "inspected": list(inspection.inspected.order_by("path")),
            "problems": problems,
            "can_add_problem": has_permission_anywhere(user, "problems.add_problem"),
            "can_edit": allows(user, "problems.change_inspection", inspection.inspecting_org),
        },
    )
