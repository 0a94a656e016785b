"""A small hand-built company for the data-readiness tests: two counties of station branches, a
small station organised as a 党小组, and the seeded four-factor scheme (双A制) over them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

from django.utils import timezone

from bastion.agenda.models import CalendarRule, Obligation
from bastion.core.periods import MONTH, Period
from bastion.evaluation.models import BenchmarkIndicator, BenchmarkValue, Scheme
from bastion.evaluation.services import rounds
from bastion.orgs.tests.factories import make_org


def station_company(tree):
    """county_a: A1, A2 (the tree's) + A3, A4 and a small station 小站 as a 党小组 under A3;
    county_b: B1 (the tree's) + B2."""
    a3 = make_org(tree.county_a, name="A3供电所党支部", code="C-A-3")
    a4 = make_org(tree.county_a, name="A4供电所党支部", code="C-A-4")
    small = make_org(a3, name="小站供电所党小组", code="C-A-3-Z", kind="group")
    b2 = make_org(tree.county_b, name="B2供电所党支部", code="C-B-2")
    stations = [tree.station_a1, tree.station_a2, a3, a4, tree.station_b1, b2]
    return SimpleNamespace(a3=a3, a4=a4, small=small, b2=b2, stations=stations)


def current_month() -> Period:
    return Period.containing(MONTH, timezone.localdate())


def oblige(org, day: dt.date, *, fulfilled: bool, code="committee") -> Obligation:
    """One obligation of ``org`` due on ``day``."""
    rule = CalendarRule.objects.filter(code=code).order_by("-effective_from").first()
    return Obligation.objects.create(
        rule=rule,
        rule_code=f"{code}-{day:%Y%m%d}",
        kind=rule.kind,
        organization=org,
        period_start=day.replace(day=1),
        period_end=day,
        period_label=f"{day:%Y-%m}",
        due_on=day,
        green_from=day,
        yellow_from=day,
        fulfilled_on=day if fulfilled else None,
    )


def benchmark_values(org, months: list[dt.date], value="98.5", codes=None) -> None:
    """``org``'s value of every benchmark indicator (or of ``codes``) for each month."""
    indicators = BenchmarkIndicator.objects.all()
    if codes is not None:
        indicators = indicators.filter(code__in=codes)
    BenchmarkValue.objects.bulk_create(
        BenchmarkValue(indicator=i, organization=org, month=m, value=Decimal(value))
        for i in indicators
        for m in months
    )


def month_round_before_import(tree, personas):
    """The current month's four-factor round before its benchmark import: A1 and B1 held their
    支委会 on the first, A2 did not, the others owe nothing yet."""
    month = current_month()
    oblige(tree.station_a1, month.start, fulfilled=True)
    oblige(tree.station_b1, month.start, fulfilled=True)
    oblige(tree.station_a2, month.start, fulfilled=False)
    return four_factor_round(personas.company, tree.company, month)


def four_factor_round(actor, root, period: Period, *, label=None):
    return rounds.round_open(
        actor=actor,
        scheme=Scheme.objects.get(code="four_factor"),
        organization=root,
        period_label=label or period.label,
        period_start=period.start,
        period_end=period.end,
        opens_on=period.start,
        closes_on=period.end + dt.timedelta(days=10),
    )


def titles_of(round_) -> dict[str, list[str]]:
    """organization name → the codes of its titles in ``round_``."""
    return {
        t.organization.name: sorted(title["code"] for title in t.titles)
        for t in round_.targets.select_related("organization")
    }
