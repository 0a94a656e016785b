"""Data for the "every number shows its sources" tests: a round of computed indicators over the
three stations, fed by obligations, problems, task answers and benchmark values of October 2026,
with rows outside the period that must not count."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from bastion.agenda.models import CalendarRule, Obligation
from bastion.evaluation.models import BenchmarkIndicator, BenchmarkValue
from bastion.problems.models import Problem
from bastion.tasks.models import Assignment, Task

from .helpers import PERIOD, make_scheme, open_round

OCT = PERIOD
D = dt.date

COMPUTED = [
    {
        "code": "obl",
        "name": "应办事项",
        "kind": "computed",
        "weight": 20,
        "source": "obligation_rate",
    },
    {
        "code": "rect",
        "name": "问题整改",
        "kind": "computed",
        "weight": 20,
        "source": "rectification_rate",
    },
    {"code": "task", "name": "任务反馈", "kind": "computed", "weight": 20, "source": "task_rate"},
    {
        "code": "fee",
        "name": "电费回收率",
        "kind": "computed",
        "weight": 20,
        "source": "benchmark",
        "source_param": "fee_recovery",
    },
    {
        "code": "bench",
        "name": "对标综合",
        "kind": "computed",
        "weight": 20,
        "source": "benchmark_all",
    },
]


def computed_scheme(owner):
    return make_scheme(owner, code="sources", indicators=COMPUTED)


def obligation(org, due_on: dt.date, fulfilled_on: dt.date | None = None, label="") -> Obligation:
    rule = CalendarRule.objects.filter(code="committee").first()
    return Obligation.objects.create(
        rule=rule,
        rule_code=rule.code,
        kind=rule.kind,
        organization=org,
        period_start=due_on,  # one obligation per day and organization
        period_end=due_on,
        period_label=label or f"{due_on:%Y-%m}",
        due_on=due_on,
        green_from=due_on - dt.timedelta(days=15),
        yellow_from=due_on - dt.timedelta(days=5),
        fulfilled_on=fulfilled_on,
    )


def problem(responsible, deadline, *, state="planned", closed_on=None, submitted_on=None, at=None):
    return Problem.objects.create(
        description=f"台账不全 {deadline}",
        organization=at or responsible,
        source="manual",
        category="organization",
        tier=1,
        library="branch",
        owner=responsible,
        found_on=deadline - dt.timedelta(days=20),
        responsible_org=responsible,
        deadline=deadline,
        state=state,
        closed_on=closed_on,
        submitted_on=submitted_on,
    )


def task(issuer, due_on, status="dispatched", title="安全生产月主题党日") -> Task:
    return Task.objects.create(
        issuer=issuer, title=title, body="请反馈。", due_on=due_on, status=status
    )


def answer(task_, org, on: dt.date | None) -> Assignment:
    submitted = (
        timezone.make_aware(dt.datetime.combine(on, dt.time(10))) if on is not None else None
    )
    return Assignment.objects.create(task=task_, organization=org, submitted_at=submitted)


def benchmark(org, code, month: dt.date, value) -> BenchmarkValue:
    return BenchmarkValue.objects.create(
        indicator=BenchmarkIndicator.objects.get(code=code),
        organization=org,
        month=month,
        value=Decimal(str(value)),
    )


def feed(tree) -> None:
    """October's data for the three stations, and rows just outside it."""
    a1, a2, b1 = tree.station_a1, tree.station_a2, tree.station_b1
    # obligations: A1 2 of 3, A2 1 of 1, B1 0 of 2; a November one counts for nobody
    obligation(a1, D(2026, 10, 10), D(2026, 10, 9), "2026-10 上")
    obligation(a1, D(2026, 10, 20), D(2026, 10, 25), "2026-10 中")
    obligation(a1, D(2026, 10, 31), None, "2026-10 下")
    obligation(a1, D(2026, 11, 30), D(2026, 11, 2), "2026-11")
    obligation(a2, D(2026, 10, 31), D(2026, 10, 30))
    obligation(b1, D(2026, 10, 15), None, "2026-10 上")
    obligation(b1, D(2026, 10, 31), None, "2026-10 下")
    # rectification: A1 1 of 3 on time (closed on time; verified late; open); B1 1 of 1
    problem(a1, D(2026, 10, 12), state="closed", closed_on=D(2026, 10, 11))
    problem(a1, D(2026, 10, 14), state="verified", submitted_on=D(2026, 10, 20))
    problem(a1, D(2026, 10, 28))
    problem(a1, D(2026, 9, 28), state="closed", closed_on=D(2026, 9, 1))
    problem(b1, D(2026, 10, 5), state="verified", submitted_on=D(2026, 10, 5))
    # task answers: A1 on time, A2 late, B1 never; a draft counts for nobody
    sheet = task(tree.company, D(2026, 10, 20))
    answer(sheet, a1, D(2026, 10, 19))
    answer(sheet, a2, D(2026, 10, 22))
    answer(sheet, b1, None)
    answer(task(tree.company, D(2026, 10, 25), status="draft", title="草稿"), a1, None)
    # benchmarks: fee recovery and data quality for all three (September out of the period)
    for org, value in ((a1, "99.5"), (a2, "98"), (b1, "97.25")):
        benchmark(org, "fee_recovery", D(2026, 10, 1), value)
        benchmark(org, "fee_recovery", D(2026, 9, 1), "50")
    benchmark(a1, "data_collection", D(2026, 10, 1), "90")
    benchmark(a2, "data_collection", D(2026, 10, 1), "95")
    benchmark(b1, "data_collection", D(2026, 10, 1), "80")


def sources_round(tree, personas, *, compute=True):
    from bastion.evaluation.services import rounds

    feed(tree)
    round_ = open_round(personas.company, computed_scheme(tree.company), tree.company)
    if compute:
        rounds.round_compute(actor=personas.company, round_=round_)
        round_.refresh_from_db()
    return round_
