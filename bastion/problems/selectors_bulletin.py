"""The numbers of a quarterly bulletin (通报晾晒) for one node of the tree, in constant queries.

Definitions (the bulletin prints them, so they are fixed here and only here):

- **发现问题** (found): problems with ``found_on`` inside the quarter.
- **已整改** (rectified): problems whose rectification date falls inside the quarter and whose
  state is 验收通过 (verified) or 已销号 (closed). The rectification date is ``closed_on`` for a
  closed problem; for a verified one it is the day of its last 验收通过 event (falling back to
  ``submitted_on`` for rows imported without history). A problem therefore counts as rectified
  in exactly one quarter.
- **应整改** (due for rectification): problems found in the quarter plus those carried over —
  found before the quarter and not rectified before it started.
- **整改率** (rectification rate) = 已整改 ÷ 应整改. Every problem rectified in the quarter was
  found in it or carried over into it, so the rate lies between 0 % and 100 %; a unit with
  nothing due has no rate (shown "—") and no rank. (已整改 ÷ 发现问题 alone would pass 100 %
  whenever old problems are cleared, so it is not used.)
- **逾期未改** (overdue): at the cut-off day — the quarter's last day, or today for the current
  quarter — problems found by then whose ``deadline`` is before the cut-off and which were not
  rectified by then. Days overdue = cut-off − deadline.
- **排名** (ranking): by rate, highest first; ties by fewer overdue, then by more rectified;
  units tied on all three share a rank.

Queries: the children of the node (1), the counts grouped by child subtree and category (1),
the overdue list (1), the quarter's inspections (1, plus 1 for the inspected units when there are
any) — at most five for any subtree size.

Units with nothing due and nothing overdue are not ranked and not tabled: the bulletin names
them in one line ("以下N个单位本季度无问题：…"), so thirty quiet stations are not a page of zeros.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db.models import (
    Case,
    Count,
    DateField,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, Substr, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from bastion.core.periods import QUARTER, Period
from bastion.core.scope import subtree_q
from bastion.orgs.models import Organization

from .models import Category, Inspection, InspectionKind, Problem, ProblemEvent, State

DONE_STATES = [State.VERIFIED, State.CLOSED]


def parse_quarter(text: str) -> Period:
    """``"2026Q3"`` → that quarter; a Chinese ValidationError naming the expected form
    otherwise."""
    quarter = Period.parse_or_none(text, QUARTER)
    if quarter is None:
        message = _("季度“%(text)s”格式不正确，应为“年份Q季度”，如 2026Q3。")
        raise ValidationError({"quarter": message % {"text": text}})
    return quarter


def current_quarter(today: dt.date | None = None) -> Period:
    return Period.containing(QUARTER, today or timezone.localdate())


@dataclass
class Counts:
    found: int = 0
    carried: int = 0
    rectified: int = 0
    overdue: int = 0

    @property
    def due(self) -> int:
        return self.found + self.carried

    @property
    def rate(self) -> Decimal | None:
        """整改率 in percent, one decimal; None when nothing was due."""
        if not self.due:
            return None
        value = Decimal(self.rectified * 100) / Decimal(self.due)
        return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def rate_text(self) -> str:
        return "—" if self.rate is None else f"{self.rate}%"

    @property
    def quiet(self) -> bool:
        """Nothing due and nothing overdue: nothing to report."""
        return not (self.due or self.overdue)

    def add(self, other: Counts) -> None:
        self.found += other.found
        self.carried += other.carried
        self.rectified += other.rectified
        self.overdue += other.overdue


@dataclass
class UnitRow:
    org: Organization
    own: bool  # the node itself (本级), not a child subtree
    counts: Counts = field(default_factory=Counts)
    rank: int | None = None

    @property
    def name(self) -> str:
        return self.org.name + (_("（本级）") if self.own else "")


@dataclass
class CategoryRow:
    category: str
    label: str
    counts: Counts


@dataclass
class OverdueItem:
    pk: int
    organization: str
    description: str
    category: str
    deadline: dt.date
    days_overdue: int
    responsible_org: str
    state: str


@dataclass
class InspectionItem:
    held_on: dt.date
    kind: str
    title: str
    inspecting_org: str
    inspected: str  # the inspected units, joined with 、
    findings: int  # problems it recorded inside the bulletin's subtree


@dataclass
class BulletinData:
    node: Organization
    quarter: Period
    cutoff: dt.date
    total: Counts
    units: list[UnitRow]
    categories: list[CategoryRow]
    overdue: list[OverdueItem]
    overdue_total: int
    inspections: list[InspectionItem] = field(default_factory=list)
    inspections_total: int = 0
    inspection_findings: int = 0

    @property
    def ranked(self) -> list[UnitRow]:
        """The units with something to report, best rank first."""
        reporting = [u for u in self.units if not u.counts.quiet]
        return sorted(reporting, key=lambda u: (u.rank is None, u.rank or 0, u.org.path))

    @property
    def quiet_units(self) -> list[UnitRow]:
        """The units with nothing found, due or overdue, in tree order."""
        return sorted((u for u in self.units if u.counts.quiet), key=lambda u: u.org.path)

    @property
    def units_with_problems(self) -> int:
        return sum(1 for u in self.units if not u.counts.quiet)


def rectified_on():
    """The day a verified/closed problem was rectified (see the module docstring); NULL if open."""
    verified_at = (
        ProblemEvent.objects.filter(problem=OuterRef("pk"), to_state=State.VERIFIED)
        .order_by("-at", "-id")
        .values("at")[:1]
    )
    return Case(
        When(state=State.CLOSED, then=F("closed_on")),
        When(
            state=State.VERIFIED,
            then=Coalesce(
                TruncDate(Subquery(verified_at)), F("submitted_on"), output_field=DateField()
            ),
        ),
        default=Value(None, output_field=DateField()),
        output_field=DateField(),
    )


def _conditions(quarter: Period, cutoff: dt.date) -> dict[str, Q]:
    done = Q(state__in=DONE_STATES)
    return {
        "found": Q(found_on__gte=quarter.start, found_on__lte=quarter.end),
        "carried": Q(found_on__lt=quarter.start)
        & ~(done & Q(rectified_on__lt=quarter.start, rectified_on__isnull=False)),
        "rectified": done & Q(rectified_on__gte=quarter.start, rectified_on__lte=quarter.end),
        "overdue": Q(found_on__lte=cutoff, deadline__lt=cutoff)
        & ~(done & Q(rectified_on__lte=cutoff, rectified_on__isnull=False)),
    }


def cutoff_for(quarter: Period, today: dt.date | None = None) -> dt.date:
    return min(quarter.end, today or timezone.localdate())


def bulletin_data(
    node: Organization, quarter: Period, *, today: dt.date | None = None, overdue_limit=None
) -> BulletinData:
    """Everything the bulletin prints, for the subtree of ``node`` (the caller checks scope)."""
    cutoff = cutoff_for(quarter, today)
    conditions = _conditions(quarter, cutoff)
    child_depth = node.depth + 1
    children = list(
        Organization.objects.filter(subtree_q("path", node.path), depth__lte=child_depth)
        .only("id", "name", "path", "depth")
        .order_by("path")
    )
    rows = (
        Problem.objects.filter(subtree_q("organization__path", node.path))
        .annotate(rectified_on=rectified_on())
        .filter(conditions["found"] | conditions["carried"] | conditions["overdue"])
        .annotate(prefix=Substr("organization__path", 1, child_depth * Organization.steplen))
        .values("prefix", "category")
        .annotate(**{name: Count("id", filter=q) for name, q in conditions.items()})
        .order_by()
    )
    units = {org.path: UnitRow(org=org, own=org.pk == node.pk) for org in children}
    categories = {value: Counts() for value, _label in Category.choices}
    total = Counts()
    for row in rows:
        counts = Counts(row["found"], row["carried"], row["rectified"], row["overdue"])
        unit = units.get(row["prefix"])
        if unit is not None:
            unit.counts.add(counts)
        categories.setdefault(row["category"], Counts()).add(counts)
        total.add(counts)
    unit_rows = [u for u in units.values() if not u.own or not u.counts.quiet]
    rank_units(unit_rows)
    overdue, overdue_total = overdue_items(node, conditions["overdue"], cutoff, overdue_limit)
    inspections, inspections_total, findings = quarter_inspections(node, quarter, overdue_limit)
    labels = dict(Category.choices)
    return BulletinData(
        node=node,
        quarter=quarter,
        cutoff=cutoff,
        total=total,
        units=unit_rows,
        categories=[
            CategoryRow(value, str(labels.get(value, value)), counts)
            for value, counts in categories.items()
        ],
        overdue=overdue,
        overdue_total=overdue_total,
        inspections=inspections,
        inspections_total=inspections_total,
        inspection_findings=findings,
    )


def rank_units(units: list[UnitRow]) -> None:
    """Rank by rate (high first), then fewer overdue, then more rectified; equal keys share."""
    rated = [u for u in units if u.counts.rate is not None]

    def key(u: UnitRow):
        return (-u.counts.rate, u.counts.overdue, -u.counts.rectified)

    rated.sort(key=key)
    previous, rank = None, 0
    for position, unit in enumerate(rated, start=1):
        if key(unit) != previous:
            rank, previous = position, key(unit)
        unit.rank = rank
    for unit in units:
        if unit.counts.rate is None:
            unit.rank = None


def overdue_items(node: Organization, overdue: Q, cutoff: dt.date, limit=None):
    """The overdue problems named, longest overdue first; (items, total) in one query.

    ``limit`` keeps the first ``limit`` (the Word document prints the worst ones; the Excel all);
    the total comes with the same query as a window count.
    """
    qs = (
        Problem.objects.filter(subtree_q("organization__path", node.path))
        .annotate(rectified_on=rectified_on())
        .filter(overdue)
        .annotate(total=Window(Count("id")))
        .select_related("organization", "responsible_org")
        .only(
            "id",
            "description",
            "category",
            "deadline",
            "state",
            "organization__name",
            "responsible_org__name",
        )
        .order_by("deadline", "organization__path", "id")
    )
    if limit is not None:
        qs = qs[:limit]
    labels, states = dict(Category.choices), dict(State.choices)
    items, total = [], 0
    for problem in qs:
        total = problem.total
        items.append(
            OverdueItem(
                pk=problem.pk,
                organization=problem.organization.name,
                description=problem.description,
                category=str(labels.get(problem.category, problem.category)),
                deadline=problem.deadline,
                days_overdue=(cutoff - problem.deadline).days,
                responsible_org=problem.responsible_org.name,
                state=str(states.get(problem.state, problem.state)),
            )
        )
    return items, total


def quarter_inspections(node: Organization, quarter: Period, limit=None):
    """The inspections held in the quarter by or on the subtree of ``node``, in date order:
    (items, total, problems found by all of them in the subtree), in one query plus one for
    the inspected units' names."""
    inspected_here = Inspection.inspected.through.objects.filter(
        subtree_q("organization__path", node.path)
    ).values("inspection_id")
    findings = (
        Problem.objects.filter(inspection=OuterRef("pk"))
        .filter(subtree_q("organization__path", node.path))
        .order_by()
        .values("inspection")
        .annotate(n=Count("id"))
        .values("n")
    )
    qs = (
        Inspection.objects.filter(held_on__gte=quarter.start, held_on__lte=quarter.end)
        .filter(subtree_q("inspecting_org__path", node.path) | Q(pk__in=inspected_here))
        .annotate(findings=Coalesce(Subquery(findings), Value(0)))
        .annotate(total=Window(Count("id")), findings_total=Window(Sum("findings")))
        .select_related("inspecting_org")
        .only("id", "kind", "title", "held_on", "inspecting_org__name")
        .order_by("held_on", "id")
    )
    if limit is not None:
        qs = qs[:limit]
    rows = list(qs)
    if not rows:
        return [], 0, 0
    through = Inspection.inspected.through.objects.filter(
        inspection_id__in=[r.pk for r in rows]
    ).values_list("inspection_id", "organization__name", "organization__path")
    inspected: dict[int, list[str]] = {}  # the inspected units inside the subtree …
    elsewhere: dict[int, list[str]] = {}  # … or, when it inspected none there, all of them
    for inspection_id, name, path in through.order_by("organization__path"):
        inside = path.startswith(node.path)
        (inspected if inside else elsewhere).setdefault(inspection_id, []).append(name)
    kinds = dict(InspectionKind.choices)
    items = [
        InspectionItem(
            held_on=r.held_on,
            kind=str(kinds.get(r.kind, r.kind)),
            title=r.title,
            inspecting_org=r.inspecting_org.name,
            inspected="、".join(inspected.get(r.pk) or elsewhere.get(r.pk, [])),
            findings=r.findings,
        )
        for r in rows
    ]
    return items, rows[0].total, rows[0].findings_total or 0


# --- the tables, as rows of text: the Word document, the workbook and the preview share them ---


@dataclass(frozen=True)
class Percent:
    """A rate in a table row: text ("40.0%", "—") in the Word document, a number cell with a
    percent format in the workbook, so Excel can sort and sum it."""

    value: Decimal | None  # in percent, one decimal

    def __str__(self) -> str:
        return "—" if self.value is None else f"{self.value}%"

    @property
    def fraction(self) -> float | None:
        return None if self.value is None else float(self.value / 100)


UNIT_HEADERS = ["排名", "单位", "发现问题", "应整改", "已整改", "逾期未改", "整改率"]
CATEGORY_HEADERS = ["问题类别", "发现问题", "应整改", "已整改", "逾期未改", "整改率"]
OVERDUE_HEADERS = ["序号", "问题所在单位", "问题描述", "类别", "整改时限", "逾期天数", "责任单位"]
INSPECTION_HEADERS = ["序号", "检查日期", "检查方式", "检查组织", "被检查单位", "发现问题"]


def unit_table(data: BulletinData) -> list[list]:
    return [
        [
            u.rank if u.rank is not None else "—",
            u.name,
            u.counts.found,
            u.counts.due,
            u.counts.rectified,
            u.counts.overdue,
            Percent(u.counts.rate),
        ]
        for u in data.ranked
    ]


def quiet_line(data: BulletinData) -> str:
    """“以下3个单位本季度无问题：A、B、C。” — or "" when every unit has something to report."""
    quiet = data.quiet_units
    if not quiet:
        return ""
    return _("以下%(count)s个单位本季度无问题：%(names)s。") % {
        "count": len(quiet),
        "names": "、".join(u.name for u in quiet),
    }


def inspection_table(data: BulletinData, limit: int | None = None) -> list[list]:
    items = data.inspections if limit is None else data.inspections[:limit]
    return [
        [i, item.held_on, item.kind, item.inspecting_org, item.inspected, item.findings]
        for i, item in enumerate(items, start=1)
    ]


def category_table(data: BulletinData) -> list[list]:
    rows = [
        [
            c.label,
            c.counts.found,
            c.counts.due,
            c.counts.rectified,
            c.counts.overdue,
            Percent(c.counts.rate),
        ]
        for c in data.categories
    ]
    t = data.total
    rows.append([_("合计"), t.found, t.due, t.rectified, t.overdue, Percent(t.rate)])
    return rows


def overdue_table(data: BulletinData, limit: int | None = None) -> list[list]:
    items = data.overdue if limit is None else data.overdue[:limit]
    return [
        [
            i,
            item.organization,
            item.description,
            item.category,
            item.deadline,
            item.days_overdue,
            item.responsible_org,
        ]
        for i, item in enumerate(items, start=1)
    ]
