"""The progress figures read from ``TaskTally`` (one row per subtree) instead of counted.

A reader whose ``tasks.view_assignment`` grant covers the whole subtree shown sees every
recipient in it, so the stored figures are exactly what counting the visible rows would give;
for anyone else (``tally_for`` answers None) the page counts the rows it may show, as before.
What depends on today (overdue: still owing after the due date) is derived when read.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Q

from bastion.core.scope import grant, subtree_q
from bastion.orgs.models import Organization

from .models import OPEN_STATES, FeedbackField, FieldKind, Task, TaskTally
from .selectors import Progress
from .selectors_progress import LATE, OVERDUE, STATES, BreakdownRow, is_overdue
from .selectors_totals import FieldTotal, _choices, _decimal

OPEN = [state.value for state in OPEN_STATES]


class Tally:
    """The figures of ``node``'s subtree and of each child subtree: one query."""

    def __init__(self, task: Task, node: Organization, today: dt.date):
        self.task, self.node, self.today = task, node, today
        rows = TaskTally.objects.filter(task=task).filter(
            Q(node_path=node.path) | (subtree_q("node_path", node.path) & Q(depth=node.depth + 1))
        )
        self.children: dict[str, dict] = {}
        self.figures: dict = {}
        for row in rows.only("node_path", "figures"):
            if row.node_path == node.path:
                self.figures = row.figures
            else:
                self.children[row.node_path] = row.figures

    def overdue(self, figures: dict) -> int:
        if not is_overdue(self.task, self.today):
            return 0
        return sum(figures.get(state, 0) for state in OPEN)

    def progress(self) -> Progress:
        """``selectors.progress`` of the subtree."""
        figures = self.figures
        by_state = {state: figures[state] for state in STATES if figures.get(state)}
        return Progress(
            total=figures.get("total", 0),
            by_state=by_state,
            late_submitted=figures.get("late", 0),
            overdue_open=self.overdue(figures),
        )

    def count(self, state: str) -> int:
        """How many recipients the table lists for ``state`` (a filter of the page)."""
        if state in STATES:
            return self.figures.get(state, 0)
        if state == OVERDUE:
            return self.overdue(self.figures)
        if state == LATE:
            return self.figures.get("late", 0)
        return self.figures.get("total", 0)

    def field_totals(self, fields: list[FeedbackField]) -> list[FieldTotal]:
        return field_totals_of(self.figures, fields)

    def breakdown(self, fields: list[FeedbackField]) -> list[BreakdownRow]:
        """``selectors_progress.breakdown``: each child subtree, and the node's own row when
        it is a recipient itself (its figures less its children's). One query for the names."""
        parts = dict(self.children)
        own = dict(self.figures)
        for figures in self.children.values():
            _subtract(own, figures)
        if own.get("total"):
            parts[self.node.path] = own
        if not parts:
            return []
        orgs = Organization.objects.filter(path__in=list(parts)).only(
            "id", "name", "code", "path", "depth", "kind"
        )
        return [
            BreakdownRow(
                org=org,
                own=org.path == self.node.path,
                total=parts[org.path].get("total", 0),
                counts={state: parts[org.path].get(state, 0) for state in STATES},
                overdue=self.overdue(parts[org.path]),
                late=parts[org.path].get("late", 0),
                totals=field_totals_of(parts[org.path], fields),
            )
            for org in sorted(orgs, key=lambda o: o.path)
        ]


def _subtract(into: dict, figures: dict) -> None:
    for key, value in figures.items():
        if key.endswith(":sum"):
            into[key] = str(Decimal(into.get(key) or 0) - Decimal(value))
        else:
            into[key] = into.get(key, 0) - value


def field_totals_of(figures: dict, fields: list[FeedbackField]) -> list[FieldTotal]:
    """``selectors_totals.read_totals`` from stored figures."""
    totals = []
    for f in fields:
        item = FieldTotal(
            field_id=f.pk, label=f.label, kind=f.kind, answers=figures.get(f"f{f.pk}:n", 0)
        )
        if f.kind == FieldKind.NUMBER:
            item.total = _decimal(Decimal(figures.get(f"f{f.pk}:sum") or 0))
        else:
            item.counts = [(c, figures.get(f"f{f.pk}:c:{c}", 0)) for c in _choices(f)]
        totals.append(item)
    return totals


def tally_for(user, task: Task, node: Organization, today: dt.date) -> Tally | None:
    """The stored figures of ``node``'s subtree when ``user`` sees every recipient in it."""
    if not grant(user, "tasks.view_assignment").covers(node):
        return None
    return Tally(task, node, today)
