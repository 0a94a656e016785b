"""Pages of the organization tree: browse, detail, create, edit, move, committee, history."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bastion.core.dashboard import org_panels
from bastion.core.history import render_history
from bastion.core.scope import has_permission_anywhere

from . import selectors, services
from .forms import CommitteeSeatForm, OrganizationForm, OrganizationMoveForm
from .middleware import SESSION_KEY
from .models import CommitteeMember, Organization, Person


def scoped_org(request, pk, action="view") -> Organization:
    """The one way a page fetches an organization: through the door, 404 outside it."""
    return get_object_or_404(Organization.objects.restrict(request.user, action), pk=pk)


def apply_form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
def tree(request):
    visible = Organization.objects.restrict(request.user, "view")
    roots = selectors.scope_roots_with_counts(request.user)
    for root in roots:
        root.children_nodes = selectors.children_with_counts(root, visible)
    return render(
        request,
        "orgs/tree.html",
        {
            "roots": roots,
            "can_export": has_permission_anywhere(request.user, "orgs.export_organization"),
            "can_import": has_permission_anywhere(request.user, "orgs.import_organization"),
        },
    )


@login_required
def tree_children(request, pk):
    """htmx: the children of one node with their counts, loaded when the node is expanded."""
    parent = scoped_org(request, pk)
    visible = Organization.objects.restrict(request.user, "view")
    children = selectors.children_with_counts(parent, visible)
    return render(request, "orgs/_tree_children.html", {"nodes": children})


@login_required
def org_detail(request, pk):
    org = scoped_org(request, pk)
    visible = Organization.objects.restrict(request.user, "view")
    children = selectors.children_with_counts(org, visible)
    user = request.user
    committee = list(
        CommitteeMember.objects.filter(organization=org)
        .select_related("person")
        .order_by("position")
    )
    context = {
        "org": org,
        "parent": visible.filter(path=org.path[: -Organization.steplen]).first()
        if org.depth > 1
        else None,
        "children": children,
        "counts": selectors.node_counts(org),
        "committee": committee,
        # Seats link to a person's page only where the reader may open it (one query).
        "linkable_people": set(
            Person.objects.restrict(user, "view")
            .filter(pk__in=[seat.person_id for seat in committee])
            .values_list("pk", flat=True)
        ),
        "can_change": _can(user, org, "change"),
        "can_add": _can(user, org, "add"),
        "can_move": _can(user, org, "move") and org.depth > 1,
        "can_edit_committee": Organization.objects.restrict(user, "change")
        .filter(pk=org.pk)
        .exists(),
        "can_see_people": has_permission_anywhere(user, "orgs.view_person"),
        "panels": org_panels(request, org),
    }
    return render(request, "orgs/org_detail.html", context)


def _can(user, org, action) -> bool:
    return Organization.objects.restrict(user, action).filter(pk=org.pk).exists()


@login_required
def org_create(request, pk):
    parent = scoped_org(request, pk, "add")
    form = OrganizationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            org = services.organization_create(
                actor=request.user, parent=parent, data=form.cleaned_data
            )
        except ValidationError as exc:
            apply_form_errors(form, exc)
        else:
            messages.success(request, _("已新建组织“%(name)s”。") % {"name": org.name})
            return redirect(org)
    return render(request, "orgs/org_form.html", {"form": form, "parent": parent})


@login_required
def org_edit(request, pk):
    org = scoped_org(request, pk, "change")
    form = OrganizationForm(request.POST or None, instance=org)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            services.organization_update(actor=request.user, organization=org, data=data)
        except ValidationError as exc:
            apply_form_errors(form, exc)
        else:
            messages.success(request, _("已保存组织信息。"))
            return redirect(org)
    return render(request, "orgs/org_form.html", {"form": form, "org": org})


@login_required
def org_move(request, pk):
    org = scoped_org(request, pk, "move")
    form = OrganizationMoveForm(request.POST or None, user=request.user, organization=org)
    if request.method == "POST" and form.is_valid():
        try:
            services.organization_move(
                actor=request.user, organization=org, new_parent=form.cleaned_data["new_parent"]
            )
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, exc.messages if isinstance(exc, ValidationError) else str(exc))
        else:
            messages.success(request, _("已将组织移动到新的上级组织下。"))
            return redirect(reverse("orgs:org_detail", args=[org.pk]))
    return render(request, "orgs/org_move.html", {"form": form, "org": org})


@login_required
def org_history(request, pk):
    org = scoped_org(request, pk, "change")
    return render_history(
        request,
        org,
        back_url=org.get_absolute_url(),
        title=_("组织"),
        dependents=selectors.organization_history_dependents(request.user, org),
    )


@login_required
def committee_add(request, pk):
    org = scoped_org(request, pk, "change")
    form = CommitteeSeatForm(request.POST or None, user=request.user, organization=org)
    if request.method == "POST" and form.is_valid():
        try:
            services.committee_member_set(actor=request.user, organization=org, **form.cleaned_data)
        except ValidationError as exc:
            apply_form_errors(form, exc)
        else:
            messages.success(request, _("已更新班子成员。"))
            return redirect(org)
    return render(request, "orgs/committee_form.html", {"form": form, "org": org})


@login_required
@require_POST
def committee_remove(request, pk, seat_pk):
    org = scoped_org(request, pk, "change")
    seat = get_object_or_404(CommitteeMember, pk=seat_pk, organization=org)
    services.committee_member_remove(actor=request.user, seat=seat)
    messages.success(request, _("已移除班子成员。"))
    return redirect(org)


@login_required
def switch(request):
    """The organization switcher: search the scope, pick a node, come back to where you were."""
    visible = Organization.objects.restrict(request.user, "view")
    if request.method == "POST":
        org = get_object_or_404(visible, pk=request.POST.get("org"))
        request.session[SESSION_KEY] = org.pk
        target = request.POST.get("next") or reverse("home")
        if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
            target = reverse("home")
        return redirect(target)
    query = request.GET.get("q", "").strip()
    nodes = (
        visible.filter(name__icontains=query)
        if query
        else visible.filter(depth__lte=_top_depth(request.user) + 1)
    )
    template = "orgs/_switch_results.html" if request.htmx else "orgs/switch.html"
    return render(
        request,
        template,
        {
            "nodes": nodes.order_by("path")[:50],
            "q": query,
            "next": request.GET.get("next", request.META.get("HTTP_REFERER", "")),
        },
    )


def _top_depth(user) -> int:
    roots = selectors.scope_roots(user)
    if not roots:
        raise Http404
    return min(root.depth for root in roots)
