"""The rows a target's computed contributions were computed from, so a reader can redo the sum.

For each computed indicator of a target's round: the obligations, problems, task answers,
benchmark values (month by month), points entries or other scheme's results of that period, read
with the same filters as ``sources.py`` (the agenda, problems and tasks apps give the rows behind
their counts: ``obligations_counted``, ``rectification_counted``, ``answers_counted``), the counts
that give the raw value ("已完成 7 / 应完成 8 = 87.50%"), and whether the rows still give the value
stored at computation (data changed since is said plainly).

Counts cover every row; the list shows only the rows the viewer's scope lets them see, each
linked to its own page when the module has one; the rest are counted as hidden. Each data source
costs a fixed number of queries, whatever the number of rows or indicators.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import BooleanField, Case, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from bastion.agenda.selectors_agenda import obligation_fulfilled_q, obligations_counted
from bastion.core.local_names import local_name
from bastion.problems.selectors import rectification_counted, rectified_on_time_q
from bastion.tasks.selectors import answered_on_time_q, answers_counted

from . import selectors_benchmarks
from .engine import ONE, ZERO, SchemeSpec, dec, q2
from .models import BenchmarkIndicator, BenchmarkValue, EntryState, PointsEntry, RoundState
from .models import Target as TargetModel

PUBLISHED = [RoundState.PUBLISHED, RoundState.CLOSED]


@dataclass
class SourceRow:
    label: str
    detail: str = ""
    when: dt.date | None = None
    counted: bool | None = None  # counts toward the numerator of a rate
    value: Decimal | None = None
    url: str | None = None

    @property
    def value_text(self) -> str:
        """The value without trailing zeros (a benchmark value is stored to 4 places)."""
        if self.value is None:
            return ""
        return format(dec(self.value).normalize(), "f")


@dataclass
class Sources:
    """One computed contribution and the rows behind it."""

    code: str
    name: str
    source: str
    source_label: str
    rows: list[SourceRow] = field(default_factory=list)
    hidden: int = 0  # rows counted but outside the viewer's scope
    formula: str = ""
    recomputed: str | None = None  # the raw value the rows give now
    stored: str | None = None  # the raw value stored at computation
    excluded: bool = False

    @property
    def total_rows(self) -> int:
        return len(self.rows) + self.hidden

    @property
    def agrees(self) -> bool:
        return self.excluded or self.recomputed == self.stored


SOURCE_LABELS = {
    "obligation_rate": _l("应办事项完成率"),
    "rectification_rate": _l("问题按期整改率"),
    "task_rate": _l("任务按期反馈率"),
    "benchmark": _l("同业对标指标"),
    "benchmark_all": _l("同业对标综合"),
    "points": _l("党员积分"),
    "scheme_result": _l("其他方案结果"),
}


class _Context:
    """What the readers of one target share: the viewer, the period, the benchmark reads."""

    def __init__(self, user, target):
        self.user = user
        self.target = target
        self.round = target.round
        self.start, self.end = self.round.period_start, self.round.period_end
        computed_at = self.round.computed_at
        # The obligations counted are those already due when the round was computed.
        self.computed_on = timezone.localdate(computed_at) if computed_at else timezone.localdate()
        self._benchmarks = None

    def benchmarks(self):
        if self._benchmarks is None:
            self._benchmarks = _read_benchmarks(self)
        return self._benchmarks


def contribution_sources(user, target) -> list[Sources]:
    """The computed contributions of ``target`` in the scheme's order, each with its rows;
    nothing before the round is first computed (there is no number to trace yet)."""
    if target.round.computed_at is None:
        return []
    spec = SchemeSpec.from_snapshot(target.round.snapshot)
    items = [item for item in spec.indicators if item.kind == "computed"]
    context = _Context(user, target)
    by_source: dict[str, list] = {}
    for item in items:
        by_source.setdefault(item.source, []).append(item)
    found: dict[str, Sources] = {}
    for source, source_items in by_source.items():
        reader = READERS.get(source)
        if reader is not None:
            found.update(reader(context, source_items))
    result = []
    for item in items:
        sources = found.get(item.code)
        if sources is None:
            continue
        row = target.contributions.get(item.code) or {}
        sources.stored = row.get("raw")
        sources.excluded = bool(row.get("excluded"))
        result.append(sources)
    return result


def _new(item) -> Sources:
    return Sources(
        code=item.code,
        name=local_name(item),
        source=item.source,
        source_label=str(SOURCE_LABELS.get(item.source, item.source)),
    )


def _visible_ids(model, user, ids) -> set[int]:
    if not ids:
        return set()
    return set(model.objects.restrict(user, "view").filter(pk__in=ids).values_list("pk", flat=True))


def _split(rows_with_ids, visible: set[int]):
    """Listed rows (those the viewer sees) and how many are hidden."""
    shown = [row for pk, row in rows_with_ids if pk in visible]
    return shown, len(rows_with_ids) - len(shown)


# --- rates: obligations, rectification, task answers -----------------------------------------


def _with_counted(queryset, done_q):
    """Each row marked with whether it counts toward the numerator, by the count's own rule."""
    return queryset.annotate(
        counted=Case(
            When(done_q, then=Value(True)), default=Value(False), output_field=BooleanField()
        )
    )


def _rate(sources: Sources, done: int, due: int, labels: tuple) -> None:
    done_label, due_label, nothing = (str(label) for label in labels)
    if not due:
        sources.formula = nothing
        sources.recomputed = None
        return
    rate = q2(Decimal(100) * done / due)
    sources.formula = _("%(done_label)s %(done)s ÷ %(due_label)s %(due)s = %(rate)s%%") % {
        "done_label": done_label,
        "done": done,
        "due_label": due_label,
        "due": due,
        "rate": rate,
    }
    sources.recomputed = str(rate)


def _rate_reader(read: Callable, model, *labels) -> Callable:
    """``labels``: the numerator's and the denominator's names, and what an empty period says."""

    def reader(context, items):
        rows = read(context)
        visible = _visible_ids(model, context.user, [pk for pk, _row in rows])
        shown, hidden = _split(rows, visible)
        done = sum(1 for _pk, row in rows if row.counted)
        result = {}
        for item in items:
            sources = _new(item)
            sources.rows, sources.hidden = shown, hidden
            _rate(sources, done, len(rows), labels)
            result[item.code] = sources
        return result

    return reader


def _obligation_rows(context):
    from bastion.agenda.models import Meeting

    queryset = _with_counted(
        obligations_counted(
            [context.target.organization_id], context.start, context.end, context.computed_on
        ),
        obligation_fulfilled_q(),
    ).select_related("rule")
    obligations = list(queryset.order_by("due_on", "rule__sort_order", "pk"))
    meetings = _visible_ids(
        Meeting, context.user, [o.meeting_id for o in obligations if o.meeting_id]
    )
    rows = []
    for obligation in obligations:
        state = (
            _("%(on)s 完成") % {"on": f"{obligation.fulfilled_on:%Y-%m-%d}"}
            if obligation.fulfilled_on
            else _("未完成")
        )
        url = (
            reverse("agenda:meeting_detail", args=[obligation.meeting_id])
            if obligation.meeting_id in meetings
            else None
        )
        row = SourceRow(
            label=f"{obligation.rule.name}（{obligation.period_label}）",
            detail=state,
            when=obligation.due_on,
            counted=obligation.counted,
            url=url,
        )
        rows.append((obligation.pk, row))
    return rows


def _problem_rows(context):
    queryset = _with_counted(
        rectification_counted([context.target.organization_id], context.start, context.end),
        rectified_on_time_q(),
    )
    rows = []
    for problem in queryset.order_by("deadline", "pk"):
        rows.append(
            (
                problem.pk,
                SourceRow(
                    label=problem.description[:60],
                    detail=problem.get_state_display(),
                    when=problem.deadline,
                    counted=problem.counted,
                    url=reverse("problems:problem_detail", args=[problem.pk]),
                ),
            )
        )
    return rows


def _answer_rows(context):
    queryset = _with_counted(
        answers_counted([context.target.organization_id], context.start, context.end),
        answered_on_time_q(),
    ).select_related("task")
    rows = []
    for assignment in queryset.order_by("task__due_on", "pk"):
        submitted = assignment.submitted_at
        detail = (
            _("%(on)s 反馈") % {"on": f"{timezone.localtime(submitted):%Y-%m-%d}"}
            if submitted
            else _("未反馈")
        )
        rows.append(
            (
                assignment.pk,
                SourceRow(
                    label=assignment.task.title,
                    detail=detail,
                    when=assignment.task.due_on,
                    counted=assignment.counted,
                    url=reverse("tasks:assignment_detail", args=[assignment.pk]),
                ),
            )
        )
    return rows


# --- benchmarks ------------------------------------------------------------------------------


@dataclass
class _Benchmarks:
    indicators: dict[str, BenchmarkIndicator]
    # indicator code → [(value id, month, value)] of the target's station
    values: dict[str, list[tuple[int, dt.date, Decimal]]]
    visible: set[int]
    # indicator code → (rank, ratio, field size) of the station among the stations compared
    ranks: dict[str, tuple[int, Decimal, int]]


def _read_benchmarks(context) -> _Benchmarks:
    """The station's monthly values and its standing among the stations it is ranked with,
    read by the same selector the engine's ``indicator_ratios`` is built on."""
    org_id = context.target.organization_id
    indicators = {i.pk: i for i in BenchmarkIndicator.objects.all()}
    standings = selectors_benchmarks.indicator_standings([org_id], context.start, context.end)
    ranks = {
        code: (found.rank, found.ratio, found.of)
        for code, by_org in standings.items()
        for org, found in by_org.items()
        if org == org_id
    }
    rows = BenchmarkValue.objects.filter(
        organization_id=org_id, month__gte=context.start.replace(day=1), month__lte=context.end
    ).order_by("month", "pk")
    values: dict[str, list] = {}
    for pk, indicator_id, month, value in rows.values_list("pk", "indicator_id", "month", "value"):
        values.setdefault(indicators[indicator_id].code, []).append((pk, month, dec(value)))
    ids = [pk for entries in values.values() for pk, _month, _value in entries]
    return _Benchmarks(
        indicators={i.code: i for i in indicators.values()},
        values=values,
        visible=_visible_ids(BenchmarkValue, context.user, ids),
        ranks=ranks,
    )


def _benchmark_rows(read: _Benchmarks, code: str, name_rows: bool = False):
    indicator = read.indicators.get(code)
    url = reverse("evaluation:benchmark_indicator", args=[code]) if indicator else None
    rows = []
    for pk, month, value in read.values.get(code, []):
        label = f"{month:%Y-%m}"
        if name_rows and indicator:
            label = f"{indicator.name} {label}"
        # the month is the label: a date column would show its first day
        rows.append((pk, SourceRow(label=label, value=value, url=url)))
    return rows


def _mean_text(values: list[Decimal]) -> tuple[str, Decimal]:
    mean = sum(values, ZERO) / len(values)
    terms = " + ".join(f"{value.normalize():f}" for value in values)
    return f"({terms}) ÷ {len(values)}", mean


def _benchmark(context, items):
    read = context.benchmarks()
    result = {}
    for item in items:
        sources = _new(item)
        rows = _benchmark_rows(read, item.source_param)
        sources.rows, sources.hidden = _split(rows, read.visible)
        values = [value for _pk, _month, value in read.values.get(item.source_param, [])]
        standing = read.ranks.get(item.source_param)
        if not values or standing is None:
            sources.formula = _("本期没有该指标的数据（缺数据）")
        else:
            terms, mean = _mean_text(values)
            rank, ratio, size = standing
            sources.recomputed = str(q2(mean))
            sources.formula = _(
                "月均值 %(terms)s = %(mean)s；在 %(size)s 个对标供电所中排第 %(rank)s 名，"
                "得分率 %(ratio)s"
            ) % {
                "terms": terms,
                "mean": q2(mean),
                "size": size,
                "rank": rank,
                "ratio": ratio.quantize(Decimal("0.0001")),
            }
        result[item.code] = sources
    return result


def _benchmark_all(context, items):
    read = context.benchmarks()
    rows = []
    for code in sorted(read.values, key=lambda c: (read.indicators[c].order, c)):
        rows += _benchmark_rows(read, code, name_rows=True)
    shown, hidden = _split(rows, read.visible)
    ratios = [read.ranks[code][1] for code in read.values if code in read.ranks]
    result = {}
    for item in items:
        sources = _new(item)
        sources.rows, sources.hidden = shown, hidden
        if not ratios:
            sources.formula = _("本期没有同业对标数据（缺数据）")
        else:
            composite = q2(100 * sum(ratios, ZERO) / len(ratios))
            terms = " + ".join(str(r.quantize(Decimal("0.0001"))) for r in ratios)
            sources.recomputed = str(composite)
            sources.formula = _("各指标排名得分率 (%(terms)s) ÷ %(n)s × 100 = %(composite)s") % {
                "terms": terms,
                "n": len(ratios),
                "composite": composite,
            }
        result[item.code] = sources
    return result


# --- points and other schemes' results ----------------------------------------------------------


def _points(context, items):
    target = context.target
    entries = []
    if target.person_id:
        entries = list(
            PointsEntry.objects.filter(
                person_id=target.person_id,
                state=EntryState.APPROVED,
                occurred_on__gte=context.start,
                occurred_on__lte=context.end,
            )
            .select_related("item")
            .order_by("occurred_on", "pk")
        )
    visible = _visible_ids(PointsEntry, context.user, [entry.pk for entry in entries])
    result = {}
    for item in items:
        sources = _new(item)
        chosen = [
            e for e in entries if not item.source_param or e.item.category == item.source_param
        ]
        rows = [
            (e.pk, SourceRow(label=e.item.name, detail=e.note, when=e.occurred_on, value=e.points))
            for e in chosen
        ]
        sources.rows, sources.hidden = _split(rows, visible)
        balance = sum((dec(e.points) for e in chosen), ZERO)
        full = item.full_marks_at or Decimal(100)
        terms = " + ".join(f"{dec(e.points)}" for e in chosen) or "0"
        sources.recomputed = str(q2(balance)) if target.person_id else None
        sources.formula = _("已认定积分 %(terms)s = %(sum)s；满分线 %(full)s，得分率 %(ratio)s") % {
            "terms": terms,
            "sum": q2(balance),
            "full": full,
            "ratio": min(ONE, max(ZERO, balance / full)).quantize(Decimal("0.0001")),
        }
        result[item.code] = sources
    return result


def _scheme_result(context, items):
    from .selectors_results import visible_all

    target = context.target
    codes = {item.source_param for item in items}
    rows = list(
        TargetModel.objects.filter(
            round__scheme__code__in=codes,
            round__state__in=PUBLISHED,
            round__period_start__gte=context.start,
            round__period_end__lte=context.end,
            total__isnull=False,
            organization_id=target.organization_id,
            person_id=target.person_id,
        )
        .select_related("round", "round__scheme")
        .order_by("round__period_start", "pk")
    )
    visible = set(
        visible_all(context.user).filter(pk__in=[r.pk for r in rows]).values_list("pk", flat=True)
    )
    result = {}
    for item in items:
        sources = _new(item)
        chosen = [r for r in rows if r.round.scheme.code == item.source_param]
        listed = [
            (
                r.pk,
                SourceRow(
                    label=r.round.name,
                    detail=r.round.period_label,
                    when=r.round.period_start,
                    value=r.total,
                    url=reverse("evaluation:target_detail", args=[r.pk]),
                ),
            )
            for r in chosen
        ]
        sources.rows, sources.hidden = _split(listed, visible)
        if not chosen:
            sources.formula = _("本期没有该方案已发布的结果（缺数据）")
        else:
            terms, mean = _mean_text([dec(r.total) for r in chosen])
            sources.recomputed = str(q2(mean))
            sources.formula = _("各轮总分平均 %(terms)s = %(mean)s") % {
                "terms": terms,
                "mean": q2(mean),
            }
        result[item.code] = sources
    return result


def _obligations_reader():
    from bastion.agenda.models import Obligation

    return _rate_reader(
        _obligation_rows,
        Obligation,
        _l("已完成"),
        _l("应完成"),
        _l("本期没有到期的应办事项（缺数据：工作日历可能未生成）"),
    )


def _problems_reader():
    from bastion.problems.models import Problem

    return _rate_reader(
        _problem_rows,
        Problem,
        _l("按期整改"),
        _l("应整改"),
        _l("本期没有整改时限到期的问题，没有可计算的比率"),
    )


def _answers_reader():
    from bastion.tasks.models import Assignment

    return _rate_reader(
        _answer_rows,
        Assignment,
        _l("按期反馈"),
        _l("应反馈"),
        _l("本期没有反馈截止的任务单，没有可计算的比率"),
    )


READERS: dict[str, Callable] = {
    "obligation_rate": _obligations_reader(),
    "rectification_rate": _problems_reader(),
    "task_rate": _answers_reader(),
    "benchmark": _benchmark,
    "benchmark_all": _benchmark_all,
    "points": _points,
    "scheme_result": _scheme_result,
}
