"""更正评分 page: a round manager corrects one target's scores after scoring closed."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Avg
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from ..forms_scoring import ScoreForm
from ..models import EvaluatorKind, Score, Target
from ..selectors_results import can_correct
from ..selectors_scoring import scorable_items
from ..services.corrections import score_correct


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_l("更正理由"),
        max_length=250,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )


def _current_means(target: Target, group: str) -> dict:
    rows = (
        Score.objects.filter(target=target, group=group)
        .values("indicator")
        .annotate(mean=Avg("value"))
        .values_list("indicator", "mean")
    )
    return dict(rows)


@login_required
def score_correct_page(request, pk):
    target = get_object_or_404(
        Target.objects.restrict(request.user, "view").select_related(
            "round", "person", "organization"
        ),
        pk=pk,
    )
    round_ = target.round
    if not can_correct(request.user, round_):
        raise Http404
    groups = [g["kind"] for g in round_.snapshot["groups"]]
    group = request.POST.get("group") or request.GET.get("group") or groups[0]
    if group not in groups:
        raise Http404
    items = scorable_items(round_, group)
    data = request.POST if request.method == "POST" else None
    form = ScoreForm(items, data, existing=_current_means(target, group))
    reason = ReasonForm(data)
    if request.method == "POST" and form.is_valid() and reason.is_valid():
        try:
            score_correct(
                actor=request.user,
                target=target,
                group=group,
                values=form.values(),
                reason=reason.cleaned_data["reason"],
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "reason" in exc.error_dict:
                reason.add_error("reason", exc.error_dict["reason"])
            else:
                form.apply_errors(exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("评分已更正，本轮结果已重新计算。"))
            return redirect("evaluation:target_detail", target.pk)
    tabs = [{"kind": kind, "label": EvaluatorKind(kind).label} for kind in groups]
    return render(
        request,
        "evaluation/results/correct.html",
        {
            "target": target,
            "round": round_,
            "form": form,
            "reason": reason,
            "group": group,
            "group_label": EvaluatorKind(group).label,
            "group_tabs": tabs,
        },
    )
