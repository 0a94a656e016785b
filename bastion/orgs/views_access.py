"""Role grants (角色授权): who holds which role on which organization."""

from auditlog.models import LogEntry
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import TextField
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bastion.core.scope import grant, has_permission_anywhere

from . import services
from .forms import RoleGrantForm
from .models import Role, RoleAssignment


@login_required
def role_list(request):
    if not has_permission_anywhere(request.user, "orgs.view_roleassignment"):
        raise Http404
    assignments = RoleAssignment.objects.restrict(request.user, "view").select_related(
        "user", "role", "organization"
    )
    query = request.GET.get("q", "").strip()
    if query:
        assignments = assignments.filter(user__username__icontains=query) | assignments.filter(
            user__first_name__icontains=query
        )
    page = Paginator(assignments, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "orgs/role_list.html",
        {
            "page": page,
            "q": query,
            "roles": Role.objects.all(),
            "can_grant": has_permission_anywhere(request.user, "orgs.add_roleassignment"),
        },
    )


@login_required
def role_grant(request):
    if not has_permission_anywhere(request.user, "orgs.add_roleassignment"):
        raise Http404
    form = RoleGrantForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.role_assign(
                actor=request.user,
                user=form.cleaned_data["username"],
                role=form.cleaned_data["role"],
                organization=form.cleaned_data["organization"],
            )
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("已授予角色。"))
            return redirect("orgs:role_list")
    return render(request, "orgs/role_form.html", {"form": form})


@login_required
@require_POST
def role_revoke(request, pk):
    assignment = get_object_or_404(RoleAssignment.objects.restrict(request.user, "delete"), pk=pk)
    services.role_revoke(actor=request.user, assignment=assignment)
    messages.success(request, _("已撤销角色授权。"))
    return redirect("orgs:role_list")


@login_required
def role_history(request):
    """Every grant and revoke inside the viewer's scope, newest first."""
    held = grant(request.user, "orgs.view_roleassignment")
    if not held:
        raise Http404
    entries = LogEntry.objects.get_for_model(RoleAssignment).select_related("actor")
    path = Cast(KeyTextTransform("organization_path", "additional_data"), TextField())
    entries = entries.annotate(organization_path=path).filter(held.q("organization_path"))
    page = Paginator(entries.order_by("-timestamp"), 50).get_page(request.GET.get("page"))
    return render(request, "orgs/role_history.html", {"page": page})
