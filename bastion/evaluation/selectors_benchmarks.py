"""同业对标 reads: per-station averages over a period, rankings, the composite and its colour.

A station's composite (0–100) is the mean, over the indicators it has values for, of its rank
ratio among the stations compared (best 100, worst 0), so units and directions never mix.

The stations compared are the **population**: every active station of the company tree that has
a value for the indicator in the period, however its party organisation is formed (a small
station's members may form a 党小组; see ``stations_only``). The company tree is the tree under
the top-level organization (depth 1) of the station asked about; a database holding several
companies ranks each company's stations among themselves. Whoever asks, and for whichever
stations, the ranks, ratios and composites are the population's: the map, the list and the round
agree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import reduce
from operator import or_

from django.db.models import Avg, Exists, F, IntegerField, OuterRef, Q, QuerySet
from django.db.models.functions import Cast, Substr

from bastion.core.scope import subtree_q
from bastion.orgs.models import Organization
from bastion.orgs.models.organization import UnitKind

from .engine import q2, rank_ratio
from .models import BenchmarkIndicator, BenchmarkValue, Direction, MapBand

STEPLEN = Organization.steplen


# --- which organizations are stations ----------------------------------------------------------


def stations_only(queryset: QuerySet) -> QuerySet:
    """Active stations of ``queryset`` (of Organization), however their party organisation is
    formed: an organization of unit kind 基层供电所 that is not inside another station, or that
    is and has benchmark values of its own. A small station's members may form a 党小组 under
    the county or under a neighbouring station's branch (it has values: a station); a station
    branch's own 党小组 carry its unit kind too but have no values (part of the station)."""
    station_paths = Organization.objects.filter(unit_kind=UnitKind.STATION).values("path")
    parent_length = Cast((F("depth") - 1) * STEPLEN, IntegerField())
    has_values = Exists(BenchmarkValue.objects.filter(organization_id=OuterRef("pk")))
    return (
        queryset.filter(unit_kind=UnitKind.STATION, is_active=True)
        .annotate(parent_path=Substr("path", 1, parent_length))
        .filter(~Q(parent_path__in=station_paths) | has_values)
    )


def company_q(paths: Iterable[str], field: str = "path") -> Q:
    """Rows under the same top-level organization as any of ``paths`` (one per company)."""
    roots = sorted({path[:STEPLEN] for path in paths if path})
    if not roots:
        return Q(pk__in=[])
    return reduce(or_, (subtree_q(field, root) for root in roots))


def population(paths: Iterable[str]) -> QuerySet:
    """The stations compared with the stations at ``paths``: every station of their companies."""
    return stations_only(Organization.objects.filter(company_q(paths)))


# --- values, ranks and ratios -------------------------------------------------------------------


def averages(org_ids, start: dt.date, end: dt.date) -> dict[int, dict[int, Decimal]]:
    """indicator id → {organization id → mean monthly value between ``start`` and ``end``} of
    ``org_ids`` only (to rank, use ``indicator_standings``: the population's ranks)."""
    return _means(BenchmarkValue.objects.filter(organization_id__in=org_ids), start, end)


def _means(values: QuerySet, start: dt.date, end: dt.date) -> dict[int, dict[int, Decimal]]:
    rows = (
        values.filter(month__gte=start.replace(day=1), month__lte=end)
        .order_by()
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


@dataclass(frozen=True)
class Standing:
    """One station's place in one indicator among the population."""

    value: Decimal
    rank: int
    of: int  # the stations of the population with a value for the indicator
    ratio: Decimal


def standings(paths: Iterable[str], start, end) -> dict[int, dict[int, Standing]]:
    """indicator id → {station id → Standing} over the population of the stations at ``paths``
    (every station of their companies, not only those at ``paths``; each company's stations
    rank among themselves). Two queries."""
    stations = population(paths).values("pk")
    rows = (
        BenchmarkValue.objects.filter(
            organization_id__in=stations, month__gte=start.replace(day=1), month__lte=end
        )
        .order_by()
        .values("indicator_id", "organization_id")
        .annotate(company=Substr("organization__path", 1, STEPLEN), mean=Avg("value"))
        .values_list("indicator_id", "company", "organization_id", "mean")
    )
    fields: dict[tuple[int, str], dict[int, Decimal]] = {}
    for indicator_id, company, org_id, mean in rows:
        fields.setdefault((indicator_id, company), {})[org_id] = Decimal(str(mean))
    directions = dict(BenchmarkIndicator.objects.values_list("pk", "direction"))
    result: dict[int, dict[int, Standing]] = {}
    for (indicator_id, _company), values in fields.items():
        ranks = ranked(values, directions[indicator_id])
        result.setdefault(indicator_id, {}).update(
            {
                org: Standing(values[org], rank, len(values), ratio)
                for org, (rank, ratio) in ranks.items()
            }
        )
    return result


def indicator_standings(org_ids, start, end) -> dict[str, dict[int, Standing]]:
    """indicator code → {organization id → Standing} for the stations among ``org_ids``, ranked
    among their population. Four queries, whatever the number asked."""
    asked = set(org_ids)
    paths = Organization.objects.filter(pk__in=asked).values_list("path", flat=True)
    codes = dict(BenchmarkIndicator.objects.values_list("pk", "code"))
    result = {}
    for indicator_id, by_org in standings(list(paths), start, end).items():
        mine = {org: found for org, found in by_org.items() if org in asked}
        if mine:
            result[codes[indicator_id]] = mine
    return result


def indicator_ratios(org_ids, start, end) -> dict[str, dict[int, tuple[Decimal, Decimal]]]:
    """indicator code → {organization id → (mean value, rank ratio)} for the stations among
    ``org_ids``, ranked among their population (so a round scores what the map shows)."""
    return {
        code: {org: (found.value, found.ratio) for org, found in by_org.items()}
        for code, by_org in indicator_standings(org_ids, start, end).items()
    }


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
