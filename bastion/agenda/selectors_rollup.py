"""Roll-ups (统计汇总): expected vs. done by item and period at any level of the tree.

For a node N, the obligations of N's subtree are grouped by the child subtree they fall in (the
first ``(N.depth + 1) * steplen`` characters of their organization's path, as
``orgs.selectors.subtree_counts`` does) × item kind, with one conditional count per colour:
one query at any depth and for any number of organizations. N's own obligations (a branch's,
when its children are party groups) form the row 本级.

Expected = obligations due in the period (``due_on`` inside it: a quarterly item due at the
quarter's end belongs to that quarter's last month); actual = the fulfilled ones among them.
Obligations of organizations that were dissolved (``is_active`` false) are left out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models.functions import Substr
from django.utils.translation import gettext as _

from bastion.core.alerts import LEVELS
from bastion.core.periods import Period
from bastion.core.scope import subtree_q
from bastion.orgs.models import Organization

from .models import ItemKind, Obligation
from .selectors_agenda import alert_counts

PERIOD_KINDS = ("year", "quarter", "month")
BRANCH_KINDS = ("branch", "temporary_branch", "general_branch")


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


def grouped_counts(node: Organization, period: Period, today: dt.date, visible):
    """``[{"prefix", "kind", "expected", "actual", <level>...}]``: one grouped query."""
    prefix_len = (node.depth + 1) * Organization.steplen
    return list(
        visible.filter(
            subtree_q("organization__path", node.path),
            organization__is_active=True,
            due_on__gte=period.start,
            due_on__lte=period.end,
        )
        .annotate(prefix=Substr("organization__path", 1, prefix_len))
        .values("prefix", "kind")
        .annotate(**alert_counts(today))
        .order_by()
    )


def rollup(node: Organization, period: Period, today: dt.date, user) -> Rollup:
    """The roll-up of ``node`` for ``period``: a row per child subtree (and 本级), totals."""
    visible = Obligation.objects.restrict(user, "view")
    counts = grouped_counts(node, period, today, visible)
    rows = {child.path: RollupRow(org=child, own=False) for child in child_nodes(node)}
    own = RollupRow(org=node, own=True)
    totals = RollupRow(org=node, own=True)
    present = set()
    for entry in counts:
        row = own if entry["prefix"] == node.path else rows.get(entry["prefix"])
        if row is None:  # a descendant of a dissolved child: not counted
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
