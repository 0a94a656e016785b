"""同业对标 reads for the pages: stations in view, the month table with ranks and composite,
one indicator's ranking and trend, the five-colour map.

Everything is read with a fixed number of queries: the stations, the grouped means, the
indicators, the bands and the stations' parents, whatever the number of stations. Ranks are taken
among all the stations in view (not only the page shown); ``selectors_benchmarks.ranked`` gives
them, and the composite is the same formula as ``selectors_benchmarks.composite``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Avg, Count, Max, Min

from bastion.core.periods import Period, add_months
from bastion.core.scope import subtree_q
from bastion.orgs.models import Organization
from bastion.orgs.models.organization import OrganizationKind, UnitKind

from .engine import q2
from .models import BenchmarkIndicator, BenchmarkValue, Direction, MapBand
from .selectors_benchmarks import band_for, bands, composite_of, ranked

VIEW = "evaluation.view_benchmarkvalue"
STEPLEN = Organization.steplen


# --- scope ------------------------------------------------------------------------------------


def stations(user, within: Organization | None = None, permission: str = VIEW):
    """Active stations (not party groups) where ``user`` holds ``permission`` (by default:
    may view benchmark values)."""
    queryset = (
        Organization.objects.permitted(user, permission)
        .filter(unit_kind=UnitKind.STATION, is_active=True)
        .exclude(kind=OrganizationKind.GROUP)
    )
    if within is not None:
        queryset = queryset.filter(subtree_q("path", within.path))
    return queryset


def values(user, within: Organization | None = None):
    """The benchmark values of the stations in view."""
    return BenchmarkValue.objects.restrict(user, "view").filter(
        organization_id__in=stations(user, within).values("pk")
    )


def months(user, within=None, limit: int = 36) -> list[dt.date]:
    """Months that have data, newest first."""
    return list(values(user, within).dates("month", "month", order="DESC")[:limit])


def indicators() -> list[BenchmarkIndicator]:
    return list(BenchmarkIndicator.objects.order_by("order", "id"))


def means(user, within, period: Period) -> dict[int, dict[int, Decimal]]:
    """indicator id → {station id → mean monthly value over the period} (one grouped query)."""
    rows = (
        values(user, within)
        .filter(month__gte=period.start, month__lte=period.end)
        .values("indicator_id", "organization_id")
        .annotate(mean=Avg("value"))
        .values_list("indicator_id", "organization_id", "mean")
    )
    result: dict[int, dict[int, Decimal]] = {}
    for indicator_id, org_id, mean in rows:
        result.setdefault(indicator_id, {})[org_id] = Decimal(str(mean))
    return result


# --- the station table ------------------------------------------------------------------------


@dataclass
class Cell:
    value: Decimal | None = None
    rank: int | None = None
    ratio: Decimal | None = None


@dataclass
class StationRow:
    pk: int
    code: str
    name: str
    path: str
    parent_name: str = ""
    cells: dict[str, Cell] = field(default_factory=dict)
    composite: Decimal | None = None
    band: MapBand | None = None

    def cell_list(self, indicator_list):
        return [self.cells.get(i.code, Cell()) for i in indicator_list]


@dataclass
class Table:
    period: Period
    indicators: list[BenchmarkIndicator]
    rows: list[StationRow]
    counts: dict[str, int]  # indicator code → stations with a value
    bands: list[MapBand]


def table(user, within, period: Period) -> Table:
    """Every station in view with its values, ranks, composite and band for ``period``."""
    indicator_list = indicators()
    by_id = {i.pk: i for i in indicator_list}
    rows = {
        pk: StationRow(pk, code, short or name, path)  # the short name fits a map tile
        for pk, code, name, short, path in stations(user, within)
        .order_by("path")
        .values_list("pk", "code", "name", "short_name", "path")
    }
    counts, by_code = {}, {}
    for indicator_id, by_org in means(user, within, period).items():
        indicator = by_id[indicator_id]
        counts[indicator.code] = len(by_org)
        for org_id, (rank, ratio) in ranked(by_org, indicator.direction).items():
            if org_id in rows:
                rows[org_id].cells[indicator.code] = Cell(by_org[org_id], rank, ratio)
                by_code.setdefault(indicator.code, {})[org_id] = (by_org[org_id], ratio)
    band_rows = bands()
    for org_id, score in composite_of(by_code).items():  # the formula rounds are scored with
        rows[org_id].composite = score
        rows[org_id].band = band_for(score, band_rows)
    _attach_parents(rows.values())
    return Table(period, indicator_list, list(rows.values()), counts, band_rows)


def _attach_parents(rows) -> None:
    parent_paths = {row.path[:-STEPLEN] for row in rows if len(row.path) > STEPLEN}
    names = dict(Organization.objects.filter(path__in=parent_paths).values_list("path", "name"))
    for row in rows:
        row.parent_name = names.get(row.path[:-STEPLEN], "")


def sort_rows(rows: list[StationRow], sort: str | None) -> list[StationRow]:
    """By an indicator's rank (``sort`` = its code), else by composite; missing values last."""
    if sort:
        return sorted(rows, key=lambda r: _rank_key(r, sort))
    return sorted(rows, key=lambda r: (r.composite is None, -(r.composite or 0), r.path))


def _rank_key(row: StationRow, code: str):
    cell = row.cells.get(code)
    return (cell is None, cell.rank if cell else 0, row.path)


# --- one indicator ----------------------------------------------------------------------------


@dataclass
class TrendPoint:
    month: dt.date
    average: Decimal | None = None
    best: Decimal | None = None
    worst: Decimal | None = None
    count: int = 0


def trend(user, within, indicator: BenchmarkIndicator, last: dt.date, count: int = 12):
    """The company (scope) average, best and worst value per month, for ``count`` months."""
    first = add_months(last, -(count - 1))
    rows = (
        values(user, within)
        .filter(indicator=indicator, month__gte=first, month__lte=last)
        .values("month")
        .annotate(average=Avg("value"), high=Max("value"), low=Min("value"), n=Count("id"))
        .order_by("month")
    )
    higher = indicator.direction == Direction.HIGHER
    found = {
        row["month"]: TrendPoint(
            row["month"],
            q2(Decimal(str(row["average"]))),
            row["high"] if higher else row["low"],
            row["low"] if higher else row["high"],
            row["n"],
        )
        for row in rows
    }
    months_shown = [add_months(first, i) for i in range(count)]
    return [found.get(month) or TrendPoint(month) for month in months_shown]


# --- the five-colour map ----------------------------------------------------------------------


@dataclass
class BandGroup:
    band: MapBand | None
    rows: list[StationRow]


def by_band(result: Table) -> list[BandGroup]:
    """Bands from best to worst with their stations (best composite first), then no data."""
    groups = {band.pk: BandGroup(band, []) for band in result.bands}
    missing = BandGroup(None, [])
    for row in sort_rows(result.rows, None):
        (groups[row.band.pk] if row.band else missing).rows.append(row)
    return [*groups.values(), missing]


def by_county(result: Table) -> list[tuple[str, list[StationRow]]]:
    """Stations grouped by their parent organization (the county), in tree order."""
    grouped: dict[str, tuple[str, list]] = {}
    for row in sorted(result.rows, key=lambda r: r.path):
        parent = row.path[:-STEPLEN]
        grouped.setdefault(parent, (row.parent_name, []))[1].append(row)
    return list(grouped.values())
