"""Appeal pages (申诉): raise one against a published result, list them, answer one.

A target is found through ``Target.objects.restrict(user, "view")`` (a member sees their own
rows through it), an appeal through ``Appeal.objects.restrict`` (the raiser always sees theirs).
Outside either, or without the right to appeal or answer, the answer is 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from bastion.core.local_names import local_name
from bastion.core.pages import apply_errors
from bastion.core.scope import has_permission_anywhere

from .. import selectors_appeals
from ..forms_appeals import AnswerForm, AppealForm
from ..models import Appeal, AppealState, Target
from ..services import appeals as services
from .schemes import posted_data

PAGE_SIZE = 50
RELATED = (
    "target__round",
    "target__organization",
    "target__person",
    "raised_by__person__organization",
    "answered_by",
)


@login_required
def appeal_list(request):
    user = request.user
    readers = ("evaluation.view_appeal", "evaluation.add_appeal")
    if not any(has_permission_anywhere(user, p) for p in readers):
        raise Http404
    can_answer = has_permission_anywhere(user, "evaluation.change_appeal")
    state = request.GET.get("state") or ("open" if can_answer else "all")
    state = state if state in ("open", "all") else "all"
    appeals = Appeal.objects.restrict(user, "view").select_related(*RELATED)
    if state == "open":
        appeals = appeals.filter(state=AppealState.OPEN)
    page = Paginator(appeals, PAGE_SIZE).get_page(request.GET.get("page"))
    answerable = set()
    if can_answer:
        answerable = set(
            Appeal.objects.restrict(user, "change")
            .filter(pk__in=[a.pk for a in page.object_list], state=AppealState.OPEN)
            .values_list("pk", flat=True)
        )
    return render(
        request,
        "evaluation/appeals/appeal_list.html",
        {
            "page": page,
            "state": state,
            "answerable": answerable,
        },
    )


@login_required
def appeal_create(request, target_pk):
    user = request.user
    queryset = Target.objects.restrict(user, "view").select_related(
        "round", "organization", "person"
    )
    target = get_object_or_404(queryset, pk=target_pk)
    if not selectors_appeals.may_appeal(user, target):
        raise Http404
    closed = selectors_appeals.window_error(target.round)
    pending = selectors_appeals.open_appeal(target)
    form = AppealForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.appeal_raise(actor=user, target=target, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, _("申诉已提交，处理结果将通知您。"))
            return redirect("evaluation:appeal_list")
    return render(
        request,
        "evaluation/appeals/appeal_form.html",
        {
            "form": form,
            "target": target,
            "closed": closed,
            "pending": pending,
            "result_url": selectors_appeals.result_url(target),
        },
    )


@login_required
def appeal_answer(request, pk):
    user = request.user
    appeal = get_object_or_404(
        Appeal.objects.restrict(user, "change").select_related(*RELATED), pk=pk
    )
    form = AnswerForm(posted_data(request))
    if request.method == "POST" and appeal.state == AppealState.OPEN and form.is_valid():
        try:
            services.appeal_answer(
                actor=user, appeal=appeal, uphold=form.uphold, answer=form.cleaned_data["answer"]
            )
        except ValidationError as exc:
            appeal.refresh_from_db()
            apply_errors(form, exc)
        else:
            if appeal.state == AppealState.UPHELD:
                note = _("申诉已采纳，本轮结果已重新计算，称号已重新授予。")
            else:
                note = _("申诉已驳回。")
            messages.success(request, note)
            return redirect("evaluation:appeal_list")
    target = appeal.target
    return render(
        request,
        "evaluation/appeals/appeal_answer.html",
        {
            "form": form,
            "appeal": appeal,
            "target": target,
            "contributions": _contributions(target),
            "result_url": selectors_appeals.result_url(target),
        },
    )


def _contributions(target: Target) -> list[dict]:
    """The target's current result per indicator, in the order of the round's snapshot."""
    rows = []
    for item in target.round.snapshot.get("indicators", []):
        found = (target.contributions or {}).get(item["code"])
        if found is not None:
            rows.append({"name": local_name(item), "kind": item["kind"], **found})
    return rows
