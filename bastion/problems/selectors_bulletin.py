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
the overdue list (1) — three for any subtree size.
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

from .models import Category, Problem, ProblemEvent, State

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
class BulletinData:
    node: Organization
    quarter: Period
    cutoff: dt.date
    total: Counts
    units: list[UnitRow]
    categories: list[CategoryRow]
    overdue: list[OverdueItem]
    overdue_total: int

    @property
    def ranked(self) -> list[UnitRow]:
        return sorted(self.units, key=lambda u: (u.rank is None, u.rank or 0, u.org.path))

    @property
    def units_with_problems(self) -> int:
        return sum(1 for u in self.units if u.counts.due or u.counts.overdue)


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
    unit_rows = [u for u in units.values() if not u.own or u.counts.due or u.counts.overdue]
    rank_units(unit_rows)
    overdue, overdue_total = overdue_items(node, conditions["overdue"], cutoff, overdue_limit)
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


# --- the tables, as rows of text: the Word document, the workbook and the preview share them ---

UNIT_HEADERS = ["排名", "单位", "发现问题", "应整改", "已整改", "逾期未改", "整改率"]
CATEGORY_HEADERS = ["问题类别", "发现问题", "应整改", "已整改", "逾期未改", "整改率"]
OVERDUE_HEADERS = ["序号", "问题所在单位", "问题描述", "类别", "整改时限", "逾期天数", "责任单位"]


def unit_table(data: BulletinData) -> list[list]:
    return [
        [
            u.rank if u.rank is not None else "—",
            u.name,
            u.counts.found,
            u.counts.due,
            u.counts.rectified,
            u.counts.overdue,
            u.counts.rate_text,
        ]
        for u in data.ranked
    ]


def category_table(data: BulletinData) -> list[list]:
    rows = [
        [
            c.label,
            c.counts.found,
            c.counts.due,
            c.counts.rectified,
            c.counts.overdue,
            c.counts.rate_text,
        ]
        for c in data.categories
    ]
    t = data.total
    rows.append([_("合计"), t.found, t.due, t.rectified, t.overdue, t.rate_text])
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
