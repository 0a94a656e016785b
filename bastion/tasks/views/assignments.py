"""Pages of the recipient (and the issuer's review): the inbox (我的任务), one assignment with
its feedback form, submit, accept / return, pass down to the own subtree, feedback files.

Every assignment comes through ``Assignment.objects.restrict(user, ...)``: a station never
sees another station's assignment; the issuer, whose scope covers its recipients, sees all.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bastion.core.evidence import download
from bastion.core.pages import apply_errors
from bastion.core.scope import allows
from bastion.orgs.selectors import nearby_choices

from .. import feedback as answers
from .. import selectors
from ..filters import ANSWER, InboxFilter
from ..forms import PassDownForm, ReviewForm
from ..forms_feedback import FeedbackForm, field_name
from ..models import OPEN_STATES, Assignment, AssignmentState, FeedbackFile, FieldKind, TaskStatus
from ..services import answers as answer_services
from ..services import flow
from . import recipients as pick
from .tasks import progress_url

PAGE_SIZE = 50


def scoped_assignment(request, pk, action="view") -> Assignment:
    queryset = Assignment.objects.restrict(request.user, action).select_related(
        "task__issuer",
        "organization",
        "submitted_by__person__organization",
        "reviewed_by__person__organization",
        "child_task",
    )
    return get_object_or_404(queryset, pk=pk)


# --- inbox ----------------------------------------------------------------------------------


@login_required
def assignment_inbox(request):
    """我的任务: what the user's organizations owe, grouped overdue / due soon / waiting /
    submitted / done, with a count per group."""
    user = request.user
    inbox = InboxFilter(request.GET, queryset=selectors.inbox_assignments(user), request=request)
    rows = inbox.qs  # an organization the user does not answer for is a 404
    org = inbox.form.cleaned_data.get("org")
    today = timezone.localdate()
    counts = selectors.inbox_counts(rows, today)
    group = request.GET.get("group")
    if group not in selectors.INBOX_GROUPS:
        group = next((g for g in selectors.INBOX_GROUPS[:4] if counts[g]), "waiting")
    listed = rows.filter(selectors.inbox_q(group, today, selectors.due_soon_days()))
    order = ["-reviewed_at", "-id"] if group == "done" else ["task__due_on", "organization__path"]
    listed = listed.select_related("task__issuer", "organization").order_by(*order)
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "tasks/assignment_inbox.html",
        {
            "page": page,
            "group": group,
            "counts": counts,
            "groups": _group_tabs(counts),
            "today": today,
            "soon_days": selectors.due_soon_days(),
            "org": org,
            "org_options": [o for o in nearby_choices(user, org, ANSWER) if o.is_active],
        },
    )


def _group_tabs(counts) -> list[dict]:
    labels = {
        "overdue": (_("已逾期"), "red"),
        "due_soon": (_("即将到期"), "orange"),
        "waiting": (_("待反馈"), "blue"),
        "submitted": (_("待审核"), "purple"),
        "done": (_("已采纳"), "green"),
    }
    return [
        {"code": g, "label": labels[g][0], "colour": labels[g][1], "count": counts[g]}
        for g in selectors.INBOX_GROUPS
    ]


# --- detail, submit, review -----------------------------------------------------------------


def _answers(fields, assignment, files) -> list[dict]:
    values = assignment.values or {}
    return [
        {
            "field": f,
            "value": answers.display(f, values.get(str(f.pk))),
            "files": [x for x in files if x.field_id == f.pk],
        }
        for f in fields
    ]


def _suggestion(assignment, fields) -> dict:
    """The children's accepted answers, summed per field, as a prefill for the recipient."""
    rolled = selectors.rolled_up_values(assignment)
    result = {}
    for field in fields:
        value = rolled.get(field.label)
        if value in (None, "", [], {}):
            continue
        if field.kind == FieldKind.NUMBER:
            result[field.pk] = format(value.normalize(), "f") if value else "0"
        elif field.kind == FieldKind.CHOICE:
            result[field.pk] = "、".join(f"{k} {n}" for k, n in value.items())
        elif field.kind == FieldKind.FILE:
            result[field.pk] = _("下级共上传 %(n)s 个附件") % {"n": value}
        elif isinstance(value, list):
            result[field.pk] = "\n".join(value)
        else:
            result[field.pk] = str(value)
    return result


def _detail_context(request, assignment, *, form=None, review_form=None) -> dict:
    user = request.user
    task = assignment.task
    fields = list(task.fields.all())
    files = list(assignment.files.all())
    can_answer = flow.can_answer(user, assignment)
    is_open = assignment.state in OPEN_STATES and task.status != TaskStatus.CLOSED
    child = getattr(assignment, "child_task", None)
    today = timezone.localdate()
    child_progress, suggestion = None, {}
    if child is not None:
        visible = Assignment.objects.restrict(user, "view").filter(task=child)
        child_progress = selectors.progress(child, assignments=visible, today=today)
        if child_progress.accepted:
            suggestion = _suggestion(assignment, fields)
    if can_answer and is_open and form is None:
        initial = None
        if suggestion and not assignment.values:
            initial = {"feedback": assignment.feedback}
            for field in fields:
                value = suggestion.get(field.pk)
                if value is not None and field.kind in (FieldKind.NUMBER, FieldKind.TEXT):
                    initial[field_name(field)] = value
        kwargs = {"initial": initial} if initial is not None else {}
        form = FeedbackForm(assignment=assignment, fields=fields, files=files, **kwargs)
    can_review = flow.can_review(user, assignment)
    reviewable = can_review and assignment.state == AssignmentState.SUBMITTED
    return {
        "assignment": assignment,
        "task": task,
        "fields": fields,
        "task_files": list(task.attachments.all()),
        "answers": _answers(fields, assignment, files),
        "evidence": [x for x in files if x.field_id is None],
        "form": form if (can_answer and is_open) else None,
        "review_form": review_form or (ReviewForm() if reviewable else None),
        "locked": assignment.state == AssignmentState.ACCEPTED,
        "overdue": assignment.state in OPEN_STATES and today > task.due_on,
        "history": selectors.state_history(assignment),
        "can_answer": can_answer,
        "can_pass_down": can_answer
        and is_open
        and assignment.organization.numchild > 0  # somebody below to pass it to
        and allows(user, "tasks.dispatch_task", assignment.organization),
        "child": child,
        "child_progress": child_progress,
        "suggestion": suggestion,
        "suggestion_fields": [(f, suggestion[f.pk]) for f in fields if f.pk in suggestion],
        "progress_url": progress_url(task) if can_review else None,
        "task_url": task.get_absolute_url() if can_review else None,
    }


@login_required
def assignment_detail(request, pk):
    assignment = scoped_assignment(request, pk)
    flow.assignment_mark_read(assignment=assignment, actor=request.user)
    return render(request, "tasks/assignment_detail.html", _detail_context(request, assignment))


@login_required
@require_POST
def assignment_submit(request, pk):
    user = request.user
    assignment = scoped_assignment(request, pk)
    if not flow.can_answer(user, assignment):
        raise Http404
    try:
        answer_services.assignment_check_open(actor=user, assignment=assignment)
    except ValidationError as exc:  # answered meanwhile, accepted, or the task closed
        messages.error(request, " ".join(exc.messages))
        return redirect(assignment)
    fields = list(assignment.task.fields.all())
    files = list(assignment.files.all())
    form = FeedbackForm(
        request.POST, request.FILES, assignment=assignment, fields=fields, files=files
    )
    if form.is_valid():
        try:
            answer_services.assignment_answer(
                assignment=assignment, actor=user, **form.service_fields()
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        except PermissionDenied as exc:
            raise Http404 from exc
        else:
            assignment.refresh_from_db()
            if assignment.late:
                messages.warning(request, _("已提交反馈（已过截止日期，标记为逾期反馈）。"))
            else:
                messages.success(request, _("已提交反馈，等待派发组织审核。"))
            return redirect(assignment)
    context = _detail_context(request, assignment, form=form)
    return render(request, "tasks/assignment_detail.html", context, status=200)


@login_required
@require_POST
def assignment_review(request, pk):
    user = request.user
    assignment = scoped_assignment(request, pk)
    if not flow.can_review(user, assignment):
        raise Http404
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            if form.cleaned_data["decision"] == ReviewForm.ACCEPT:
                flow.assignment_accept(assignment=assignment, actor=user)
                done = _("已采纳，反馈已锁定。")
            else:
                flow.assignment_return(
                    assignment=assignment, actor=user, reason=form.cleaned_data["reason"]
                )
                done = _("已退回，承办组织修改后将重新提交。")
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied as exc:
            raise Http404 from exc
        else:
            messages.success(request, done)
            return redirect(assignment)
    assignment.refresh_from_db()
    context = _detail_context(request, assignment, review_form=form)
    if assignment.state == AssignmentState.SUBMITTED:
        context["review_form"] = form
    return render(request, "tasks/assignment_detail.html", context)


# --- pass down ------------------------------------------------------------------------------


@login_required
def assignment_pass_down(request, pk):
    """The recipient forwards the task to organizations in its own subtree
    (``flow.assignment_pass_down``)."""
    user = request.user
    assignment = scoped_assignment(request, pk)
    org = assignment.organization
    allowed = flow.can_answer(user, assignment) and allows(user, "tasks.dispatch_task", org)
    if not allowed:
        raise Http404
    if assignment.state not in OPEN_STATES or assignment.task.status == TaskStatus.CLOSED:
        messages.error(request, _("该工作单已反馈或已结束，不能再向下转派。"))
        return redirect(assignment)
    child = getattr(assignment, "child_task", None)
    posted = request.method == "POST"
    data = request.POST if posted else (request.GET if "mode" in request.GET else None)
    form = PassDownForm(
        data,
        user=user,
        issuer=org,
        parent_due=assignment.task.due_on,
        initial={"mode": "subtree", "due_on": assignment.task.due_on},
    )
    context = {"assignment": assignment, "task": assignment.task, "form": form, "child": child}
    if posted and form.is_valid():
        try:
            child = flow.assignment_pass_down(
                assignment=assignment,
                actor=user,
                recipients=pick.chosen(form),
                due_on=form.cleaned_data.get("due_on"),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied as exc:
            raise Http404 from exc
        else:
            count = child.assignments.count()
            messages.success(
                request, _("已转派给下级 %(n)s 个组织，下级采纳的反馈将汇总到本单。") % {"n": count}
            )
            return redirect(assignment)
    if data is not None and form.is_valid():
        if form.hand:
            context["candidates"] = pick.candidates(form, child)
        if request.GET.get("preview") or posted:
            context["preview"] = pick.preview(form, child)
            context["confirm_fields"] = pick.confirm_fields(form) if form.is_valid() else []
    return render(request, "tasks/assignment_pass_down.html", context)


# --- files ----------------------------------------------------------------------------------


@login_required
def feedback_file(request, pk):
    """A recipient's evidence: only inside the scope (the recipient, the issuer above it)."""
    return download(FeedbackFile.objects.restrict(request.user, "view"), pk)
