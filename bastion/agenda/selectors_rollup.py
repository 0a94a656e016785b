"""Roll-ups (统计汇总): expected vs. done by item and period at any level of the tree.

For a node N, the counts come from the obligation tallies (models/tallies.py): each active
child's subtree rows (``sub_*``) and N's own (``own_*``, the row 本级, a branch's when its
children are party groups), grouped by organization × item kind with one conditional sum per
colour, the colours derived from each row's dates and today. Two grouped queries over
(children × deadline keys) rows: the cost does not grow with the organizations below.

Expected = obligations due in the period (``due_on`` inside it: a quarterly item due at the
quarter's end belongs to that quarter's last month); actual = the fulfilled ones among them.
Obligations of organizations that were dissolved (``is_active`` false) are left out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import F, Q, Sum
from django.utils.translation import gettext as _

from bastion.core.alerts import LEVELS
from bastion.core.periods import Period
from bastion.core.scope import allows, subtree_q
from bastion.orgs.models import Organization

from .models import ItemKind, ObligationTally

PERIOD_KINDS = ("year", "quarter", "month")
BRANCH_KINDS = ("branch", "temporary_branch", "general_branch")
VIEW = "agenda.view_obligation"


@dataclass
class Tally:
    """Expected, actual and the count of each colour for one cell (or a sum of cells)."""

    expected: int = 0
    actual: int = 0
    levels: dict[str, int] = field(default_factory=lambda: dict.fromkeys(LEVELS, 0))

    @classmethod
    def from_row(cls, row: dict) -> Tally:
        return cls(row["expected"], row["actual"], {level: row[level] for level in LEVELS})

    def add(self, other: Tally) -> None:
        self.expected += other.expected
        self.actual += other.actual
        for level in LEVELS:
            self.levels[level] += other.levels[level]

    @property
    def rate(self) -> float | None:
        """Percent done of what was expected, one decimal; None when nothing was expected."""
        if not self.expected:
            return None
        return round(100 * self.actual / self.expected, 1)

    @property
    def level_list(self) -> list[tuple[str, int]]:
        return [(level, self.levels[level]) for level in LEVELS]


@dataclass
class RollupRow:
    org: Organization
    own: bool  # the node's own obligations (本级), not a child subtree
    cells: dict[str, Tally] = field(default_factory=dict)
    total: Tally = field(default_factory=Tally)

    @property
    def label(self) -> str:
        return _("本级（%(name)s）") % {"name": self.org.name} if self.own else self.org.name

    @property
    def is_leaf(self) -> bool:
        """Drilling stops here: a branch (its map shows the detail) or a node without children."""
        return self.own or self.org.kind in BRANCH_KINDS or not self.org.numchild

    kind_cells: list[Tally] = field(default_factory=list)  # ``cells`` in the order of the kinds


@dataclass
class Rollup:
    node: Organization
    period: Period
    today: dt.date
    kinds: list[tuple[str, str]]
    rows: list[RollupRow]
    totals: RollupRow


def child_nodes(node: Organization) -> list[Organization]:
    """The node's active children, in tree order (one query)."""
    return list(
        Organization.objects.filter(
            subtree_q("path", node.path), depth=node.depth + 1, is_active=True
        ).order_by("path")
    )


def _tally_sums(side: str, today: dt.date) -> dict:
    """``{"expected", "actual", <level>...}`` as sums over tally rows of ``side`` (own/sub)."""
    open_, done, late = (F(f"{side}_{count}") for count in ("open", "done", "late"))
    sums = {
        "expected": Sum(open_ + done + late),
        "actual": Sum(done + late),
        "red": Sum(open_, filter=Q(due_on__lt=today)),
        "yellow": Sum(open_, filter=Q(yellow_from__lte=today, due_on__gte=today)),
        "green": Sum(open_, filter=Q(green_from__lte=today, yellow_from__gt=today)),
        "upcoming": Sum(open_, filter=Q(green_from__gt=today)),
        "done": Sum(done),
        "late": Sum(late),
    }
    assert set(sums) == {"expected", "actual", *LEVELS}
    return sums


def grouped_counts(node: Organization, children, period: Period, today: dt.date):
    """``[{"organization_id", "kind", "expected", "actual", <level>...}]``: the children's
    subtrees and the node's own obligations, two grouped queries over the tallies."""
    in_period = Q(due_on__gte=period.start, due_on__lte=period.end)
    child_ids = [child.pk for child in children]
    rows = []
    for side, ids in (("sub", child_ids), ("own", [node.pk])):
        if not ids:
            continue
        rows += list(
            ObligationTally.objects.filter(in_period, organization_id__in=ids)
            .values("organization_id", "kind")
            .annotate(**_tally_sums(side, today))
            .order_by()
        )
    for row in rows:
        for name in ("expected", "actual", *LEVELS):
            row[name] = row[name] or 0
    return rows


def rollup(node: Organization, period: Period, today: dt.date, user) -> Rollup:
    """The roll-up of ``node`` for ``period``: a row per child subtree (and 本级), totals.

    Scope: grants cover whole subtrees, so whoever may see ``node``'s obligations may see all
    of them below it; anyone else gets empty rows."""
    children = child_nodes(node)
    counts = grouped_counts(node, children, period, today) if allows(user, VIEW, node) else []
    rows = {child.pk: RollupRow(org=child, own=False) for child in children}
    own = RollupRow(org=node, own=True)
    totals = RollupRow(org=node, own=True)
    present = set()
    for entry in counts:
        org_id = entry["organization_id"]
        row = own if org_id == node.pk and org_id not in rows else rows.get(org_id)
        if row is None:
            continue
        if entry["expected"] == 0:
            continue
        kind, tally = entry["kind"], Tally.from_row(entry)
        present.add(kind)
        for target in (row, totals):
            target.cells.setdefault(kind, Tally()).add(tally)
            target.total.add(tally)
    kinds = [(value, str(label)) for value, label in ItemKind.choices if value in present]
    ordered = ([own] if own.total.expected else []) + list(rows.values())
    for row in [*ordered, totals]:
        row.kind_cells = [row.cells.get(kind, Tally()) for kind, _label in kinds]
    return Rollup(node, period, today, kinds, ordered, totals)


def chart_data(result: Rollup) -> dict:
    """ECharts input: one stacked series per colour, one bar per row."""
    from .models import AlertLevel

    labels = dict(AlertLevel.choices)
    return {
        "categories": [row.org.display_name if not row.own else _("本级") for row in result.rows],
        "series": [
            {
                "level": level,
                "name": str(labels[level]),
                "data": [row.total.levels[level] for row in result.rows],
            }
            for level in LEVELS
        ],
    }
