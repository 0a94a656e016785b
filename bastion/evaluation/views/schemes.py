"""Scheme pages (考评方案): the list, one scheme's indicator tree, groups, titles and rounds, and
the edit pages. Every scheme comes through ``Scheme.objects.restrict``: viewing one outside the
scope, or editing one the user may not change (a shipped scheme for a county), is a 404.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from bastion.core.local_names import local_name
from bastion.core.pages import apply_errors
from bastion.core.scope import has_permission_anywhere

from .. import selectors_schemes
from ..engine import q2
from ..forms_schemes import GroupsForm, IndicatorForm, SchemeForm, TitleRuleForm
from ..models import (
    WEIGHTED_KINDS,
    BenchmarkIndicator,
    DataSource,
    EvaluatorKind,
    Indicator,
    PointsCategory,
    Round,
    Scheme,
    TitleRule,
)
from ..services import scheme_edit as services

PAGE_SIZE = 50
ROUNDS_SHOWN = 10


def posted_data(request):
    """The POST data, or None on GET: an empty POST (all boxes unticked) is still a POST."""
    return request.POST if request.method == "POST" else None


def _scheme(request, pk, action="view") -> Scheme:
    queryset = Scheme.objects.restrict(request.user, action).select_related("owner")
    return get_object_or_404(queryset, pk=pk)


FAILED = object()


def _call(form, service, **kwargs):
    """Run a service for a valid form; on refusal put the reason on the form, return FAILED."""
    try:
        return service(**kwargs)
    except ValidationError as exc:
        apply_errors(form, exc)
    except PermissionDenied as exc:
        form.add_error(None, str(exc) or _("您无权执行该操作。"))
    return FAILED


# --- reading ------------------------------------------------------------------------------


@login_required
def scheme_list(request):
    user = request.user
    if not has_permission_anywhere(user, "evaluation.view_scheme"):
        raise Http404
    schemes = (
        Scheme.objects.restrict(user, "view")
        .select_related("owner")
        .annotate(indicator_count=Count("indicators"))
        .order_by("-is_active", "code")
    )
    page = Paginator(schemes, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "evaluation/schemes/scheme_list.html",
        {
            "page": page,
            "can_add": has_permission_anywhere(user, "evaluation.add_scheme"),
        },
    )


@dataclass
class IndicatorRow:
    item: Indicator
    depth: int
    share: Decimal | None  # points of the full score a weighted node shares out
    scored_by: list[str]
    param_label: str

    @property
    def indent(self) -> str:
        return f"{self.depth * 1.5:.1f}rem"


def indicator_rows(scheme: Scheme, items: list[Indicator]) -> list[IndicatorRow]:
    """The tree in display order, each weighted node with its share of the full score: the
    engine's rule, full score × weight ÷ the siblings' weights, down the tree."""
    children: dict[int | None, list[Indicator]] = defaultdict(list)
    for item in items:
        children[item.parent_id].append(item)
    labels = _param_labels(items)
    rows: list[IndicatorRow] = []

    def walk(parent_id, share: Decimal, depth: int) -> None:
        siblings = children.get(parent_id, [])
        total = sum((i.weight for i in siblings if i.kind in WEIGHTED_KINDS), Decimal(0))
        for item in siblings:
            weighted = item.kind in WEIGHTED_KINDS and total > 0
            item_share = share * item.weight / total if weighted else None
            groups = [
                str(EvaluatorKind(k).label)
                for k in item.scored_by or []
                if k in EvaluatorKind.values
            ]
            shown = None if item_share is None else q2(item_share)
            label = labels.get((item.source, item.source_param), "")
            rows.append(IndicatorRow(item, depth, shown, groups, label))
            walk(item.pk, item_share or Decimal(0), depth + 1)

    walk(None, scheme.full_score, 0)
    return rows


def _param_labels(items: list[Indicator]) -> dict[tuple[str, str], str]:
    """(source, parameter) → what the parameter names, two queries for any tree."""
    params = {(i.source, i.source_param) for i in items if i.source and i.source_param}
    benchmark = {p for s, p in params if s == DataSource.BENCHMARK}
    schemes = {p for s, p in params if s == DataSource.SCHEME_RESULT}
    names = {}
    if benchmark:
        for row in BenchmarkIndicator.objects.filter(code__in=benchmark):
            names[(DataSource.BENCHMARK.value, row.code)] = local_name(row)
    if schemes:
        for row in Scheme.objects.filter(code__in=schemes):
            names[(DataSource.SCHEME_RESULT.value, row.code)] = local_name(row)
    for source, param in params:
        if source == DataSource.POINTS and param in PointsCategory.values:
            names[(source, param)] = str(PointsCategory(param).label)
    return names


def _score(value) -> str:
    value = Decimal(value).normalize()
    return f"{value:f}"


def describe_rule(rule: TitleRule, indicator_names: dict[str, str]) -> str:
    """The rule in words: “总分≥95”, “同一上级组织内第1名”, “后2名且低于70分，达到75分摘牌”."""
    if rule.basis == "band" and rule.indicator_code:
        name = indicator_names.get(rule.indicator_code, rule.indicator_code)
        text = _("“%(name)s”得分率≥%(score)s%%") % {"name": name, "score": _score(rule.min_score)}
    elif rule.basis == "band":
        text = _("总分≥%(score)s") % {"score": _score(rule.min_score)}
    elif rule.basis == "all_of":
        text = _("同时获得：%(titles)s") % {"titles": "、".join(rule.requires)}
    else:
        text = _ranked(rule)
    if rule.lift_score is not None:
        text += _("，达到%(score)s分摘牌") % {"score": _score(rule.lift_score)}
    return text


def _ranked(rule: TitleRule) -> str:
    count = rule.count or 0
    if rule.basis == "top":
        text = _("第1名") if count == 1 else _("前%(count)s名") % {"count": count}
        if rule.min_score is not None:
            text += _("且不低于%(score)s分") % {"score": _score(rule.min_score)}
    else:
        text = _("后%(count)s名") % {"count": count}
        if rule.max_score is not None:
            text += _("且低于%(score)s分") % {"score": _score(rule.max_score)}
    if rule.within == "parent":
        text = _("同一上级组织内%(rank)s") % {"rank": text}
    return text


@login_required
def scheme_detail(request, pk):
    user = request.user
    scheme = _scheme(request, pk)
    items = list(scheme.indicators.order_by("order", "id"))
    groups = list(scheme.groups.all())
    group_total = sum((g.weight for g in groups), Decimal(0))
    names = {item.code: local_name(item) for item in items}
    rules = list(scheme.title_rules.all())
    rule_names = {rule.code: local_name(rule) for rule in rules}
    for rule in rules:
        rule.requires = [rule_names.get(code, code) for code in rule.requires]
        rule.description = describe_rule(rule, names)
        rule.star_text = "★" * (rule.stars or 0)
    rounds = list(
        Round.objects.restrict(user, "view")
        .filter(scheme=scheme)
        .select_related("organization")
        .order_by("-period_start", "-id")[:ROUNDS_SHOWN]
    )
    return render(
        request,
        "evaluation/schemes/scheme_detail.html",
        {
            "scheme": scheme,
            "rows": indicator_rows(scheme, items),
            "groups": [
                {"group": g, "percent": q2(100 * g.weight / group_total) if group_total else None}
                for g in groups
            ],
            "rules": rules,
            "rounds": rounds,
            "can_edit": selectors_schemes.may_change(user, scheme),
        },
    )


# --- the scheme ---------------------------------------------------------------------------


@login_required
def scheme_create(request):
    user = request.user
    if not has_permission_anywhere(user, "evaluation.add_scheme"):
        raise Http404
    form = SchemeForm(posted_data(request), user=user)
    if request.method == "POST" and form.is_valid():
        scheme = _call(form, services.scheme_create, actor=user, **form.payload())
        if scheme is not FAILED:
            messages.success(request, _("已新建考评方案，请继续设置指标、评价主体和称号。"))
            return redirect(scheme.get_absolute_url())
    return render(request, "evaluation/schemes/scheme_form.html", {"form": form})


@login_required
def scheme_edit(request, pk):
    scheme = _scheme(request, pk, "change")
    form = SchemeForm(posted_data(request), user=request.user, scheme=scheme)
    if request.method == "POST" and form.is_valid():
        saved = _call(
            form, services.scheme_update, actor=request.user, scheme=scheme, **form.payload()
        )
        if saved is not FAILED:
            messages.success(request, _("考评方案已保存，今后新开启的轮次将使用新的设置。"))
            return redirect(scheme.get_absolute_url())
        scheme.refresh_from_db()
    return render(request, "evaluation/schemes/scheme_form.html", {"form": form, "scheme": scheme})


# --- indicators ---------------------------------------------------------------------------


def _indicator(scheme: Scheme, ipk) -> Indicator:
    return get_object_or_404(scheme.indicators.select_related("parent"), pk=ipk)


def _indicator_page(request, scheme, indicator=None):
    form = IndicatorForm(posted_data(request), scheme=scheme, indicator=indicator)
    if request.method == "POST" and form.is_valid():
        saved = _call(
            form,
            services.indicator_save,
            actor=request.user,
            scheme=scheme,
            indicator=indicator,
            **form.payload(),
        )
        if saved is not FAILED:
            messages.success(request, _("指标已保存。"))
            return redirect(scheme.get_absolute_url())
        if indicator is not None:
            indicator.refresh_from_db()
    return render(
        request,
        "evaluation/schemes/indicator_form.html",
        {
            "form": form,
            "scheme": scheme,
            "indicator": indicator,
            "benchmarks": [(b.code, local_name(b)) for b in BenchmarkIndicator.objects.all()],
            "schemes": [(s.code, local_name(s)) for s in Scheme.objects.exclude(pk=scheme.pk)],
            "categories": PointsCategory.choices,
        },
    )


@login_required
def indicator_add(request, pk):
    return _indicator_page(request, _scheme(request, pk, "change"))


@login_required
def indicator_edit(request, pk, ipk):
    scheme = _scheme(request, pk, "change")
    return _indicator_page(request, scheme, _indicator(scheme, ipk))


@login_required
def indicator_delete(request, pk, ipk):
    """GET asks for confirmation (listing what goes with a group); POST deletes."""
    scheme = _scheme(request, pk, "change")
    indicator = _indicator(scheme, ipk)
    below = list(
        Indicator.objects.filter(pk__in=selectors_schemes.descendant_ids(indicator)).order_by(
            "order", "id"
        )
    )
    error = None
    if request.method == "POST":
        try:
            count = services.indicator_delete(actor=request.user, indicator=indicator)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(
                request,
                _("已删除指标“%(name)s”（共 %(count)s 项）。")
                % {"name": local_name(indicator), "count": count},
            )
            return redirect(scheme.get_absolute_url())
    return render(
        request,
        "evaluation/schemes/indicator_delete.html",
        {
            "scheme": scheme,
            "indicator": indicator,
            "below": below,
            "error": error,
        },
    )


# --- evaluator groups ---------------------------------------------------------------------


@login_required
def group_edit(request, pk):
    scheme = _scheme(request, pk, "change")
    form = GroupsForm(posted_data(request), scheme=scheme)
    if request.method == "POST" and form.is_valid():
        saved = _call(
            form, services.groups_save, actor=request.user, scheme=scheme, weights=form.weights()
        )
        if saved is not FAILED:
            messages.success(request, _("评价主体和权重已保存。"))
            return redirect(scheme.get_absolute_url())
    return render(request, "evaluation/schemes/group_form.html", {"form": form, "scheme": scheme})


# --- title rules --------------------------------------------------------------------------


def _rule(scheme: Scheme, tpk) -> TitleRule:
    return get_object_or_404(scheme.title_rules, pk=tpk)


def _title_page(request, scheme, rule=None):
    form = TitleRuleForm(posted_data(request), scheme=scheme, rule=rule)
    if request.method == "POST" and form.is_valid():
        saved = _call(
            form,
            services.title_rule_save,
            actor=request.user,
            scheme=scheme,
            rule=rule,
            **form.payload(),
        )
        if saved is not FAILED:
            messages.success(request, _("称号规则已保存。"))
            return redirect(scheme.get_absolute_url())
        if rule is not None:
            rule.refresh_from_db()
    return render(
        request,
        "evaluation/schemes/title_form.html",
        {"form": form, "scheme": scheme, "rule": rule},
    )


@login_required
def title_add(request, pk):
    return _title_page(request, _scheme(request, pk, "change"))


@login_required
def title_edit(request, pk, tpk):
    scheme = _scheme(request, pk, "change")
    return _title_page(request, scheme, _rule(scheme, tpk))


@login_required
def title_delete(request, pk, tpk):
    scheme = _scheme(request, pk, "change")
    rule = _rule(scheme, tpk)
    error = None
    if request.method == "POST":
        try:
            services.title_rule_delete(actor=request.user, rule=rule)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("已删除称号规则“%(name)s”。") % {"name": local_name(rule)})
            return redirect(scheme.get_absolute_url())
    return render(
        request,
        "evaluation/schemes/title_delete.html",
        {"scheme": scheme, "rule": rule, "error": error},
    )
