"""Is a round's data there? Every data-fed indicator of the round, checked for every target.

What "no data" means, per source (the decisions, with why, are in docs/decisions):

- ``benchmark``: the station has no value of that indicator for any month of the period
  (*missing*) or for only some of its months (*partial*: a quarter with one month imported, or
  the current month before its import).
- ``benchmark_all``: the composite of all benchmark indicators; *missing* with no value at all,
  *partial* when any indicator lacks a month.
- ``obligation_rate``: a branch always owes organisational life, so no obligation in the period
  means the calendar was never generated (*missing*); obligations of the period not yet due are
  *partial* (the period is not over).
- ``rectification_rate`` / ``task_rate``: nothing to rectify or to answer is *nothing to do*, not
  missing data (the engine leaves that item out for that target alone); problems or sheets of the
  period whose deadline has not come are *partial*.
- ``scheme_result``: *missing* when the other scheme has no round in the period at all, or
  evaluates the target but has not published its result; a target the other scheme never
  evaluates (a branch that is no station, for the four-factor result) is not applicable.
- ``points``: a balance of zero is a value; never missing.

A fixed number of queries for any number of targets: one per source at most.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from bastion.agenda.selectors_agenda import obligations_counted
from bastion.problems.selectors import rectification_counted
from bastion.tasks.selectors import answers_counted

from .models import (
    BenchmarkIndicator,
    BenchmarkValue,
    DataDecision,
    Round,
    RoundDataDecision,
    RoundState,
    Target,
)

MISSING, PARTIAL = "missing", "partial"
CHECKED_SOURCES = (
    "benchmark",
    "benchmark_all",
    "obligation_rate",
    "rectification_rate",
    "task_rate",
    "scheme_result",
)


@dataclass
class Gap:
    target_id: int
    organization_id: int
    label: str
    state: str  # MISSING or PARTIAL
    detail: str
    measure: int = 0  # the number behind the detail (months held, items not yet due)

    @property
    def state_label(self) -> str:
        return _("缺数") if self.state == MISSING else _("不全")


@dataclass
class IndicatorGaps:
    code: str
    name: str
    source: str
    gaps: list[Gap] = field(default_factory=list)
    decision: RoundDataDecision | None = None

    @property
    def missing_count(self) -> int:
        return sum(gap.state == MISSING for gap in self.gaps)

    @property
    def partial_count(self) -> int:
        return sum(gap.state == PARTIAL for gap in self.gaps)

    @property
    def excluded(self) -> bool:
        return self.decision is not None and self.decision.decision == DataDecision.EXCLUDE

    @property
    def settled(self) -> bool:
        """Publishing may go ahead for this indicator: it is excluded for everyone."""
        return self.excluded


@dataclass
class Readiness:
    checked: list[IndicatorGaps]  # every data-fed indicator checked, gaps or not
    decisions: list[RoundDataDecision]
    target_count: int

    @property
    def with_gaps(self) -> list[IndicatorGaps]:
        return [item for item in self.checked if item.gaps]

    @property
    def complete(self) -> bool:
        return not self.with_gaps

    @property
    def blocking(self) -> list[IndicatorGaps]:
        """Indicators with gaps and no decision to exclude them: undecided or waiting."""
        return [item for item in self.with_gaps if not item.settled]

    @property
    def undecided(self) -> list[IndicatorGaps]:
        return [item for item in self.with_gaps if item.decision is None]

    @property
    def waiting(self) -> list[IndicatorGaps]:
        return [
            item
            for item in self.with_gaps
            if item.decision is not None and item.decision.decision == DataDecision.WAIT
        ]

    @property
    def excluded_codes(self) -> list[str]:
        """Indicators excluded for everyone: every exclude decision applies, whether or not
        its data has come since (the round was decided without it)."""
        return sorted(d.indicator for d in self.decisions if d.decision == DataDecision.EXCLUDE)

    def incomplete_targets(self) -> set[int]:
        """Targets whose total lacks data: a gap in an indicator not excluded for everyone."""
        excluded = set(self.excluded_codes)
        return {
            gap.target_id
            for item in self.with_gaps
            if item.code not in excluded
            for gap in item.gaps
        }

    def limited_to(self, target_ids: set[int]) -> Readiness:
        """The same check showing only the gaps of targets a viewer may see."""
        checked = [
            IndicatorGaps(
                item.code,
                item.name,
                item.source,
                [gap for gap in item.gaps if gap.target_id in target_ids],
                item.decision,
            )
            for item in self.checked
        ]
        return Readiness(checked, self.decisions, self.target_count)

    def fingerprint(self) -> dict:
        """What a computation saw: compared at publishing to refuse stale results."""
        return {
            "gaps": {
                item.code: sorted([gap.target_id, gap.state, gap.measure] for gap in item.gaps)
                for item in self.with_gaps
            },
            "excluded": self.excluded_codes,
        }

    def blocking_message(self) -> str:
        """The Chinese sentence that says what still stops publishing."""
        parts = []
        if self.undecided:
            names = "、".join(item.name for item in self.undecided)
            parts.append(
                _("以下指标缺数或数据不全，尚未决定如何处理：%(names)s") % {"names": names}
            )
        if self.waiting:
            names = "、".join(item.name for item in self.waiting)
            parts.append(
                _("以下指标已决定等待数据，数据到齐前不能发布：%(names)s") % {"names": names}
            )
        return "；".join(parts) + ("。" if parts else "")


def round_readiness(round_, today: dt.date | None = None) -> Readiness:
    """The gaps of every data-fed indicator of ``round_`` for its targets, with the decisions."""
    today = today or timezone.localdate()
    items = [
        item
        for item in round_.snapshot.get("indicators", [])
        if item.get("kind") == "computed" and item.get("source") in CHECKED_SOURCES
    ]
    decisions = list(RoundDataDecision.objects.filter(round=round_).select_related("decided_by"))
    targets = list(
        Target.objects.filter(round=round_)
        .select_related("organization", "person")
        .order_by("organization__path", "person__name", "pk")
    )
    by_code = {d.indicator: d for d in decisions}
    checker = _Checker(round_, targets, today)
    checked = []
    for item in items:
        gaps = checker.gaps(item)
        checked.append(
            IndicatorGaps(
                code=item["code"],
                name=item["name"],
                source=item["source"],
                gaps=gaps,
                decision=by_code.get(item["code"]),
            )
        )
    return Readiness(checked=checked, decisions=decisions, target_count=len(targets))


def _months(start: dt.date, end: dt.date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month + 1


class _Checker:
    """Reads each source once for all targets (lazily: a source the round does not use costs
    nothing) and answers each indicator's gaps from what it read."""

    def __init__(self, round_, targets: list[Target], today: dt.date):
        self.round = round_
        self.start, self.end, self.today = round_.period_start, round_.period_end, today
        self.targets = targets
        self.org_ids = {t.organization_id for t in targets}
        self._cache: dict[str, object] = {}

    def _once(self, key, read):
        if key not in self._cache:
            self._cache[key] = read()
        return self._cache[key]

    def gaps(self, item: dict) -> list[Gap]:
        check = getattr(self, "_" + item["source"])
        result = []
        for target in self.targets:
            found = check(target, item)
            if found is not None:
                state, detail, measure = found
                label = target.person.name if target.person_id else target.organization.display_name
                result.append(
                    Gap(target.pk, target.organization_id, str(label), state, detail, measure)
                )
        return result

    # --- benchmark ----------------------------------------------------------------------------

    def _benchmark_months(self) -> dict[tuple[str, int], int]:
        rows = (
            BenchmarkValue.objects.filter(
                organization_id__in=self.org_ids,
                month__gte=self.start.replace(day=1),
                month__lte=self.end,
            )
            .values("indicator__code", "organization_id")
            .annotate(months=Count("month", distinct=True))
            .values_list("indicator__code", "organization_id", "months")
        )
        return {(code, org): months for code, org, months in rows}

    def _benchmark(self, target, item):
        months = self._once("benchmark", self._benchmark_months)
        return self._month_gap(months.get((item["source_param"], target.organization_id), 0))

    def _month_gap(self, have: int):
        want = _months(self.start, self.end)
        if have == 0:
            return MISSING, _("本期无数据"), 0
        if have < want:
            detail = _("仅有 %(have)s/%(want)s 个月的数据") % {"have": have, "want": want}
            return PARTIAL, detail, have
        return None

    def _benchmark_all(self, target, item):
        months = self._once("benchmark", self._benchmark_months)
        codes = self._once(
            "benchmark_codes",
            lambda: list(BenchmarkIndicator.objects.values_list("code", flat=True)),
        )
        want = _months(self.start, self.end)
        have = [months.get((code, target.organization_id), 0) for code in codes]
        if not any(have):
            return MISSING, _("本期无数据"), 0
        short = sum(count < want for count in have)
        if short:
            return PARTIAL, _("%(n)s 项对标指标缺月份数据") % {"n": short}, short
        return None

    # --- organisational life, rectification, task sheets ---------------------------------------

    def _obligation_rate(self, target, item):
        counts = self._once("obligations", self._obligation_counts)
        total, not_due = counts.get(target.organization_id, (0, 0))
        if not total:
            return MISSING, _("本期没有应办事项记录"), 0
        if not_due:
            return PARTIAL, _("尚有 %(n)s 项应办事项未到期") % {"n": not_due}, not_due
        return None

    def _obligation_counts(self):
        # every obligation of the period (the count's rows as of its last day), then those not due
        rows = (
            obligations_counted(self.org_ids, self.start, self.end, today=self.end)
            .values("organization_id")
            .annotate(total=Count("id"), not_due=Count("id", filter=Q(due_on__gt=self.today)))
            .values_list("organization_id", "total", "not_due")
        )
        return {org: (total, not_due) for org, total, not_due in rows}

    def _rectification_rate(self, target, item):
        not_due = self._once("problems", self._problems_not_due).get(target.organization_id, 0)
        return self._not_due_gap(not_due, _("尚有 %(n)s 项整改未到期限"))

    def _problems_not_due(self):
        rows = (
            rectification_counted(self.org_ids, self.start, self.end)
            .filter(deadline__gt=self.today)
            .values("responsible_org_id")
            .annotate(n=Count("id"))
            .values_list("responsible_org_id", "n")
        )
        return dict(rows)

    def _task_rate(self, target, item):
        not_due = self._once("tasks", self._tasks_not_due).get(target.organization_id, 0)
        return self._not_due_gap(not_due, _("尚有 %(n)s 份工作单未到反馈期限"))

    def _tasks_not_due(self):
        rows = (
            answers_counted(self.org_ids, self.start, self.end)
            .filter(task__due_on__gt=self.today)
            .values("organization_id")
            .annotate(n=Count("id"))
            .values_list("organization_id", "n")
        )
        return dict(rows)

    @staticmethod
    def _not_due_gap(not_due: int, text):
        return (PARTIAL, text % {"n": not_due}, not_due) if not_due else None

    # --- another scheme's results ---------------------------------------------------------------

    def _scheme_result(self, target, item):
        code = item["source_param"]
        rounds_run, evaluated = self._once("results", self._other_results)
        if code not in rounds_run:
            return MISSING, _("本期还没有该方案的考评轮次"), 0
        published = evaluated.get((code, target.organization_id, target.person_id))
        if published is None:
            return None  # that scheme does not evaluate this target: not applicable
        if not published:
            return MISSING, _("本期该方案的考评结果尚未发布"), 0
        return None

    def _other_results(self):
        """(schemes with a round in the period, (scheme, organization, person) → whether a
        published result exists)."""
        codes = {
            i.get("source_param")
            for i in self.round.snapshot.get("indicators", [])
            if i.get("source") == "scheme_result"
        }
        rows = (
            Target.objects.filter(
                round__scheme__code__in=codes,
                round__period_start__gte=self.start,
                round__period_end__lte=self.end,
                organization_id__in=self.org_ids,
            )
            .values("round__scheme__code", "organization_id", "person_id")
            .annotate(
                published=Count(
                    "id",
                    filter=Q(
                        round__state__in=[RoundState.PUBLISHED, RoundState.CLOSED],
                        total__isnull=False,
                    ),
                )
            )
            .values_list("round__scheme__code", "organization_id", "person_id", "published")
        )
        evaluated = {(code, org, person): bool(n) for code, org, person, n in rows}
        run = set(
            Round.objects.filter(
                scheme__code__in=codes, period_start__gte=self.start, period_end__lte=self.end
            ).values_list("scheme__code", flat=True)
        )
        return run, evaluated
