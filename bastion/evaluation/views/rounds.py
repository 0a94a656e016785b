"""Round pages (考评轮次): list, setup, detail with scoring progress, missing scores, and the
actions compute / publish / close / remind.

Scope: a round is visible through ``Round.objects.restrict(user, "view")`` (a company round is
visible below the company), else 404. Progress counts and the missing list cover only the
targets the user may see (``Target.objects.restrict(user, "view")``); the missing list needs
``view_target`` somewhere. Actions need ``change_round`` (``publish_round`` to publish) covering
the round's organization, else 404; a 缺数处理 decision needs ``publish_round`` too. The data
gaps (``selectors_readiness``) show on the compute page (all targets) and on the round (the
targets the user may see). Links to the scoring and results pages (other areas) are
reversed here and simply left out while those pages are not installed.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from bastion.core.scope import has_permission_anywhere
from bastion.orgs.models import Organization
from bastion.orgs.selectors import nearby_choices

from .. import selectors_readiness, selectors_rounds
from ..filters import RoundFilter, TargetFilter, chosen
from ..forms_rounds import DataDecisionForm, RoundForm
from ..models import Round, RoundState, Scheme, Target
from ..selectors_results import sees_whole_round
from ..services import remind, rounds

PAGE_SIZE = 50
PREVIEW_SIZE = 10
STATE_BADGES = {
    RoundState.SCORING: "bg-blue-lt",
    RoundState.COMPUTED: "bg-yellow-lt",
    RoundState.PUBLISHED: "bg-green-lt",
    RoundState.CLOSED: "bg-secondary-lt",
}


def _reverse(name: str, *args) -> str:
    """A link to a page another area owns; empty while that page is not installed."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _int(raw) -> int | None:
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


def scoped_round(request, pk: int, action: str = "view") -> Round:
    queryset = Round.objects.restrict(request.user, action).select_related("scheme", "organization")
    return get_object_or_404(queryset, pk=pk)


def _require_view(user) -> None:
    if not has_permission_anywhere(user, "evaluation.view_round"):
        raise Http404


@login_required
def round_list(request):
    user = request.user
    _require_view(user)
    visible = Round.objects.restrict(user, "view")
    found = RoundFilter(
        request.GET, queryset=visible.select_related("scheme", "organization"), request=request
    )
    rounds_ = found.qs.annotate(target_count=Count("targets")).order_by(
        "-period_start", "scheme__code", "-id"
    )
    page = Paginator(rounds_, PAGE_SIZE).get_page(request.GET.get("page"))
    for round_ in page:
        round_.badge = STATE_BADGES.get(round_.state, "")
    return render(
        request,
        "evaluation/rounds/round_list.html",
        {
            "page": page,
            "schemes": Scheme.objects.restrict(user, "view").order_by("code"),
            "states": RoundState.choices,
            "years": [str(d.year) for d in visible.dates("period_start", "year", "DESC")],
            "scheme": request.GET.get("scheme", ""),
            "state": request.GET.get("state", ""),
            "period": request.GET.get("period", ""),
            "can_add": has_permission_anywhere(user, "evaluation.add_round"),
        },
    )


@login_required
def round_create(request):
    user = request.user
    if not has_permission_anywhere(user, "evaluation.add_round"):
        raise Http404
    initial = {}
    scheme_pk = _int(request.GET.get("scheme"))
    if scheme_pk:
        initial["scheme"] = scheme_pk
    form = RoundForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        round_ = _open(request, form)
        if round_ is not None:
            messages.success(request, _("考评轮次已发起，评价人可在评分窗口内评分。"))
            return redirect(round_.get_absolute_url())
    return render(
        request,
        "evaluation/rounds/round_form.html",
        {
            "form": form,
            "scheme_periods": form.scheme_periods(),
        },
    )


def _open(request, form) -> Round | None:
    fields = form.service_fields()
    try:
        return rounds.round_open(actor=request.user, **fields)
    except ValidationError as exc:
        _round_errors(form, exc, fields)
    except IntegrityError:  # two people opened the same round at the same moment
        form.add_error(
            None,
            form.duplicate_message(
                fields["scheme"], fields["organization"], fields["period_label"]
            ),
        )
    except PermissionDenied as exc:
        form.add_error(None, str(exc) or _("您无权执行该操作。"))
    return None


UNIQUE_CODES = {"unique", "unique_together"}
SERVICE_FIELDS = {
    "period_end": "term_end",
    "period_start": "term_start",
    "period_label": None,
    "snapshot": None,
}


def _round_errors(form, exc: ValidationError, fields: dict) -> None:
    """Like ``apply_errors``, with the service's period fields mapped to the form's and a
    duplicate round told in words."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, errors in exc.error_dict.items():
        if field == NON_FIELD_ERRORS and any(e.code in UNIQUE_CODES for e in errors):
            form.add_error(
                None,
                form.duplicate_message(
                    fields["scheme"], fields["organization"], fields["period_label"]
                ),
            )
            continue
        name = SERVICE_FIELDS.get(field, field)
        form.add_error(
            name if name in form.fields else None, [m for e in errors for m in e.messages]
        )


@login_required
def round_detail(request, pk: int):
    user = request.user
    round_ = scoped_round(request, pk)
    sees_targets = has_permission_anywhere(user, "evaluation.view_target")
    context = {
        "round": round_,
        "badge": STATE_BADGES.get(round_.state, ""),
        "sees_targets": sees_targets,
        "preview": _preview(user, round_),
        **_actions(user, round_),
        **_links(user, round_, sees_targets),
        **_data_context(user, round_),
    }
    if sees_targets:
        visible = Target.objects.restrict(user, "view")
        context["target_count"] = selectors_rounds.round_targets(round_, visible).count()
        context["progress"] = selectors_rounds.progress(round_, visible)
    return render(request, "evaluation/rounds/round_detail.html", context)


def _data_context(user, round_: Round, *, full: bool = False) -> dict:
    """缺数情况 and the decisions taken. Gaps are checked while the round can still change and
    shown for the targets the user may see (``full`` on the compute page, whose user manages
    the whole round); a published round shows the decisions it was published with."""
    can_decide = round_.state in (RoundState.SCORING, RoundState.COMPUTED) and (
        Round.objects.restrict(user, "publish").filter(pk=round_.pk).exists()
    )
    if round_.is_published:
        decisions = list(round_.data_decisions.select_related("decided_by"))
        return {"readiness": None, "data_decisions": decisions, "can_decide": False}
    readiness = selectors_readiness.round_readiness(round_)
    publish_block = readiness.blocking_message()
    if not full:
        seen = Target.objects.restrict(user, "view").filter(round=round_)
        readiness = readiness.limited_to(set(seen.values_list("pk", flat=True)))
    return {
        "readiness": readiness,
        "data_decisions": readiness.decisions,
        "publish_block": publish_block,
        "can_decide": can_decide,
        "decision_choices": DataDecisionForm.base_fields["decision"].choices,
    }


def _actions(user, round_: Round) -> dict[str, bool]:
    can_change = Round.objects.restrict(user, "change").filter(pk=round_.pk).exists()
    can_publish = Round.objects.restrict(user, "publish").filter(pk=round_.pk).exists()
    state = round_.state
    return {
        "can_compute": can_change and state != RoundState.CLOSED,
        "can_publish": can_publish and state == RoundState.COMPUTED,
        "can_close": can_change and state == RoundState.PUBLISHED,
        "can_remind": can_change and state == RoundState.SCORING,
    }


def _links(user, round_: Round, sees_targets: bool) -> dict[str, str]:
    """去评分 while scoring (for evaluators), the results once there are results to see."""
    scoring = round_.state == RoundState.SCORING and has_permission_anywhere(
        user, "evaluation.score_target"
    )
    results = round_.is_published or (sees_targets and round_.state == RoundState.COMPUTED)
    return {
        "scoring_url": _reverse("evaluation:scoring_round", round_.pk) if scoring else "",
        "results_url": _reverse("evaluation:results", round_.pk) if results else "",
    }


def _preview(user, round_: Round) -> list[Target]:
    """The top of the ranking, as far as the user may see it."""
    if round_.state == RoundState.SCORING:
        return []
    targets = Target.objects.restrict(user, "view")
    if round_.is_published:
        targets = targets | Target.objects.restrict(user, "view_published")
    rows = targets.filter(round=round_, rank__isnull=False).select_related("organization", "person")
    return list(rows.order_by("rank", "organization__path", "pk")[:PREVIEW_SIZE])


@login_required
def round_missing(request, pk: int):
    user = request.user
    round_ = scoped_round(request, pk)
    if not has_permission_anywhere(user, "evaluation.view_target"):
        raise Http404
    groups = selectors_rounds.scored_groups(round_)
    group = request.GET.get("group", "")
    if group not in {g["kind"] for g in groups}:
        group = ""
    found = TargetFilter(
        request.GET, queryset=Target.objects.restrict(user, "view"), request=request
    )
    within = chosen(found).get("within")
    if within is not None and not within.path.startswith(round_.organization.path):
        raise Http404  # the filter's organization lies outside this round
    rows = selectors_rounds.missing(round_, group or None, found.qs)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    selectors_rounds.with_owers(round_, list(page.object_list))
    return render(
        request,
        "evaluation/rounds/round_missing.html",
        {
            "round": round_,
            "page": page,
            "groups": groups,
            "group": group,
            "within": within,
            "within_options": _within_options(user, round_, within),
            "can_remind": round_.state == RoundState.SCORING
            and Round.objects.restrict(user, "change").filter(pk=pk).exists(),
        },
    )


def _within_options(user, round_: Round, within) -> list[Organization]:
    root = round_.organization.path
    return [
        org
        for org in nearby_choices(user, within or round_.organization)
        if org.path.startswith(root)
    ]


def _message(exc) -> str:
    text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
    return text or _("您无权执行该操作。")


def _act(request, pk: int, action: str, run, done: str):
    """Run a round action (POST), then back to the round with a message."""
    round_ = scoped_round(request, pk, action)
    try:
        result = run(round_)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _message(exc))
    else:
        messages.success(request, done % {"n": result})  # a text without %(n)s stays as is
    return redirect(reverse("evaluation:round_detail", args=[round_.pk]))


@require_http_methods(["GET", "POST"])
@login_required
def round_compute(request, pk: int):
    """计算结果 asks first: the page says how many scores are still missing and that scoring
    closes; only a POST with ``confirm`` computes (a plain form: no script needed)."""
    round_ = scoped_round(request, pk, "change")
    if request.method == "POST" and request.POST.get("confirm"):
        return _act(
            request,
            pk,
            "change",
            lambda r: rounds.round_compute(actor=request.user, round_=r),
            _("已计算 %(n)s 个评价对象的结果，请核对后发布。"),
        )
    if round_.state == RoundState.CLOSED:
        messages.error(request, _("该轮次已归档，不能重新计算。"))
        return redirect(reverse("evaluation:round_detail", args=[round_.pk]))
    stored = round_.summary.get("scoring")
    if stored and round_.state != RoundState.SCORING and sees_whole_round(request.user, round_):
        # Scoring closed when it was computed: what was missing then still is.
        groups = [
            {**g, "name": selectors_rounds.group_label(g["group"], g["name"])}
            for g in stored["groups"]
        ]
        summary = {**stored, "groups": groups}
    else:
        summary = selectors_rounds.compute_summary(
            round_, Target.objects.restrict(request.user, "view")
        )
    return render(
        request,
        "evaluation/rounds/round_compute.html",
        {
            "round": round_,
            "summary": summary,
            "scoring": round_.state == RoundState.SCORING,
            "window_open": round_.state == RoundState.SCORING
            and timezone.localdate() <= round_.closes_on,
            "published": round_.state == RoundState.PUBLISHED,
            "missing_counts_zero": round_.snapshot.get("missing_policy", "zero") == "zero",
            "next_url": request.path,
            **_data_context(request.user, round_, full=True),
        },
    )


@require_POST
@login_required
def round_data_decide(request, pk: int):
    """缺数处理: record one decision (exclude for everyone, or wait), then back where it was
    taken (the compute page or the round)."""
    round_ = scoped_round(request, pk, "publish")
    form = DataDecisionForm(request.POST)
    back = reverse("evaluation:round_detail", args=[round_.pk])
    if request.POST.get("next") == reverse("evaluation:round_compute", args=[round_.pk]):
        back = request.POST["next"]
    if not form.is_valid():
        messages.error(request, _("请选择“全员剔除该指标”或“等待数据”。"))
        return redirect(back)
    try:
        decided = rounds.round_data_decide(actor=request.user, round_=round_, **form.cleaned_data)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _message(exc))
    else:
        text = _("已记录：%(name)s — %(decision)s。")
        messages.success(
            request,
            text % {"name": decided.indicator_name, "decision": decided.get_decision_display()},
        )
        if decided.decision == "exclude" and round_.computed_at:
            messages.info(request, _("剔除在重新计算后生效，请重新计算、核对后再发布。"))
    return redirect(back)


@require_POST
@login_required
def round_publish(request, pk: int):
    return _act(
        request,
        pk,
        "publish",
        lambda r: rounds.round_publish(actor=request.user, round_=r),
        _("结果已发布，授予称号 %(n)s 项，申诉期已开始。"),
    )


@require_POST
@login_required
def round_close(request, pk: int):
    return _act(
        request,
        pk,
        "change",
        lambda r: rounds.round_close(actor=request.user, round_=r),
        _("该轮次已归档。"),
    )


@require_POST
@login_required
def round_remind(request, pk: int):
    round_ = scoped_round(request, pk, "change")
    try:
        sent = remind.round_remind(actor=request.user, round_=round_)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _message(exc))
    else:
        if sent:
            messages.success(request, _("已向 %(n)s 位评价人发送催评提醒。") % {"n": sent})
        else:
            messages.info(request, _("没有需要提醒的评价人：评分已齐，或今天已经提醒过。"))
    return redirect(reverse("evaluation:round_detail", args=[round_.pk]))
