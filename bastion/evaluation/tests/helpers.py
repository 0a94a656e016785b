"""Shared test helpers for the evaluation app: small schemes built in code, rounds opened on them.

The seeded schemes (migrations) are tested on their own; these helpers give each test a scheme
whose numbers it can reason about.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from bastion.evaluation.models import EvaluatorGroup, Indicator, Scheme, TitleRule
from bastion.evaluation.services import rounds

PERIOD = (dt.date(2026, 10, 1), dt.date(2026, 10, 31))
OPEN_DAY = dt.date(2026, 11, 1)


def make_scheme(
    owner,
    *,
    code="test",
    target_kind="branch",
    style="indicators",
    groups=(("higher", 1),),
    indicators=(),
    titles=(),
    **fields,
) -> Scheme:
    """``indicators``: dicts of Indicator fields, ``parent`` given as a code."""
    scheme = Scheme.objects.create(
        code=code,
        name=fields.pop("name", "测试方案"),
        owner=owner,
        target_kind=target_kind,
        period_kind=fields.pop("period_kind", "month"),
        style=style,
        **fields,
    )
    for kind, weight in groups:
        EvaluatorGroup.objects.create(scheme=scheme, kind=kind, weight=Decimal(str(weight)))
    by_code = {}
    for order, spec in enumerate(indicators):
        spec = dict(spec)
        parent = by_code.get(spec.pop("parent", None))
        by_code[spec["code"]] = Indicator.objects.create(
            scheme=scheme, parent=parent, order=order, **spec
        )
    for spec in titles:
        TitleRule.objects.create(scheme=scheme, **spec)
    return scheme


def simple_scheme(owner, **fields) -> Scheme:
    """Two scored items (党建 60, 业绩 40) scored by the committee above, a bonus up to 5,
    a deduction up to 10 and a veto."""
    return make_scheme(
        owner,
        indicators=[
            {"code": "party", "name": "党建管理", "kind": "scored", "weight": 60, "max_score": 100},
            {
                "code": "business",
                "name": "生产经营",
                "kind": "scored",
                "weight": 40,
                "max_score": 100,
            },
            {"code": "bonus", "name": "加分", "kind": "bonus", "max_score": 5},
            {"code": "safety", "name": "安全底线", "kind": "deduction", "max_score": 10},
            {"code": "integrity", "name": "廉洁底线", "kind": "veto"},
        ],
        **fields,
    )


def open_round(
    actor,
    scheme,
    organization,
    *,
    label="2026-10",
    period=PERIOD,
    window=(OPEN_DAY, OPEN_DAY + dt.timedelta(days=10)),
    **extra,
):
    return rounds.round_open(
        actor=actor,
        scheme=scheme,
        organization=organization,
        period_label=label,
        period_start=period[0],
        period_end=period[1],
        opens_on=window[0],
        closes_on=window[1],
        **extra,
    )
