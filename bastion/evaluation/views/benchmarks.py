"""同业对标 pages: the month table with ranks, one indicator's ranking and trend, the
five-colour station map, and manual entry. Everything is read inside the user's scope
(``selectors_benchmark_pages``); without ``view_benchmarkvalue`` anywhere the pages are 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from bastion.core.local_names import local_name
from bastion.core.periods import MONTH, QUARTER, Period, parse_month
from bastion.core.scope import has_permission_anywhere
from bastion.orgs.models import Organization
from bastion.orgs.selectors import nearby_choices

from .. import selectors_benchmark_pages as pages
from ..filters import BenchmarkValueFilter, chosen
from ..forms_benchmarks import BenchmarkEntryForm, value_field_name
from ..models import BenchmarkIndicator, BenchmarkValue
from ..services import benchmarks as service

PAGE_SIZE = 50
VIEW = pages.VIEW
IMPORT = "evaluation.import_benchmarkvalue"


def _require(user, permission=VIEW) -> None:
    if not has_permission_anywhere(user, permission):
        raise Http404


def _within(request) -> Organization | None:
    """The ``within`` of ``BenchmarkValueFilter`` (as ``GET benchmark-values/``): an
    organization in view, else 404 (never someone else's)."""
    found = BenchmarkValueFilter(
        request.GET, queryset=BenchmarkValue.objects.none(), request=request
    )
    return chosen(found).get("within")


def _month(request, available) -> Period:
    month = parse_month(request.GET.get("month"))
    if month is None:
        month = available[0] if available else timezone.localdate()
    return Period.containing(MONTH, month)


def _period(request, available) -> Period:
    """A quarter when ``period=quarter`` (``quarter=2026Q1``; the old ``2026-Q1`` too), else
    a month; a quarter that names none is the chosen month's."""
    if request.GET.get("period") == "quarter":
        quarter = Period.parse_or_none(request.GET.get("quarter"), QUARTER)
        return quarter or Period.containing(QUARTER, _month(request, available).start)
    return _month(request, available)


def _filter_context(request, within, available, period) -> dict:
    months = list(available)
    if period.kind == "month" and period.start not in months:
        months = sorted([*months, period.start], reverse=True)
    quarters = sorted({Period.containing(QUARTER, m).label for m in months}, reverse=True)
    return {
        "period": period,
        "months": months,
        "quarters": quarters,
        "within": within,
        "within_options": nearby_choices(request.user, within),
    }


@login_required
def benchmark_list(request):
    user = request.user
    _require(user)
    within = _within(request)
    available = pages.months(user, within)
    period = _month(request, available)
    result = pages.table(user, within, period)
    codes = {i.code for i in result.indicators}
    sort = request.GET.get("sort") if request.GET.get("sort") in codes else None
    page = Paginator(pages.sort_rows(result.rows, sort), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = _filter_context(request, within, available, period)
    context.update(
        result=result,
        page=page,
        sort=sort,
        rows=[(row, row.cell_list(result.indicators)) for row in page.object_list],
        can_import=has_permission_anywhere(user, IMPORT),
        can_add=has_permission_anywhere(user, service.ADD),
    )
    return render(request, "evaluation/benchmarks/list.html", context)


@login_required
def benchmark_indicator(request, code):
    user = request.user
    _require(user)
    indicator = get_object_or_404(BenchmarkIndicator, code=code)
    within = _within(request)
    available = pages.months(user, within)
    period = _month(request, available)
    result = pages.table(user, within, period)
    ranked = sorted(
        (row for row in result.rows if indicator.code in row.cells),
        key=lambda r: (r.cells[indicator.code].rank, r.path),
    )
    page = Paginator(ranked, PAGE_SIZE).get_page(request.GET.get("page"))
    points = pages.trend(user, within, indicator, period.start)
    chart = {
        "months": [f"{p.month:%Y-%m}" for p in points],
        "average": [_number(p.average) for p in points],
        "best": [_number(p.best) for p in points],
        "worst": [_number(p.worst) for p in points],
        "unit": indicator.unit,
        "labels": {"average": _("平均"), "best": _("最好"), "worst": _("最差")},
    }
    context = _filter_context(request, within, available, period)
    context.update(
        indicator=indicator,
        indicators=result.indicators,
        page=page,
        rows=[(row, row.cells[indicator.code]) for row in page.object_list],
        count=len(ranked),
        population=result.counts.get(indicator.code, 0),
        chart=chart,
        points=points,
    )
    return render(request, "evaluation/benchmarks/indicator.html", context)


def _number(value):
    return None if value is None else float(value)


@login_required
def benchmark_map(request):
    user = request.user
    _require(user)
    within = _within(request)
    available = pages.months(user, within)
    period = _period(request, available)
    result = pages.table(user, within, period)
    groups = pages.by_band(result)
    context = _filter_context(request, within, available, period)
    context.update(
        result=result,
        groups=groups,
        legend=[(g.band, len(g.rows)) for g in groups if g.band is not None],
        missing=groups[-1].rows,
        tree=_treemap(result),
        labels={"band": _("等级"), "composite": _("综合得分")},
    )
    return render(request, "evaluation/benchmarks/map.html", context)


# Words a tile can do without: the map shows only stations, so "竹岭" says "竹岭供电所党支部".
PARTY_SUFFIXES = ("临时党支部", "党支部", "党小组", "党总支", "党委")
UNIT_SUFFIX = "供电所"


def tile_label(name: str) -> str:
    """A station's name as short as a map tile needs (the tooltip keeps the full name)."""
    short = name
    for suffix in PARTY_SUFFIXES:
        if short.endswith(suffix):
            short = short[: -len(suffix)]
            break
    short = short.removesuffix(UNIT_SUFFIX)
    return short or name


def county_label(name: str) -> str:
    """A county's name without its party organisation ("青溪县供电局党委" → "青溪县供电局")."""
    for suffix in PARTY_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def _treemap(result: pages.Table) -> list[dict]:
    """ECharts treemap data: counties → stations, each tile coloured by its band."""
    grey = "#adb5bd"
    counties = []
    for name, rows in pages.by_county(result):
        children = []
        for row in rows:
            values = [
                [
                    local_name(i),
                    None if c.value is None else f"{c.value.normalize():f}",
                    i.unit,
                    c.rank,
                ]
                for i, c in zip(result.indicators, row.cell_list(result.indicators), strict=True)
            ]
            children.append(
                {
                    "name": row.name,
                    "label": tile_label(row.name),
                    "value": 1,
                    "url": reverse("orgs:org_detail", args=[row.pk]),
                    "composite": None if row.composite is None else f"{row.composite}",
                    "band": local_name(row.band) if row.band else _("无数据"),
                    "values": values,
                    "itemStyle": {"color": row.band.colour if row.band else grey},
                }
            )
        label = county_label(name) if name else _("其他")
        counties.append({"name": name or _("其他"), "label": label, "children": children})
    return counties


@login_required
def benchmark_entry(request):
    user = request.user
    _require(user, service.ADD)
    form = BenchmarkEntryForm(request.POST or None, user=user, initial=_initial(request, user))
    if request.method == "POST" and form.is_valid():
        try:
            counts = service.benchmark_values_save(actor=user, rows=form.rows(), source="manual")
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        except PermissionDenied as exc:
            form.add_error(None, str(exc) or _("您无权执行该操作。"))
        else:
            messages.success(
                request,
                _("已保存：新增 %(created)d 项，修改 %(updated)d 项，%(unchanged)d 项未变。")
                % counts,
            )
            target = reverse("evaluation:benchmark_list")
            return redirect(f"{target}?month={form.cleaned_data['month']}")
    return render(request, "evaluation/benchmarks/entry.html", {"form": form})


def _initial(request, user) -> dict:
    """``?organization=<pk>&month=YYYY-MM`` fills the form with the values already saved."""
    initial = {}
    month = parse_month(request.GET.get("month"))
    if month:
        initial["month"] = f"{month:%Y-%m}"
    raw = request.GET.get("organization") or ""
    if not raw.isdigit():
        return initial
    station = pages.stations(user, permission=service.ADD).filter(pk=raw).first()
    if station is None:
        return initial
    initial["organization"] = station.pk
    if month:
        saved = BenchmarkValue.objects.restrict(user, "view").filter(
            organization=station, month=month
        )
        for value in saved.select_related("indicator"):
            initial[value_field_name(value.indicator)] = f"{value.value.normalize():f}"
    return initial
