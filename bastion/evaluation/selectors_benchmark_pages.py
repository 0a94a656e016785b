"""同业对标 reads for the pages: stations in view, the month table with ranks and composite,
one indicator's ranking and trend, the five-colour map.

Everything is read with a fixed number of queries: the stations, the grouped means, the
indicators, the bands and the stations' parents, whatever the number of stations. A viewer sees
the stations in their scope, but ranks ("第 k / N"), composites and colours are the
population's (``selectors_benchmarks.standings``: every station of the company), so one station
has one colour whoever looks, and a round scores the same figures.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Avg, Count, Max, Min

from bastion.core.periods import Period, add_months
from bastion.core.scope import subtree_q
from bastion.orgs.models import Organization
from bastion.orgs.models.organization import UnitKind

from .engine import q2
from .models import BenchmarkIndicator, BenchmarkValue, Direction, MapBand
from .selectors_benchmarks import band_for, bands, composite_of, standings, stations_only

VIEW = "evaluation.view_benchmarkvalue"
STEPLEN = Organization.steplen


# --- scope ------------------------------------------------------------------------------------


def stations(user, within: Organization | None = None, permission: str = VIEW):
    """Active stations where ``user`` holds ``permission`` (by default: may view benchmark
    values), a station organised as a 党小组 too (``selectors_benchmarks.stations_only``)."""
    queryset = stations_only(Organization.objects.permitted(user, permission))
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


# --- the station table ------------------------------------------------------------------------


@dataclass
class Cell:
    value: Decimal | None = None
    rank: int | None = None
    ratio: Decimal | None = None
    of: int | None = None  # the population's stations with a value: "第 rank / of"


@dataclass
class StationRow:
    pk: int
    code: str
    name: str
    path: str
    parent_name: str = ""
    county_path: str = ""  # the county above it (the map groups by it): ``_county``
    county_name: str = ""
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
    counts: dict[str, int]  # indicator code → stations of the population with a value
    bands: list[MapBand]


def table(user, within, period: Period) -> Table:
    """Every station in view with its values, and its ranks, composite and band among the
    population, for ``period``."""
    indicator_list = indicators()
    by_id = {i.pk: i for i in indicator_list}
    rows = {
        pk: StationRow(pk, code, short or name, path)  # the short name fits a map tile
        for pk, code, name, short, path in stations(user, within)
        .order_by("path")
        .values_list("pk", "code", "name", "short_name", "path")
    }
    counts, by_code = {}, {}
    paths = [row.path for row in rows.values()]
    for indicator_id, by_org in standings(paths, period.start, period.end).items():
        code = by_id[indicator_id].code
        counts[code] = len(by_org)
        for org_id in by_org.keys() & rows.keys():
            found = by_org[org_id]
            rows[org_id].cells[code] = Cell(found.value, found.rank, found.ratio, found.of)
            by_code.setdefault(code, {})[org_id] = (found.value, found.ratio)
    band_rows = bands()
    for org_id, score in composite_of(by_code).items():  # the formula rounds are scored with
        rows[org_id].composite = score
        rows[org_id].band = band_for(score, band_rows)
    _attach_parents(rows.values())
    return Table(period, indicator_list, list(rows.values()), counts, band_rows)


def _attach_parents(rows) -> None:
    """Each row's parent, and its county: a small station attached as a 党小组 to a
    neighbouring station's branch, or under the county's 机关党总支, belongs to the county
    (one query)."""
    ancestors = {_ancestors(row.path) for row in rows}
    paths = {path for found in ancestors for path in found}
    nodes = {
        path: (name, unit_kind)
        for path, name, unit_kind in Organization.objects.filter(path__in=paths).values_list(
            "path", "name", "unit_kind"
        )
    }
    for row in rows:
        row.parent_name = nodes.get(row.path[:-STEPLEN], ("", ""))[0]
        row.county_path = _county(_ancestors(row.path), nodes)
        row.county_name = nodes.get(row.county_path, ("", ""))[0]


def _county(ancestors: tuple[str, ...], nodes: dict) -> str:
    """The topmost 县公司 organization above a station (a station under the county's 机关党总支
    is still the county's), else its nearest ancestor that is not a station."""
    for path in ancestors:
        if nodes.get(path, ("", ""))[1] == UnitKind.COUNTY:
            return path
    for path in reversed(ancestors):
        if path in nodes and nodes[path][1] != UnitKind.STATION:
            return path
    return ""


def _ancestors(path: str) -> tuple[str, ...]:
    return tuple(path[:end] for end in range(STEPLEN, len(path), STEPLEN))


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
    """Stations grouped by their county (``_county``), in tree order."""
    grouped: dict[str, tuple[str, list]] = {}
    for row in sorted(result.rows, key=lambda r: (r.county_path, r.path)):
        grouped.setdefault(row.county_path, (row.county_name, []))[1].append(row)
    return list(grouped.values())
