"""The demo company's evaluations: a year of rounds of every shipped scheme, run through the
round services (open → scores → compute → publish) as the company and county would have run
them, so every total, rank and title comes from the engine.

- 同业对标: six indicators for all 86 stations every month; each station has a persistent
  strength, so rankings are stable, and a few designated weak stations stay at the bottom.
- 党建工作成效评价 (four_factor): monthly over the company, a 流动红旗 per county and the two
  weakest stations on the 不放心支部 list. The list tells a story: one station stays on it all
  year, one improves mid-year and is lifted, another is lifted later, one integrity veto puts a
  good station on it for a month, and another has slipped onto it in the last three months
  (how firmly the story holds before the latest month depends on the party work the other
  modules recorded; the latest month always shows exactly two). The current month's round is
  open for scoring.
- 支部基础管理评价 (compliance) quarterly; 五星党支部 (five_star) for the last complete year,
  tuned through the committee's 组织建设与作用发挥 scores so that exactly 36 branches earn ★5
  (S0); 堡垒指数 from the published results.
- The member schemes, the points ledger and the arena contest: ``demo_members``.

The history runs from the start of the last complete year (so the yearly rounds rest on a whole
year of results) or twelve months back, whichever is earlier, to the last complete month. Dates
are relative to ``ctx.today``; every draw comes from ``ctx.rng``. A second run finds a
four-factor round over the company and adds nothing.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_DOWN, ROUND_UP, Decimal
from types import SimpleNamespace

from django.utils.translation import gettext_lazy as _

from bastion.core.demo import DemoContext
from bastion.core.periods import add_months
from bastion.orgs.models import RoleAssignment

from . import engine, sources
from .demo_members import MemberParts
from .demo_rounds import Runner, clamp, decimal, score
from .demo_texts import FIVE_STAR_COMMENT, HIGHER_COMMENTS, INTEGRITY_VETO, SAFETY_DEDUCTIONS
from .models import (
    BenchmarkIndicator,
    BenchmarkValue,
    KeyEvent,
    PointsEntry,
    Round,
    Scheme,
    Score,
    Target,
    TitleAward,
)
from .seed_data import SCHEME_CODES
from .selectors_schemes import scheme_snapshot
from .services import rounds

DEMO_ORDER = 80
FIVE_STARS = 36  # S0: 36 five-star branches
STAR5_FLOOR = Decimal("95")
MARGIN, CENT = Decimal("0.05"), Decimal("0.01")
# Indicator code → (lowest, highest) realistic monthly value.
BENCHMARK_RANGES = {
    "fee_recovery": (98.5, 100.0),
    "data_collection": (95.0, 100.0),
    "line_loss": (80.0, 100.0),
    "customer_demand": (60.0, 100.0),
    "distribution_om": (60.0, 100.0),
    "reliability": (60.0, 100.0),
}
REPORTED = [
    (Round, _("考评轮次")),
    (Score, _("考评评分")),
    (TitleAward, _("考评称号")),
    (BenchmarkValue, _("同业对标数据")),
    (PointsEntry, _("党员积分记录")),
    (KeyEvent, _("关键事件")),
]


def has_data() -> bool:
    return Round.objects.exists() or BenchmarkValue.objects.exists()


def build_demo(ctx: DemoContext) -> None:
    company = ctx.require("orgs")
    before = [model.objects.count() for model, _label in REPORTED]
    schemes = {s.code: s for s in Scheme.objects.filter(code__in=SCHEME_CODES, is_active=True)}
    built = Round.objects.filter(scheme__code="four_factor", organization=company.root).exists()
    if "four_factor" in schemes and not built:
        _build(Runner(ctx, company, schemes))
    for (model, label), count in zip(REPORTED, before, strict=True):
        total = model.objects.count()
        ctx.report(str(label), total=total, created=total - count)


def _build(runner: Runner) -> None:
    """In the order a year would have run: the data first, each result before what reads it."""
    parts, members = CompanyParts(runner), MemberParts(runner)
    parts.benchmarks()
    members.points()
    parts.four_factor()
    parts.compliance()
    parts.five_star()
    parts.bastion_index()
    members.member_schemes()
    members.arena()
    members.vanguard_index()
    parts.first_secretary()
    parts.open_four_factor()
    members.open_arena()
    runner.date_rounds()


# --- the company's rounds ---------------------------------------------------------------------


class CompanyParts:
    """同业对标, the monthly four-factor rounds, compliance, five stars and the bastion index."""

    def __init__(self, runner: Runner):
        self.runner = runner
        self.cal = runner.cal
        self.rng = runner.ctx.rng("evaluation")
        company = runner.company
        self.root = company.root
        self.stations = sorted(company.stations, key=lambda o: o.path)
        self.branches = sorted(company.station_branches, key=lambda o: o.path)
        self.counties = sorted(company.counties, key=lambda o: o.path)
        self.strength = {o.pk: self.rng.uniform(0.35, 0.85) for o in self.stations}
        self._cast(company)

    def _cast(self, company) -> None:
        """The stations with a part in the watch-list story, and a leader in each county.

        A four-factor total is party work (what the other modules recorded) plus the benchmark
        ranks this demo draws, so the cast is read off the party work. The two weakest in party
        work in the latest month also take the bottom benchmark ranks: nobody can fall below
        them, and exactly two stations are on the list now. The vetoed station and the leaders
        are strong in party work when it counts, so the veto is lifted and the flags are won.
        """
        count, months = len(self.cal.months), self._party_work()
        self.turn = count // 2  # the improver is strong from here on
        self.end_weak = count - 3  # ``later`` is weak from the turn until here
        self.veto_month = max(self.turn + 1, count - 5)
        pool = [b for b in self.branches if b.pk != company.secretary_branch.pk]

        def pick(candidates, months_, best=False):
            def mean(branch):
                return sum(months[m][branch.pk] for m in months_) / max(1, len(months_))

            chosen = (max if best else min)(candidates, key=lambda b: (mean(b), b.path))
            pool.remove(chosen)
            return chosen

        last = [pick(pool, [count - 1]), pick(pool, [count - 1])]
        # The one that did better before is the one that slipped lately.
        last.sort(key=lambda b: (sum(months[m][b.pk] for m in range(count - 3)), b.path))
        self.always, self.declining = last
        self.vetoed = pick(pool, [self.veto_month + 1], best=True)
        self.later = pick(pool, range(self.turn, self.end_weak))
        self.improver = pick(pool, range(self.turn))
        self.strength[self.vetoed.pk] = 0.95
        for county in self.counties:
            own = [b for b in pool if b.path.startswith(county.path)]
            if own:
                self.strength[pick(own, range(count), best=True).pk] = self.rng.uniform(0.93, 0.99)

    def _party_work(self) -> list[dict[int, Decimal]]:
        """month → station → its four-factor total from the other modules' data alone (no
        benchmark value exists yet, so the business half drops out as missing)."""
        scheme = self.runner.schemes["four_factor"]
        spec = engine.SchemeSpec.from_snapshot(scheme_snapshot(scheme))
        stubs = [
            SimpleNamespace(pk=b.pk, organization_id=b.pk, person_id=None) for b in self.branches
        ]
        result = []
        for period in self.cal.months:
            span = SimpleNamespace(period_start=period.start, period_end=period.end)
            data = sources.computed_values(span, spec, stubs)
            result.append({s.pk: engine.evaluate(spec, {}, data[s.pk]).total for s in stubs})
        return result

    def strength_at(self, org_id: int, month: int) -> float:
        """A station's strength in month ``month`` of the history: the cast follows its story."""
        weak = 0.03
        if org_id == self.always.pk:
            return weak
        if org_id == self.improver.pk:
            return weak if month < self.turn else 0.97
        if org_id == self.later.pk:
            return weak if self.turn <= month < self.end_weak else 0.96
        if org_id == self.declining.pk and month >= len(self.cal.months) - 3:
            return weak + 0.01
        return self.strength[org_id]

    # 同业对标 ----------------------------------------------------------------------------------

    def benchmarks(self) -> None:
        indicators = list(BenchmarkIndicator.objects.filter(code__in=BENCHMARK_RANGES))
        rows = []
        for index, period in enumerate(self.cal.months):
            for station in self.stations:
                base = self.strength_at(station.pk, index)
                for indicator in indicators:
                    low, high = BENCHMARK_RANGES[indicator.code]
                    quality = clamp(0.08 + 0.88 * base + self.rng.gauss(0, 0.05))
                    rows.append(
                        BenchmarkValue(
                            indicator=indicator,
                            organization=station,
                            month=period.start,
                            value=decimal(low + (high - low) * quality),
                            recorded_by=self.runner.company_user,
                        )
                    )
        BenchmarkValue.objects.bulk_create(rows, batch_size=2000)

    # 党建工作成效评价 --------------------------------------------------------------------------

    def incidents(self) -> dict[int, list[tuple]]:
        """month → [(station, indicator, value, comment)]: a few safety deductions, one veto."""
        cast = {self.always, self.improver, self.later, self.vetoed, self.declining}
        ordinary = [b for b in self.branches if b not in cast]
        last = len(self.cal.months) - 1
        found: dict[int, list[tuple]] = {}
        for text in SAFETY_DEDUCTIONS + SAFETY_DEDUCTIONS[:2]:
            month = self.rng.randrange(0, last)  # the latest month stays clean
            value = self.rng.choice([2, 3, 5])
            found.setdefault(month, []).append((self.rng.choice(ordinary), "safety", value, text))
        found.setdefault(self.veto_month, []).append((self.vetoed, "integrity", 1, INTEGRITY_VETO))
        return found

    def four_factor(self) -> None:
        incidents = self.incidents()
        runner = self.runner
        for index, period in enumerate(self.cal.months):

            def scores_for(round_, targets, index=index):
                by_org = {t.organization_id: t for t in targets}
                return [
                    score(
                        round_,
                        by_org[org.pk],
                        code,
                        "higher",
                        runner.higher_user(org),
                        value,
                        comment,
                    )
                    for org, code, value, comment in incidents.get(index, [])
                    if org.pk in by_org
                ]

            runner.run(
                "four_factor", self.root, period, actor=runner.company_user, scores_for=scores_for
            )

    def open_four_factor(self) -> None:
        """This month's round, open for scoring, so the company sees the flow and what is
        still missing; one deduction has been entered already."""
        period, runner = self.cal.current_month, self.runner
        window = (period.start, add_months(period.start, 1) + dt.timedelta(days=9))
        round_ = runner.open(
            "four_factor", self.root, period, actor=runner.company_user, window=window
        )
        target = Target.objects.filter(round=round_, organization=self.declining).first()
        if target is not None:
            user = runner.higher_user(self.declining)
            Score.objects.create(
                round=round_,
                target=target,
                indicator="safety",
                group="higher",
                evaluator=user,
                value=Decimal(2),
                comment=SAFETY_DEDUCTIONS[1],
            )
        runner.leave_open(round_)

    # 支部基础管理评价, 五星党支部, 堡垒指数 ------------------------------------------------------

    def branch_strength(self, org_id: int) -> float:
        if org_id not in self.strength:
            self.strength[org_id] = self.rng.uniform(0.6, 1.0)
        return self.strength[org_id]

    def compliance(self) -> None:
        if "compliance" not in self.runner.schemes:
            return
        runner = self.runner
        for period in self.cal.quarters:

            def scores_for(round_, targets):
                rows = []
                for target in targets:
                    strength = self.branch_strength(target.organization_id)
                    value = clamp(70 + 30 * strength + self.rng.gauss(0, 2), 50, 100)
                    org = target.organization
                    rows.append(
                        score(
                            round_,
                            target,
                            "ledger",
                            "higher",
                            runner.higher_user(org),
                            round(value),
                            self.rng.choice(HIGHER_COMMENTS),
                        )
                    )
                return rows

            runner.run(
                "compliance", self.root, period, actor=runner.company_user, scores_for=scores_for
            )

    def five_star(self) -> None:
        """Score 组织建设与作用发挥, compute, then settle the scores so that the 36 branches
        that can reach ★5 most easily do (≥ 95) and every other branch stays below it."""
        if "five_star" not in self.runner.schemes:
            return
        runner, period = self.runner, self.cal.year
        round_ = runner.open("five_star", self.root, period, actor=runner.company_user)
        targets = list(Target.objects.filter(round=round_).select_related("organization"))
        scores = {}
        for target in targets:
            value = clamp(
                70 + 26 * self.branch_strength(target.organization_id) + self.rng.gauss(0, 3),
                55,
                99,
            )
            user = runner.higher_user(target.organization)
            scores[target.pk] = score(
                round_, target, "organization", "higher", user, round(value, 1), FIVE_STAR_COMMENT
            )
        Score.objects.bulk_create(scores.values())
        for _attempt in range(3):
            rounds.round_compute(actor=runner.company_user, round_=round_)
            if self._settle_five_stars(round_, scores):
                rounds.round_compute(actor=runner.company_user, round_=round_)
            if _five_stars(round_) == FIVE_STARS:
                break
        published = runner.publish(round_, period, actor=runner.company_user)
        runner.dated.append((round_, round_.opens_on, published))

    def _settle_five_stars(self, round_, scores: dict[int, Score]) -> bool:
        """Set each branch's committee score from its computed result: the total is linear in
        it (total = rest + share × score / 100). Returns whether any score changed."""
        lines = []
        for target in Target.objects.filter(round=round_):
            row = target.contributions.get("organization") or {}
            share = Decimal(row.get("share") or 0)
            if not share:
                continue
            current = scores[target.pk].value
            rest = target.total - share * current / 100
            lines.append((rest + share, rest, share, target.pk))
        lines.sort(key=lambda line: (-line[0], line[3]))
        changed = []
        for place, (_best, rest, share, pk) in enumerate(lines):
            row = scores[pk]
            if place < FIVE_STARS:
                needed = (STAR5_FLOOR + MARGIN - rest) * 100 / share
                value = min(Decimal(100), max(row.value, needed.quantize(CENT, ROUND_UP)))
            else:
                ceiling = (STAR5_FLOOR - MARGIN - rest) * 100 / share
                ceiling = max(Decimal(0), ceiling.quantize(CENT, ROUND_DOWN))
                value = min(row.value, ceiling)
            if value != row.value:
                row.value = value
                changed.append(row)
        Score.objects.bulk_update(changed, ["value"])
        return bool(changed)

    def bastion_index(self) -> None:
        if "bastion_index" in self.runner.schemes:
            self.runner.run(
                "bastion_index",
                self.root,
                self.cal.year,
                actor=self.runner.company_user,
                scores_for=lambda r, t: [],
            )

    def first_secretary(self) -> None:
        """Only where the organization data sends a first secretary to a station (S3)."""
        runner = self.runner
        sent = RoleAssignment.objects.filter(
            role__code="first_secretary",
            organization__path__startswith=self.root.path,
            user__person__isnull=False,
        ).exists()
        if "first_secretary" not in runner.schemes or not sent:
            return

        def scores_for(round_, targets):
            rows = []
            for target in targets:
                for code in ("plan", "effect", "multi"):
                    value = clamp(82 + self.rng.gauss(0, 6), 60, 100)
                    rows.append(
                        score(round_, target, code, "higher", runner.company_user, round(value))
                    )
                rows.append(
                    score(
                        round_,
                        target,
                        "multi",
                        "public",
                        runner.company_user,
                        round(clamp(88 + self.rng.gauss(0, 5), 60, 100)),
                    )
                )
            return rows

        runner.run(
            "first_secretary",
            self.root,
            self.cal.months[-1],
            actor=runner.company_user,
            scores_for=scores_for,
        )


def _five_stars(round_) -> int:
    return sum(
        1
        for titles in Target.objects.filter(round=round_).values_list("titles", flat=True)
        if any(t.get("stars") == 5 for t in titles)
    )
