"""Pages of the issuer: task sheets (工作单) — list, draft, edit, detail, dispatch, close,
delete, and the sheet's files.

Every task comes through ``Task.objects.restrict(user, ...)``: outside the scope is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bastion.core.evidence import download
from bastion.core.pages import apply_errors
from bastion.core.scope import allows, has_permission_anywhere
from bastion.orgs.selectors import nearby_choices

from .. import selectors
from ..filters import TaskFilter
from ..forms import (
    FeedbackFieldFormSet,
    RecipientForm,
    TaskForm,
    field_initial,
)
from ..models import (
    OPEN_STATES,
    Assignment,
    AssignmentState,
    CascadeItem,
    Task,
    TaskAttachment,
    TaskStatus,
)
from ..services import flow
from ..services import tasks as services
from . import recipients as pick

PAGE_SIZE = 50
ANSWERED = [AssignmentState.SUBMITTED, AssignmentState.ACCEPTED]


def scoped_task(request, pk, action="view") -> Task:
    queryset = Task.objects.restrict(request.user, action).select_related(
        "issuer", "created_by", "parent_assignment__task", "parent_assignment__organization"
    )
    return get_object_or_404(queryset, pk=pk)


def progress_url(task) -> str | None:
    """The progress page belongs to another area; link to it once it exists."""
    try:
        return reverse("tasks:progress", args=[task.pk])
    except NoReverseMatch:
        return None


# --- list -----------------------------------------------------------------------------------


@login_required
def task_list(request):
    user = request.user
    visible = Task.objects.restrict(user, "view")
    task_filter = TaskFilter(request.GET, queryset=visible, request=request)
    tasks = task_filter.qs  # an organization outside the scope is a 404
    selected = task_filter.form.cleaned_data.get("within")
    today = timezone.localdate()
    tasks = (
        tasks.select_related("issuer")
        .annotate(
            recipient_count=Count("assignments"),
            answered_count=Count("assignments", filter=Q(assignments__state__in=ANSWERED)),
            overdue_count=Count(
                "assignments",
                filter=Q(
                    assignments__state__in=OPEN_STATES,
                    due_on__lt=today,
                    status=TaskStatus.DISPATCHED,
                ),
            ),
        )
        .order_by("-created_at", "-id")
    )
    page = Paginator(tasks, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "tasks/task_list.html",
        {
            "form": task_filter.form,
            "page": page,
            "today": today,
            "within_options": nearby_choices(user, selected),
            "within_selected": selected.pk if selected else None,
            "can_add": has_permission_anywhere(user, "tasks.add_task"),
        },
    )


# --- draft and edit -------------------------------------------------------------------------


def _apply(form, exc: ValidationError, formset=None) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, errors in exc.message_dict.items():
        if field == "fields" and formset is not None:
            formset._non_form_errors = formset.error_class(
                [*formset.non_form_errors(), *errors], error_class="nonform"
            )
        else:
            form.add_error(field if field in form.fields else None, errors)


def _render_form(request, form, formset, task=None, cascade_item=None):
    return render(
        request,
        "tasks/task_form.html",
        {"form": form, "formset": formset, "task": task, "cascade_item": cascade_item},
    )


def _cascade_item(request):
    """``?cascade_item=``: the 四级贯通 item this task answers (one the user sees)."""
    raw = request.POST.get("cascade_item") or request.GET.get("cascade_item")
    if not raw:
        return None
    if not str(raw).isdigit():
        raise Http404
    visible = CascadeItem.objects.restrict(request.user, "view").select_related("organization")
    return get_object_or_404(visible, pk=int(raw))


def _initial_from(item, user) -> dict:
    parts = [
        (_("方向"), item.direction),
        (_("目标"), item.goal),
        (_("人员"), item.people),
        (_("措施"), item.measures),
        (_("责任"), item.responsibility),
    ]
    initial = {
        "title": item.title,
        "body": "\n".join(f"{label}：{text}" for label, text in parts if text),
    }
    if item.deadline and item.deadline >= timezone.localdate():
        initial["due_on"] = item.deadline
    if item.organization.is_active and allows(user, "tasks.add_task", item.organization):
        initial["issuer"] = item.organization_id
    return initial


@login_required
def task_create(request):
    user = request.user
    if not has_permission_anywhere(user, "tasks.add_task"):
        raise Http404
    initial = {"priority": "normal"}
    current = request.current_org
    if current and current.is_active and allows(user, "tasks.add_task", current):
        initial["issuer"] = current.pk
    item = _cascade_item(request)
    if item is not None:
        initial.update(_initial_from(item, user))
    form = TaskForm(request.POST or None, request.FILES or None, user=user, initial=initial)
    formset = FeedbackFieldFormSet(request.POST or None, prefix="fields")
    if request.method == "POST" and form.is_valid() & formset.is_valid():
        try:
            task = services.task_create(
                actor=user, fields=formset.specs(), cascade_item=item, **form.service_fields()
            )
        except ValidationError as exc:
            _apply(form, exc, formset)
        except PermissionDenied as exc:
            raise Http404 from exc
        else:
            messages.success(
                request, _("已保存草稿“%(title)s”，确认无误后即可派发。") % {"title": task.title}
            )
            return redirect(task)
    return _render_form(request, form, formset, cascade_item=item)


@login_required
def task_edit(request, pk):
    user = request.user
    task = scoped_task(request, pk)
    if not services.may_draft(user, task.issuer):
        raise Http404
    if task.status != TaskStatus.DRAFT:
        messages.error(request, _("工作单已派发，不能再修改。"))
        return redirect(task)
    initial = {
        "title": task.title,
        "issuer": task.issuer_id,
        "due_on": task.due_on,
        "priority": task.priority,
        "body": task.body,
    }
    form = TaskForm(
        request.POST or None, request.FILES or None, user=user, task=task, initial=initial
    )
    formset = FeedbackFieldFormSet(
        request.POST or None, prefix="fields", initial=None if request.POST else field_initial(task)
    )
    if request.method == "POST" and form.is_valid() & formset.is_valid():
        try:
            services.task_update(
                task=task, actor=user, fields=formset.specs(), **form.service_fields()
            )
        except ValidationError as exc:
            _apply(form, exc, formset)
        except PermissionDenied as exc:
            raise Http404 from exc
        else:
            messages.success(request, _("已保存草稿。"))
            return redirect(task)
    return _render_form(request, form, formset, task)


# --- detail ---------------------------------------------------------------------------------


STATE_FILTERS = {
    "open": Q(state__in=OPEN_STATES),
    "submitted": Q(state=AssignmentState.SUBMITTED),
    "returned": Q(state=AssignmentState.RETURNED),
    "accepted": Q(state=AssignmentState.ACCEPTED),
    "late": Q(late=True),
}


@login_required
def task_detail(request, pk):
    user = request.user
    task = scoped_task(request, pk)
    issuer = task.issuer
    visible = Assignment.objects.restrict(user, "view").filter(task=task)
    show = request.GET.get("show") if request.GET.get("show") in STATE_FILTERS else ""
    rows = visible.select_related("organization").order_by("organization__path")
    if show:
        rows = rows.filter(STATE_FILTERS[show])
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    can_dispatch = allows(user, "tasks.dispatch_task", issuer)
    is_draft = task.status == TaskStatus.DRAFT
    return render(
        request,
        "tasks/task_detail.html",
        {
            "task": task,
            "fields": list(task.fields.all()),
            "attachments": list(task.attachments.all()),
            "progress": selectors.progress(task, assignments=visible),
            "page": page,
            "show": show,
            "today": timezone.localdate(),
            "overdue": timezone.localdate() > task.due_on,
            "progress_url": progress_url(task) if not is_draft else None,
            "can_edit": is_draft and services.may_draft(user, issuer),
            "can_delete": is_draft
            and (services.may_draft(user, issuer) or allows(user, "tasks.delete_task", issuer)),
            "can_dispatch": can_dispatch and task.status != TaskStatus.CLOSED,
            "can_close": can_dispatch and task.status == TaskStatus.DISPATCHED,
            "can_review": allows(user, "tasks.review_task", issuer),
            "parent": task.parent_assignment,
        },
    )


@login_required
@require_POST
def task_close(request, pk):
    task = scoped_task(request, pk)
    try:
        services.task_close(task=task, actor=request.user)
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("工作单已结束，承办组织不能再反馈。"))
    return redirect(task)


@login_required
@require_POST
def task_delete(request, pk):
    task = scoped_task(request, pk)
    try:
        services.task_delete(task=task, actor=request.user)
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(task)
    messages.success(request, _("已删除草稿“%(title)s”。") % {"title": task.title})
    return redirect("tasks:task_list")


# --- dispatch -------------------------------------------------------------------------------


@login_required
def task_dispatch(request, pk):
    """Choose recipients, see how many will receive it, confirm: ``flow.task_dispatch``."""
    user = request.user
    task = scoped_task(request, pk)
    if not allows(user, "tasks.dispatch_task", task.issuer):
        raise Http404
    if task.status == TaskStatus.CLOSED:
        messages.error(request, _("工作单已结束，不能再派发。"))
        return redirect(task)
    posted = request.method == "POST"
    data = request.POST if posted else (request.GET if "mode" in request.GET else None)
    form = RecipientForm(data, user=user, issuer=task.issuer, initial={"mode": "subtree"})
    context = {"task": task, "form": form}
    if posted and form.is_valid():
        try:
            added = flow.task_dispatch(task=task, actor=user, recipients=pick.chosen(form))
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied as exc:
            raise Http404 from exc
        else:
            if added:
                messages.success(request, _("已派发给 %(n)s 个组织。") % {"n": added})
            else:
                messages.info(request, _("所选组织都已收到该工作单，没有新增。"))
            return redirect(task)
    if data is not None and form.is_valid():
        if form.hand:
            context["candidates"] = pick.candidates(form, task)
        if request.GET.get("preview") or posted:
            context["preview"] = pick.preview(form, task)
            context["confirm_fields"] = pick.confirm_fields(form) if form.is_valid() else []
    return render(request, "tasks/task_dispatch.html", context)


# --- files ----------------------------------------------------------------------------------


def visible_task_files(user):
    """A sheet's files are seen by the issuer's side and by every recipient of the task."""
    tasks = Task.objects.restrict(user, "view").values("pk")
    answered = Assignment.objects.restrict(user, "view").values("task_id")
    return TaskAttachment.objects.filter(Q(task__in=tasks) | Q(task__in=answered))


@login_required
def task_file(request, pk):
    return download(visible_task_files(request.user), pk)
