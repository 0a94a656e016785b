"""Computed indicators: where each data source's value for a round's targets comes from.

Each reader takes the round and its targets and returns, per target id, ``(raw, ratio)`` or
nothing; the engine turns ratios into points. The other modules are read through their selectors.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from django.db.models import Avg, Sum
from django.utils import timezone

from bastion.agenda.selectors_agenda import completion_by_org
from bastion.problems.selectors import rectification_by_org
from bastion.tasks.selectors import answered_by_org

from . import selectors_benchmarks
from .engine import ONE, ZERO, DataValue, IndicatorSpec, dec, q2, rate_ratio
from .models import EntryState, PointsEntry, RoundState, Target


def computed_values(round_, spec, targets: list[Target]) -> dict[int, dict[str, DataValue]]:
    """target id → {indicator code → (raw, ratio)} for every computed indicator."""
    values: dict[int, dict[str, DataValue]] = {target.pk: {} for target in targets}
    shared = _Shared(round_, targets)
    for item in (i for i in spec.indicators if i.kind == "computed"):
        by_target = READERS[item.source](shared, item, targets)
        for target in targets:
            values[target.pk][item.code] = by_target.get(target.pk)
    return values


def _org_ids(targets):
    return {target.organization_id for target in targets}


class _Shared:
    """What several computed items of one round read alike, read once: the six benchmark
    indicators' ratios serve six benchmark items and the composite."""

    def __init__(self, round_, targets):
        self.period_start, self.period_end = round_.period_start, round_.period_end
        self._targets = targets
        self._ratios = None

    def benchmark_ratios(self):
        if self._ratios is None:
            self._ratios = selectors_benchmarks.indicator_ratios(
                _org_ids(self._targets), self.period_start, self.period_end
            )
        return self._ratios


def _by_org_rate(reader: Callable) -> Callable:
    def read(round_, item: IndicatorSpec, targets):
        counts = reader(round_, _org_ids(targets))
        result = {}
        for target in targets:
            done, due = counts.get(target.organization_id, (0, 0))
            result[target.pk] = rate_ratio(done, due, item.full_marks_at)
        return result

    return read


def _obligations(round_, org_ids):
    today = timezone.localdate()
    return completion_by_org(org_ids, round_.period_start, round_.period_end, today)


def _rectification(round_, org_ids):
    return rectification_by_org(org_ids, round_.period_start, round_.period_end)


def _tasks(round_, org_ids):
    return answered_by_org(org_ids, round_.period_start, round_.period_end)


def _benchmark(round_, item, targets):
    ratios = round_.benchmark_ratios().get(item.source_param, {})
    return {t.pk: ratios[t.organization_id] for t in targets if t.organization_id in ratios}


def _benchmark_all(round_, item, targets):
    scores = selectors_benchmarks.composite_of(round_.benchmark_ratios())
    return {
        t.pk: (scores[t.organization_id], scores[t.organization_id] / 100)
        for t in targets
        if t.organization_id in scores
    }


def _points(round_, item, targets):
    """A member's approved points in the period (one category when the parameter names one)."""
    entries = PointsEntry.objects.filter(
        person_id__in=[t.person_id for t in targets if t.person_id],
        state=EntryState.APPROVED,
        occurred_on__gte=round_.period_start,
        occurred_on__lte=round_.period_end,
    )
    if item.source_param:
        entries = entries.filter(item__category=item.source_param)
    sums = dict(entries.values("person_id").annotate(s=Sum("points")).values_list("person_id", "s"))
    full = item.full_marks_at or Decimal(100)
    result = {}
    for target in targets:
        balance = dec(sums.get(target.person_id) or 0)
        result[target.pk] = (balance, min(ONE, max(ZERO, balance / full)))
    return result


def _scheme_result(round_, item, targets):
    """The mean total the same target earned in another scheme's published rounds whose period
    lies within this round's period, as a share of that scheme's full score."""
    rows = (
        Target.objects.filter(
            round__scheme__code=item.source_param,
            round__state__in=[RoundState.PUBLISHED, RoundState.CLOSED],
            round__period_start__gte=round_.period_start,
            round__period_end__lte=round_.period_end,
            total__isnull=False,
            organization_id__in=_org_ids(targets),
        )
        .values("organization_id", "person_id")
        .annotate(mean=Avg("total"))
        .values_list("organization_id", "person_id", "mean")
    )
    means = {(org, person): dec(mean) for org, person, mean in rows}
    full = _full_score(item.source_param)
    result = {}
    for target in targets:
        mean = means.get((target.organization_id, target.person_id))
        if mean is not None:
            result[target.pk] = (q2(mean), min(ONE, mean / full))
    return result


def _full_score(code: str) -> Decimal:
    from .models import Scheme

    full = Scheme.objects.filter(code=code).values_list("full_score", flat=True).first()
    return dec(full or 100)


READERS: dict[str, Callable] = {
    "obligation_rate": _by_org_rate(_obligations),
    "rectification_rate": _by_org_rate(_rectification),
    "task_rate": _by_org_rate(_tasks),
    "benchmark": _benchmark,
    "benchmark_all": _benchmark_all,
    "points": _points,
    "scheme_result": _scheme_result,
}
