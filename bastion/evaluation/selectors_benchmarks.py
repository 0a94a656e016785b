"""同业对标 reads: per-station averages over a period, rankings, the composite and its colour.

A station's composite (0–100) is the mean, over the indicators it has values for, of its rank
ratio among the stations compared (best 100, worst 0), so units and directions never mix.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Avg

from .engine import q2, rank_ratio
from .models import BenchmarkIndicator, BenchmarkValue, Direction, MapBand


def averages(org_ids, start: dt.date, end: dt.date) -> dict[int, dict[int, Decimal]]:
    """indicator id → {organization id → mean monthly value between ``start`` and ``end``}."""
    rows = (
        BenchmarkValue.objects.filter(
            organization_id__in=org_ids, month__gte=start.replace(day=1), month__lte=end
        )
        .values("indicator_id", "organization_id")
        .annotate(mean=Avg("value"))
        .values_list("indicator_id", "organization_id", "mean")
    )
    result: dict[int, dict[int, Decimal]] = {}
    for indicator_id, org_id, mean in rows:
        result.setdefault(indicator_id, {})[org_id] = Decimal(str(mean))
    return result


def ranked(values: dict[int, Decimal], direction: str) -> dict[int, tuple[int, Decimal]]:
    """organization id → (rank, ratio): rank 1 is best in the indicator's direction; equal
    values share a rank."""
    reverse = direction == Direction.HIGHER
    ordered = sorted(values.items(), key=lambda pair: pair[1], reverse=reverse)
    count = len(ordered)
    result, previous, rank = {}, None, 0
    for place, (org_id, value) in enumerate(ordered, start=1):
        if value != previous:
            rank, previous = place, value
        result[org_id] = (rank, rank_ratio(rank, count))
    return result


def indicator_ratios(org_ids, start, end) -> dict[str, dict[int, tuple[Decimal, Decimal]]]:
    """indicator code → {organization id → (mean value, rank ratio)}."""
    indicators = {i.pk: i for i in BenchmarkIndicator.objects.all()}
    result = {}
    for indicator_id, values in averages(org_ids, start, end).items():
        indicator = indicators[indicator_id]
        ranks = ranked(values, indicator.direction)
        result[indicator.code] = {org: (values[org], ranks[org][1]) for org in values}
    return result


def composite(org_ids, start, end) -> dict[int, Decimal]:
    """organization id → composite benchmark score 0–100 (mean rank ratio × 100)."""
    return composite_of(indicator_ratios(org_ids, start, end))


def composite_of(ratios: dict[str, dict[int, tuple[Decimal, Decimal]]]) -> dict[int, Decimal]:
    """The composite from ``indicator_ratios``' answer (so a caller holding it reads no more)."""
    sums: dict[int, list[Decimal]] = {}
    for by_org in ratios.values():
        for org_id, (_value, ratio) in by_org.items():
            sums.setdefault(org_id, []).append(ratio)
    return {org: q2(100 * sum(ratios) / len(ratios)) for org, ratios in sums.items()}


def bands() -> list[MapBand]:
    return list(MapBand.objects.order_by("-min_score"))


def band_for(score: Decimal | None, band_rows: list[MapBand]) -> MapBand | None:
    if score is None:
        return None
    for band in band_rows:
        if score >= band.min_score:
            return band
    return band_rows[-1] if band_rows else None
