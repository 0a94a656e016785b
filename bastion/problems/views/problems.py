"""Problem pages (问题清单): list, file, detail with the rectification steps, edit, evidence
downloads, export. Every problem comes through ``Problem.objects.restrict``: outside is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bastion.core.evidence import download
from bastion.core.excel import XLSX_CONTENT_TYPE
from bastion.core.pages import CappedPaginator, apply_errors
from bastion.core.scope import allows, has_permission_anywhere
from bastion.orgs.selectors import nearby_choices

from .. import exports, selectors
from ..filters import ProblemFilter
from ..forms import ProblemForm, TransitionForm
from ..models import Inspection, Problem, ProblemEvidence, State
from ..services import filing, rectify

PAGE_SIZE = 50
# A list counts at most this many problems (a national company has half a million).
COUNT_CAP = 10_000
REASON_MOVES = {State.REJECTED, "reopen"}
FILE_MOVES = {State.SUBMITTED, State.IN_PROGRESS}


def scoped_problem(request, pk, action="view") -> Problem:
    queryset = selectors.for_list(Problem.objects.restrict(request.user, action))
    return get_object_or_404(queryset, pk=pk)


def filtered(request, queryset):
    """``ProblemFilter`` (as the API reads it) on ``queryset``: the filter form, the rows and
    the chosen ``within`` organization; an organization outside the scope is a 404."""
    problem_filter = ProblemFilter(request.GET, queryset=queryset, request=request)
    rows = problem_filter.qs
    return problem_filter.form, rows, problem_filter.form.cleaned_data.get("within")


def list_context(request, queryset, form, selected) -> dict:
    """One page of the list in three short queries: the count and the page's ids (both on
    narrow rows an index serves), then the page's fifty problems with their relations. Sorting
    whole rows with five joins before the ``LIMIT`` took 150 ms for a province's 50,000."""
    ids = queryset.values_list("pk", flat=True)
    paginator = CappedPaginator(ids, PAGE_SIZE, cap=COUNT_CAP)
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = selectors.with_colours(selectors.in_order(list(page.object_list)))
    total_text = None
    if paginator.capped:
        total_text = _(
            "第 %(start)s–%(end)s 条，共超过 %(cap)s 条：请用筛选缩小范围，导出包含全部问题"
        ) % {"start": page.start_index(), "end": page.end_index(), "cap": f"{COUNT_CAP:,}"}
    return {
        "form": form,
        "page": page,
        "total_text": total_text,
        "within_options": nearby_choices(request.user, selected),
        "within_selected": selected.pk if selected else None,
    }


@login_required
def problem_list(request):
    user = request.user
    if not has_permission_anywhere(user, "problems.view_problem"):
        raise Http404
    form, problems, selected = filtered(request, selectors.visible(user))
    context = list_context(request, problems, form, selected)
    context.update(
        can_add=has_permission_anywhere(user, "problems.add_problem"),
        can_import=has_permission_anywhere(user, "problems.import_problem"),
        can_export=has_permission_anywhere(user, "problems.export_problem"),
    )
    return render(request, "problems/problem_list.html", context)


@login_required
def problem_export(request):
    user = request.user
    if not has_permission_anywhere(user, "problems.export_problem"):
        raise Http404
    _form, problems, _selected = filtered(request, Problem.objects.restrict(user, "export"))
    response = HttpResponse(exports.problems_xlsx(problems), content_type=XLSX_CONTENT_TYPE)
    name = f"problems-{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _render_form(request, form, problem=None, inspection=None):
    return render(
        request,
        "problems/problem_form.html",
        {"form": form, "problem": problem, "inspection": inspection},
    )


@login_required
def problem_create(request):
    user = request.user
    if not has_permission_anywhere(user, "problems.add_problem"):
        raise Http404
    inspection = None
    inspection_id = request.GET.get("inspection") or ""
    if inspection_id:
        if not inspection_id.isdigit():
            raise Http404
        inspection = get_object_or_404(Inspection.objects.restrict(user, "view"), pk=inspection_id)
    form = ProblemForm(request.POST or None, user=user, inspection=inspection)
    if request.method == "POST" and form.is_valid():
        try:
            problem = filing.problem_create(actor=user, **form.service_fields())
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc) or _("您无权执行该操作。"))
        else:
            note = _("问题已登记。")
            if problem.recurring:
                note += _("该组织一年内已出现同类问题，已标记为反复出现。")
            messages.success(request, note)
            if inspection is not None:
                return redirect(inspection.get_absolute_url())
            return redirect(problem.get_absolute_url())
    return _render_form(request, form, inspection=inspection)


@login_required
def problem_edit(request, pk):
    user = request.user
    problem = scoped_problem(request, pk, "change")
    form = ProblemForm(request.POST or None, user=user, problem=problem)
    if request.method == "POST" and form.is_valid():
        try:
            filing.problem_update(problem=problem, actor=user, **form.service_fields())
        except ValidationError as exc:
            problem.refresh_from_db()
            apply_errors(form, exc)
        except PermissionDenied as exc:
            problem.refresh_from_db()
            form.add_error(None, str(exc) or _("您无权执行该操作。"))
        else:
            messages.success(request, _("问题已更新。"))
            return redirect(problem.get_absolute_url())
    return _render_form(request, form, problem=problem)


@login_required
def problem_detail(request, pk, transition_form=None, failed_move=None):
    user = request.user
    problem = scoped_problem(request, pk)
    selectors.with_colours([problem])
    moves = [
        {
            "to": str(to),
            "label": rectify.MOVE_LABELS[to],
            "reason": to in REASON_MOVES,
            "files": to in FILE_MOVES,
            "verify": rectify.TRANSITIONS[to][1] == rectify.VERIFY,
        }
        for to in rectify.allowed_moves(problem, user)
    ]
    return render(
        request,
        "problems/problem_detail.html",
        {
            "problem": problem,
            "events": list(problem.events.select_related("actor__person__organization")),
            "evidence": list(problem.evidence.all()),
            "moves": moves,
            "transition_form": transition_form,
            "failed_move": failed_move,
            # The source inspection is scoped by who inspected: link it only where it may be opened.
            "can_open_inspection": problem.inspection_id is not None
            and allows(user, "problems.view_inspection", problem.inspection.inspecting_org),
            "can_edit": problem.state != State.CLOSED
            and allows(user, "problems.change_problem", problem.organization),
        },
        status=400 if transition_form is not None else 200,
    )


@login_required
@require_POST
def problem_transition(request, pk):
    user = request.user
    problem = scoped_problem(request, pk)
    form = TransitionForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            rectify.problem_transition(
                problem=problem,
                actor=user,
                to=form.cleaned_data["to"],
                reason=form.cleaned_data["reason"],
                files=form.cleaned_data["files"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied:
            form.add_error(None, _("您无权执行该操作。"))
        else:
            messages.success(
                request, _("问题状态已更新为“%(state)s”。") % {"state": problem.get_state_display()}
            )
            return redirect(problem.get_absolute_url())
    return problem_detail(request, pk, transition_form=form, failed_move=request.POST.get("to"))


@login_required
def evidence_file(request, pk):
    return download(ProblemEvidence.objects.restrict(request.user, "view"), pk)
