"""Results pages: a round's ranking (with its Excel export) and one target's result.

What a user sees comes from ``selectors_results``: a member sees a round only once published,
and then their own results and the published rankings of their branch; the evaluators' scores
table needs ``view_score`` covering the target.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Avg, Count
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from bastion.core.excel import XLSX_CONTENT_TYPE
from bastion.core.local_names import local_name
from bastion.core.pages import CountedPaginator
from bastion.core.scope import allows
from bastion.orgs.selectors import nearby_choices

from .. import exports
from .. import selectors_results as sel
from ..filters import TargetFilter, chosen
from ..models import EvaluatorKind, KeyEvent, SchemeStyle, Score
from ..selectors_sources_rows import contribution_sources
from ..selectors_titles import badges

PAGE_SIZE = 50


def safe_reverse(name: str, *args) -> str | None:
    """A link to a page another area provides, hidden until that page exists."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _filtered(request, round_):
    """The round's visible targets through ``TargetFilter`` (as the API and the export), with
    the chosen organization and search text; 404 for an organization outside the scope."""
    found = TargetFilter(
        request.GET, queryset=sel.visible_targets(request.user, round_), request=request
    )
    cleaned = chosen(found)
    return found.qs, cleaned.get("within"), cleaned.get("q") or ""


def _rows(user, targets, indicators):
    for target in targets:
        target.badges = badges(target.titles)
        shown = sel.can_see_breakdown(user, target)
        target.cells = [
            sel.points_text((target.contributions.get(item["code"]) or {}).get("points"))
            if shown
            else None
            for item in indicators
        ]
    return targets


@login_required
def results(request, round_pk):
    user = request.user
    round_ = sel.visible_round(user, round_pk)
    targets, selected, q = _filtered(request, round_)
    indicators = sel.top_indicators(round_.snapshot)
    # The whole round, seen whole: its stored figures instead of counting 3,000 rows.
    whole = selected is None and not q and sel.sees_whole_round(user, round_)
    stored = round_.summary.get("results") if whole else None
    if stored:
        paginator = CountedPaginator(sel.ranked(targets), PAGE_SIZE, count=stored["count"])
    else:
        paginator = Paginator(sel.ranked(targets), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    _rows(user, page.object_list, indicators)
    context = {
        "round": round_,
        "page": page,
        "indicators": indicators,
        "summary": sel.summary(targets, round_.snapshot, stored),
        "within_options": nearby_choices(user, selected),
        "within_selected": selected.pk if selected else None,
        "q": q,
        "can_export": sel.sees_unpublished(user),
        "round_url": safe_reverse("evaluation:round_detail", round_.pk),
        "title_board_url": reverse("evaluation:title_board"),
    }
    return render(request, "evaluation/results/results.html", context)


@login_required
def results_export(request, round_pk):
    user = request.user
    if not sel.sees_unpublished(user):
        raise Http404
    round_ = sel.visible_round(user, round_pk)
    targets, _selected, _q = _filtered(request, round_)
    response = HttpResponse(exports.results_xlsx(round_, targets), content_type=XLSX_CONTENT_TYPE)
    name = f"results-{round_.pk}-{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _score_tables(target):
    """Per indicator and evaluator group: the mean and how many scored; then every score. Both
    follow the scheme's indicator order."""
    items = target.round.snapshot.get("indicators", [])
    names = {item["code"]: local_name(item) for item in items}
    order = {item["code"]: index for index, item in enumerate(items)}
    groups = dict(EvaluatorKind.choices)
    means = (
        Score.objects.filter(target=target)
        .values("indicator", "group")
        .annotate(mean=Avg("value"), n=Count("id"))
        .order_by("indicator", "group")
    )
    means = [
        {
            **row,
            "name": names.get(row["indicator"], row["indicator"]),
            "group_label": groups.get(row["group"], row["group"]),
        }
        for row in means
    ]
    means.sort(key=lambda row: order.get(row["indicator"], len(order)))
    # The target's scores by its own index, then their evaluators by id: one join of scores to
    # accounts and people let PostgreSQL misjudge a national company's 540,000 scores and scan
    # them all.
    scores = list(Score.objects.filter(target=target).order_by())
    evaluators = get_user_model().objects.select_related("person__organization")
    evaluators = evaluators.in_bulk({score.evaluator_id for score in scores})
    for score in scores:
        score.evaluator = evaluators[score.evaluator_id]
        score.indicator_name = names.get(score.indicator, score.indicator)
    scores.sort(
        key=lambda score: (
            order.get(score.indicator, len(order)),
            score.indicator,
            score.group,
            score.evaluator.username,
        )
    )
    return means, scores


def _appeal_url(user, target, today) -> str | None:
    round_ = target.round
    if not round_.is_published or not round_.appeal_until or today > round_.appeal_until:
        return None
    own = bool(target.person_id) and target.person.user_id == user.pk
    manages = allows(user, "evaluation.add_appeal", target.organization)
    if not own and not (manages and sel.sees_unpublished(user)):
        return None
    return safe_reverse("evaluation:appeal_create", target.pk)


@login_required
def target_detail(request, pk):
    user = request.user
    target = sel.visible_target(user, pk)
    round_ = target.round
    breakdown = sel.can_see_breakdown(user, target)
    sources = contribution_sources(user, target) if breakdown else []
    context = {
        "target": target,
        "round": round_,
        "badges": badges(target.titles),
        "breakdown": breakdown,
        "nodes": sel.indicator_tree(round_.snapshot, target.contributions) if breakdown else [],
        "sources": sources,
        "source_codes": {found.code for found in sources},
        "key_event": (
            KeyEvent.objects.restrict(user, "view").filter(target=target).first()
            if round_.snapshot.get("style") == SchemeStyle.ARENA
            else None
        ),
        "appeal_url": _appeal_url(user, target, timezone.localdate()),
        "can_correct": sel.can_correct(user, target.round),
        "results_url": reverse("evaluation:results", args=[round_.pk]),
        "history_url": (
            reverse("evaluation:history_person", args=[target.person_id])
            if target.person_id
            else reverse("evaluation:history_org", args=[target.organization_id])
        ),
    }
    if sel.can_see_scores(user, target):
        context["means"], context["scores"] = _score_tables(target)
        context["show_scores"] = True
    return render(request, "evaluation/results/target_detail.html", context)
