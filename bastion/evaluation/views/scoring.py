"""我的评分: the phone-friendly pages where an evaluator scores the targets of open rounds.

``scoring_home`` lists the open rounds with the user's counts (待评 / 已评), ``scoring_round`` the
targets of one round they may score (in an arena: their branch's key events), ``scoring_form``
one target's items for one evaluator group. Every target comes through
``Target.objects.restrict(user, "score")`` and must give the user at least one evaluator group
of the round; anything else is a 404. Writes go through ``services.scores.score_submit``.
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

from .. import selectors_scoring as sel
from ..forms_scoring import ScoreForm
from ..models import EvaluatorKind, Round, RoundState, Score, Target
from ..selectors_scoring import is_arena, scorable_items, scoring_open
from ..services.scores import score_submit

PAGE_SIZE = 30


def require_scorer(user) -> None:
    if not sel.may_score_anywhere(user):
        raise Http404


def visible_round(user, pk) -> Round:
    return get_object_or_404(
        Round.objects.restrict(user, "view").select_related("organization"), pk=pk
    )


def window_message(round_: Round, today) -> str:
    """Why scores are not taken today ("" when they are): the service's own wording."""
    if scoring_open(round_, today):
        return ""
    if round_.state != RoundState.SCORING:
        return _("本轮考评已结束评分，不能再提交。")
    if today < round_.opens_on:
        return _("评分尚未开始（%(day)s 开始）。") % {"day": round_.opens_on}
    return _("评分已于 %(day)s 截止。") % {"day": round_.closes_on}


def group_label(kind: str) -> str:
    return EvaluatorKind(kind).label


@login_required
def scoring_home(request):
    """我的评分: open rounds where the user has targets to score or a key event to submit."""
    user = request.user
    require_scorer(user)
    today = timezone.localdate()
    return render(
        request,
        "evaluation/scoring/home.html",
        {"cards": sel.home_cards(user, today), "today": today},
    )


@login_required
def scoring_round(request, round_pk):
    """The targets of one round this user may score, not yet scored first, searchable."""
    user = request.user
    require_scorer(user)
    round_ = visible_round(user, round_pk)
    today = timezone.localdate()
    query = request.GET.get("q", "").strip()[:50]
    found = sel.assignments(user, round_, sel.round_targets(user, round_, query))
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    arena = is_arena(round_)
    context = {
        "round": round_,
        "arena": arena,
        "page": page,
        "rows": [_row(a, arena) for a in page],
        "query": query,
        "pending": sum(1 for a in found if not a.is_done),
        "scored": sum(1 for a in found if a.is_done),
        "next": None if query else sel.next_pending(found),
        "closed": window_message(round_, today),
    }
    if arena:
        context["my_event"] = sel.own_event(user, round_)
        context["can_submit"] = sel.may_enter(user, round_)
    return render(request, "evaluation/scoring/round.html", context)


def _row(assignment: sel.Assignment, arena: bool) -> dict:
    """A list item: the target, each group with its state, and where the first tap goes."""
    first = next((g for g in assignment.groups if g not in assignment.done), assignment.groups[0])
    return {
        "target": assignment.target,
        "event": assignment.target.key_event if arena else None,  # loaded with the target
        "groups": [
            {"kind": g, "label": group_label(g), "done": g in assignment.done}
            for g in assignment.groups
        ],
        "done": assignment.is_done,
        "group": first,
    }


@login_required
def scoring_form(request, round_pk, target_pk):
    """One target, one evaluator group: an input per item, prefilled with the user's scores."""
    user = request.user
    require_scorer(user)
    round_ = visible_round(user, round_pk)
    targets = Target.objects.restrict(user, "score").filter(round=round_)
    target = get_object_or_404(
        targets.select_related("organization", "person", "key_event"), pk=target_pk
    )
    sel.person_of(user)
    kinds = sel.round_groups(round_)
    groups = sel.usable_groups(user, target, kinds)
    own = sel.is_own_target(user, target)
    if not groups and not (own and kinds):
        raise Http404
    wanted = request.POST.get("group") or request.GET.get("group")
    if groups:
        group = wanted if wanted in groups else groups[0]
    else:  # own target, no self-rating in this scheme: only the refusal is shown
        group = wanted if wanted in kinds else kinds[0]
    today = timezone.localdate()
    state = {"round": round_, "target": target, "group": group, "groups": groups, "today": today}
    if not groups:
        return _refuse_own(request, state)
    return _score_page(request, state)


def _refuse_own(request, state):
    """A member's own target: the service refuses (its message is what the page shows)."""
    message = sel.own_target_refusal(state["round"])
    if request.method == "POST":
        try:
            _submit(request, state, values={}, comment="")
        except ValidationError as exc:
            message = " ".join(exc.messages)
        except PermissionDenied:
            raise Http404 from None
    messages.error(request, message)
    return render(request, "evaluation/scoring/form.html", {**state, **_page_bits(state)})


def _submit(request, state, *, values, comment):
    return score_submit(
        actor=request.user,
        round_=state["round"],
        target=state["target"],
        group=state["group"],
        values=values,
        comment=comment,
        today=state["today"],
    )


def _page_bits(state) -> dict:
    round_, target = state["round"], state["target"]
    return {
        "arena": is_arena(round_),
        "event": getattr(target, "key_event", None),
        "group_tabs": [{"kind": g, "label": group_label(g)} for g in state["groups"]],
        "group_label": group_label(state["group"]),
        "closed": window_message(round_, state["today"]),
    }


def _score_page(request, state):
    user, round_, target, group = request.user, state["round"], state["target"], state["group"]
    items = scorable_items(round_, group)
    saved = Score.objects.filter(round=round_, target=target, group=group, evaluator=user)
    existing = {s.indicator: s.value for s in saved}
    bits = _page_bits(state)
    comment = next((s.comment for s in saved if s.comment), "")
    form = ScoreForm(
        items,
        request.POST or None,
        existing=existing,
        disabled=bool(bits["closed"]),
        initial={"comment": comment},
    )
    if request.method == "POST" and form.is_valid():
        try:
            _submit(request, state, values=form.values(), comment=form.cleaned_data["comment"])
        except ValidationError as exc:
            form.apply_errors(exc)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(
                request,
                _("已保存对“%(name)s”的评分（%(group)s）。")
                % {"name": target.label, "group": bits["group_label"]},
            )
            return redirect("evaluation:scoring_round", round_pk=round_.pk)
    elif request.method == "POST" and bits["closed"]:
        form.add_error(None, bits["closed"])
    context = {**state, **bits, "form": form, "scored": bool(existing)}
    return render(request, "evaluation/scoring/form.html", context)
