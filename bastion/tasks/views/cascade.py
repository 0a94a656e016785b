"""Pages of the 四级贯通 cascade: the objectives a user reaches, the tree of one objective
(objective → task books → task sheets → action plans, with roll-up progress, linked 工作单 and
feedback), and adding, editing, progress and deleting items.

Everything goes through the scope door: an item is changed only inside the actor's scope, a tree
is shown only as far as it reaches the reader (see ``selectors_cascade``); anything else is 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bastion.core.pages import apply_errors
from bastion.core.scope import grant, has_permission_anywhere
from bastion.orgs.models import Organization
from bastion.orgs.models.organization import OrganizationKind
from bastion.orgs.selectors import nearby_choices

from .. import selectors_cascade as selectors
from ..cascade_rules import fits_level
from ..forms_cascade import CascadeItemForm, StatusForm
from ..models import LEVEL_ORDER, LEVEL_ROLE, CascadeItem, CascadeLevel, CascadeStatus
from ..services import cascade as services

PAGE_SIZE = 30
ADD = "tasks.add_cascadeitem"


def url_or_none(name: str, *args, query: str = "") -> str | None:
    """A link to a page another helper owns, or None while that page does not exist."""
    try:
        return reverse(name, args=args) + query
    except NoReverseMatch:
        return None


def item_url(item: CascadeItem) -> str:
    return f"{item.get_absolute_url()}#item-{item.pk}"


def _int_or_404(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc


# --- list -----------------------------------------------------------------------------------


@login_required
def cascade_list(request):
    user = request.user
    roots = selectors.reachable_roots(user).select_related("organization")
    query = request.GET.get("q", "").strip()
    if query:
        roots = roots.filter(title__icontains=query)
    page = Paginator(roots.order_by("-created_at", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = list(page)
    selectors.root_summaries(user, rows)
    awaiting = list(selectors.awaiting_plans(user).select_related("root")[:20])
    return render(
        request,
        "tasks/cascade/list.html",
        {
            "page": page,
            "rows": rows,
            "query": query,
            "awaiting": awaiting,
            "today": timezone.localdate(),
            "can_add": can_add_objective(user),
            "level_labels": [CascadeLevel(level).label for level in LEVEL_ORDER[1:]],
        },
    )


# --- the tree -------------------------------------------------------------------------------


@login_required
def cascade_detail(request, pk):
    user = request.user
    tree = selectors.cascade_tree(user, pk)
    if tree is None:
        raise Http404
    _decorate(user, tree)
    return render(
        request,
        "tasks/cascade/detail.html",
        {
            "tree": tree,
            "root": tree.root,
            "counts": [(CascadeLevel(lv).label, tree.counts[lv]) for lv in LEVEL_ORDER],
            "status_choices": CascadeStatus.choices,
        },
    )


def _writable(user, tree) -> list[Organization]:
    """Active organizations under the objective's committee where the user may add an item:
    one query (none without the permission)."""
    if not grant(user, ADD):
        return []
    root_path = tree.root.item.organization.path
    return list(
        Organization.objects.permitted(user, ADD)
        .filter(is_active=True, path__startswith=root_path)
        .only("id", "path", "kind", "unit_kind")
    )


def _can_add_below(writable, level: str, anchor: str) -> bool:
    """The user may write ``level`` for some organization of that level under ``anchor``."""
    return any(org.path.startswith(anchor) and fits_level(level, org) for org in writable)


def _decorate(user, tree) -> None:
    """Buttons and links of each shown node, from the user's grants and the organizations they
    may write for (one query)."""
    writable = _writable(user, tree)
    change = grant(user, "tasks.change_cascadeitem")
    delete = grant(user, "tasks.delete_cascadeitem")
    add_task = grant(user, "tasks.add_task")
    view_task = grant(user, "tasks.view_task")
    root_path = tree.root.item.organization.path
    create_url = url_or_none("tasks:cascade_item_create")
    task_create = url_or_none("tasks:task_create")
    for node in tree.nodes.values():
        item = node.item
        node.role = LEVEL_ROLE[item.level]
        child_level = services.next_level(item.level)
        anchor = item.organization.path if item.level == CascadeLevel.TASK_SHEET else root_path
        node.add_url = None
        if (
            child_level
            and item.status != CascadeStatus.DONE
            and _can_add_below(writable, child_level, anchor)
        ):
            node.add_url = f"{create_url}?parent={item.pk}&level={child_level}"
            node.add_label = _("编制%(level)s") % {"level": CascadeLevel(child_level).label}
            node.add_role = LEVEL_ROLE[child_level]
        if not node.full:
            continue
        path = item.organization.path
        node.can_change = change.covers(path)
        node.can_delete = delete.covers(path) and not node.child_count and not node.tasks
        node.dispatch_url = None
        dispatchable = item.level in (CascadeLevel.TASK_SHEET, CascadeLevel.ACTION_PLAN)
        if task_create and dispatchable and add_task.covers(path):
            node.dispatch_url = f"{task_create}?cascade_item={item.pk}"
        for task in node.tasks:
            task.progress_url = (
                url_or_none("tasks:progress", task.pk) if view_task.covers(task.issuer) else None
            )
        for assignment in node.feedback:
            assignment.detail_url = url_or_none("tasks:assignment_detail", assignment.pk)


# --- add and edit ---------------------------------------------------------------------------


def _org_choices(user, permission: str, selected, anchor, level: str) -> list[Organization]:
    """Nearby organizations (never the whole tree) where the user holds ``permission``, that
    lie in ``anchor``'s subtree (any for an objective) and write ``level`` (a committee an
    objective, a business department a task book, a 战区 a task sheet, a 支部 an action plan)."""
    granted = grant(user, permission)
    if anchor is not None and (selected is None or not selected.path.startswith(anchor.path)):
        selected = anchor  # around the anchor, where the level's writers sit
    return [
        node
        for node in nearby_choices(user, selected)
        if node.is_active
        and granted.covers(node)
        and (anchor is None or node.path.startswith(anchor.path))
        and fits_level(level, node)
    ]


def can_add_objective(user) -> bool:
    """The user may write an objective for some party committee in their scope (one query)."""
    granted = grant(user, ADD)
    if granted.everywhere or not granted:
        return bool(granted)
    committees = Organization.objects.permitted(user, ADD).filter(kind=OrganizationKind.COMMITTEE)
    return committees.exists()


def _selected_org(request) -> Organization | None:
    raw = request.POST.get("organization") or request.GET.get("org")
    if raw and str(raw).isdigit():
        visible = Organization.objects.restrict(request.user, "view")
        return visible.filter(pk=raw).first()
    return getattr(request, "current_org", None)


def _reachable_parent(user, raw) -> CascadeItem:
    item = get_object_or_404(
        CascadeItem.objects.select_related("organization", "root__organization"),
        pk=_int_or_404(raw),
    )
    root = item.root if item.root_id else item
    _full, shown = selectors.reach(user, selectors.load_items(root.pk), root)
    if item.pk not in shown:
        raise Http404
    return item


@login_required
def cascade_item_create(request):
    user = request.user
    if not has_permission_anywhere(user, ADD):
        raise Http404
    parent = _reachable_parent(user, request.GET["parent"]) if request.GET.get("parent") else None
    level = request.GET.get("level") or (
        services.next_level(parent.level) if parent else CascadeLevel.OBJECTIVE
    )
    if level not in LEVEL_ORDER:
        raise Http404
    anchor = services.anchor_of(parent) if parent else None
    selected = _selected_org(request)
    # The writers of the level the parent takes: a wrong ``level`` is refused by the service.
    writers_level = services.next_level(parent.level) if parent else level
    if writers_level is None:
        raise Http404
    organizations = _org_choices(user, ADD, selected, anchor, writers_level)
    if not organizations:
        raise Http404
    initial = {}
    if selected is not None and any(o.pk == selected.pk for o in organizations):
        initial["organization"] = str(selected.pk)
    elif len(organizations) == 1:
        initial["organization"] = str(organizations[0].pk)
    form = CascadeItemForm(
        request.POST or None,
        level=level,
        organizations=organizations,
        parent=parent,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            item = services.cascade_item_create(
                actor=user, parent=parent, level=level, **form.service_fields()
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc) or _("您无权执行此操作。"))
        else:
            messages.success(
                request,
                _("已编制%(level)s“%(title)s”。")
                % {"level": item.get_level_display(), "title": item.title},
            )
            return redirect(item_url(item))
    return render(
        request,
        "tasks/cascade/form.html",
        {
            "form": form,
            "parent": parent,
            "level_label": CascadeLevel(level).label,
            "level_role": LEVEL_ROLE[level],
            "cancel_url": item_url(parent) if parent else reverse("tasks:cascade_list"),
        },
    )


@login_required
def cascade_item_edit(request, pk):
    user = request.user
    item = get_object_or_404(
        CascadeItem.objects.restrict(user, "change").select_related(
            "organization", "parent", "root__organization"
        ),
        pk=pk,
    )
    locked = item.children.exists()
    anchor = services.anchor_of(item.parent) if item.parent_id else None
    organizations = []
    if not locked:
        selected = _selected_org(request) if request.method == "POST" else item.organization
        organizations = _org_choices(user, "tasks.change_cascadeitem", selected, anchor, item.level)
        if all(o.pk != item.organization_id for o in organizations):
            organizations.insert(0, item.organization)
    initial = {name: getattr(item, name) for name in services.EDITABLE}
    initial["organization"] = str(item.organization_id)
    form = CascadeItemForm(
        request.POST or None,
        level=item.level,
        organizations=organizations,
        parent=item.parent,
        lock_org=locked,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.cascade_item_update(item=item, actor=user, **form.service_fields())
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc) or _("您无权执行此操作。"))
        else:
            messages.success(request, _("已保存“%(title)s”。") % {"title": item.title})
            return redirect(item_url(item))
    return render(
        request,
        "tasks/cascade/form.html",
        {
            "form": form,
            "item": item,
            "parent": item.parent,
            "locked": locked,
            "level_label": item.get_level_display(),
            "level_role": LEVEL_ROLE[item.level],
            "cancel_url": item_url(item),
        },
    )


# --- progress and delete --------------------------------------------------------------------


@login_required
@require_POST
def cascade_item_status(request, pk):
    user = request.user
    item = get_object_or_404(
        CascadeItem.objects.restrict(user, "change").select_related("organization", "parent"),
        pk=pk,
    )
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择有效的进展状态。"))
        return redirect(item_url(item))
    try:
        services.cascade_item_set_status(
            item=item,
            actor=user,
            status=form.cleaned_data["status"],
            progress_note=form.cleaned_data["progress_note"],
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    except PermissionDenied as exc:
        raise Http404 from exc
    else:
        messages.success(
            request,
            _("“%(title)s”的进展已更新为%(status)s。")
            % {"title": item.title, "status": item.get_status_display()},
        )
    return redirect(item_url(item))


@login_required
@require_POST
def cascade_item_delete(request, pk):
    user = request.user
    item = get_object_or_404(
        CascadeItem.objects.restrict(user, "delete").select_related("organization", "parent"),
        pk=pk,
    )
    parent = item.parent
    try:
        services.cascade_item_delete(item=item, actor=user)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect(item_url(item))
    except PermissionDenied as exc:
        raise Http404 from exc
    messages.success(request, _("已删除“%(title)s”。") % {"title": item.title})
    if parent is None:
        return redirect("tasks:cascade_list")
    return redirect(item_url(parent))
