"""Role grants (角色授权): who holds which role on which organization."""

from auditlog.models import LogEntry
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, TextField
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bastion.core.history import action_label
from bastion.core.scope import grant, has_permission_anywhere

from . import services
from .forms import RoleGrantForm
from .models import Person, Role, RoleAssignment


@login_required
def role_list(request):
    if not has_permission_anywhere(request.user, "orgs.view_roleassignment"):
        raise Http404
    assignments = RoleAssignment.objects.restrict(request.user, "view").select_related(
        "user__person__organization", "role", "organization"
    )
    query = request.GET.get("q", "").strip()
    if query:
        assignments = assignments.filter(_account_matches(query))
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


def _account_matches(query: str) -> Q:
    """The account's username or own name, or its person's name, pinyin or 工号."""
    people = Person.objects.search(query).values("pk")
    return (
        Q(user__username__icontains=query)
        | Q(user__first_name__icontains=query)
        | Q(user__person__in=people)
    )


@login_required
def role_grant(request):
    if not has_permission_anywhere(request.user, "orgs.add_roleassignment"):
        raise Http404
    query = (request.GET.get("q") or request.POST.get("q") or "").strip()
    form = RoleGrantForm(request.POST or None, user=request.user, query=query)
    if request.method == "POST" and form.is_valid():
        try:
            services.role_assign(
                actor=request.user,
                user=form.cleaned_data["account"],
                role=form.cleaned_data["role"],
                organization=form.cleaned_data["organization"],
            )
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("已授予角色。"))
            return redirect("orgs:role_list")
    return render(request, "orgs/role_form.html", {"form": form, "q": query})


@login_required
@require_POST
def role_revoke(request, pk):
    assignment = get_object_or_404(RoleAssignment.objects.restrict(request.user, "delete"), pk=pk)
    try:
        services.role_revoke(actor=request.user, assignment=assignment)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已撤销角色授权。"))
    return redirect("orgs:role_list")


@login_required
def role_history(request):
    """Every grant and revoke inside the viewer's scope, newest first."""
    held = grant(request.user, "orgs.view_roleassignment")
    if not held:
        raise Http404
    entries = LogEntry.objects.get_for_model(RoleAssignment).select_related(
        "actor__person__organization"
    )
    path = Cast(KeyTextTransform("organization_path", "additional_data"), TextField())
    entries = entries.annotate(organization_path=path).filter(held.q("organization_path"))
    page = Paginator(entries.order_by("-timestamp"), 50).get_page(request.GET.get("page"))
    _attach_grantees(page)
    return render(request, "orgs/role_history.html", {"page": page})


def _attach_grantees(page) -> None:
    """Each entry names its grantee by username (kept after a revoke): find the accounts of a
    page in one query so the grantee is shown by name."""
    entries = list(page)
    names = {(entry.additional_data or {}).get("user") for entry in entries} - {None}
    accounts = get_user_model().objects.filter(username__in=names)
    by_name = {a.username: a for a in accounts.select_related("person__organization")}
    for entry in entries:
        entry.grantee = by_name.get((entry.additional_data or {}).get("user"))
        entry.action_label = action_label(entry.action)
