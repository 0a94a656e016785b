"""Reads of the progress page (一键统计进度): filters, the per-subtree breakdown, the late list.

Every function takes the assignments the reader may see (``Assignment.objects.restrict``), so
the page, its fragment and the export count the same rows; each costs one query at any size.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.db.models.functions import Substr
from django.utils.translation import gettext_lazy as _

from bastion.core.scope import subtree_q
from bastion.orgs.models import Organization

from .models import OPEN_STATES, AssignmentState, FeedbackField, Task
from .selectors_totals import FieldTotal, read_totals, total_aggregates

STATES = [state.value for state in AssignmentState]
# Extra filters beside the five states: open past the due date, answered after it.
OVERDUE, LATE = "overdue", "late"
STATE_FILTERS = [
    *AssignmentState.choices,
    (OVERDUE, _("逾期未反馈")),
    (LATE, _("逾期反馈")),
]
BADGE = {  # the colours of templates/tasks/_state_badge.html
    "unread": "bg-secondary-lt",
    "read": "bg-azure-lt",
    "submitted": "bg-purple-lt",
    "returned": "bg-red-lt",
    "accepted": "bg-green-lt",
}
# A reading order of the states: who still owes, then who answered.
STATE_ORDER = {"unread": 0, "read": 1, "returned": 2, "submitted": 3, "accepted": 4}
SORTS = {
    "org": ("organization__path",),
    "state": ("state_rank", "organization__path"),
    "-state": ("-state_rank", "organization__path"),
    "submitted": ("submitted_at", "organization__path"),
    "-submitted": ("-submitted_at", "organization__path"),
}
DEFAULT_SORT = "org"


def is_overdue(task: Task, today: dt.date) -> bool:
    return today > task.due_on


def overdue_q(task: Task, today: dt.date) -> Q:
    """Recipients still owing an answer after the due date (none before it)."""
    return Q(state__in=OPEN_STATES) if is_overdue(task, today) else Q(pk__in=[])


def filter_state(assignments, task: Task, state: str, today: dt.date):
    if state in STATES:
        return assignments.filter(state=state)
    if state == OVERDUE:
        return assignments.filter(overdue_q(task, today))
    if state == LATE:
        return assignments.filter(late=True, state__in=["submitted", "accepted"])
    return assignments


def sorted_rows(assignments, sort: str):
    """The recipients table: each row with its organization, in the chosen order."""
    rank = Case(
        *(When(state=state, then=Value(n)) for state, n in STATE_ORDER.items()),
        output_field=IntegerField(),
    )
    order = SORTS.get(sort, SORTS[DEFAULT_SORT])
    return (
        assignments.select_related("organization")
        .annotate(state_rank=rank)
        .order_by(*order, "pk")
        .only(
            "id",
            "state",
            "late",
            "submitted_at",
            "read_at",
            "reminded_at",
            "organization__id",
            "organization__name",
            "organization__code",
            "organization__path",
            "organization__depth",
            "organization__kind",
        )
    )


def late_rows(assignments, task: Task, today: dt.date, limit: int):
    """The first ``limit`` recipients owing an answer past the due date, in tree order."""
    if not is_overdue(task, today):
        return []
    return list(
        assignments.filter(state__in=OPEN_STATES)
        .select_related("organization")
        .only(
            "id",
            "state",
            "reminded_at",
            "organization__id",
            "organization__name",
            "organization__code",
            "organization__path",
            "organization__kind",
        )
        .order_by("organization__path", "pk")[:limit]
    )


@dataclass
class BreakdownRow:
    org: Organization
    own: bool  # the node itself is a recipient (its own row, not a subtree)
    total: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    overdue: int = 0
    late: int = 0
    totals: list[FieldTotal] = field(default_factory=list)  # number sums, choice counts

    @property
    def state_counts(self) -> list[int]:
        return [self.counts.get(state, 0) for state in STATES]

    @property
    def answered(self) -> int:
        return self.counts.get("submitted", 0) + self.counts.get("accepted", 0)

    @property
    def answered_rate(self) -> float | None:
        return round(100 * self.answered / self.total, 1) if self.total else None


def breakdown(
    assignments,
    task: Task,
    node: Organization,
    today: dt.date,
    fields: list[FeedbackField] = (),
) -> list[BreakdownRow]:
    """Counts per state for each child subtree of ``node`` (and the node itself when it is a
    recipient), with the totals of ``fields`` (``selectors_totals``): one GROUP BY on the path
    prefix of the child level, one query for the names."""
    prefix_len = (node.depth + 1) * Organization.steplen
    rows = (
        assignments.filter(subtree_q("organization__path", node.path))
        .order_by()
        .annotate(prefix=Substr("organization__path", 1, prefix_len))
        .values("prefix")
        .annotate(
            total=Count("id"),
            overdue=Count("id", filter=overdue_q(task, today)),
            late=Count("id", filter=Q(late=True, state__in=["submitted", "accepted"])),
            **{state: Count("id", filter=Q(state=state)) for state in STATES},
            **total_aggregates(list(fields)),
        )
    )
    by_prefix = {row["prefix"]: row for row in rows}
    if not by_prefix:
        return []
    orgs = Organization.objects.filter(path__in=list(by_prefix)).only(
        "id", "name", "code", "path", "depth", "kind"
    )
    result = []
    for org in sorted(orgs, key=lambda o: o.path):
        row = by_prefix[org.path]
        result.append(
            BreakdownRow(
                org=org,
                own=org.path == node.path,
                total=row["total"],
                counts={state: row[state] for state in STATES},
                overdue=row["overdue"],
                late=row["late"],
                totals=read_totals(row, list(fields)),
            )
        )
    return result


def within_choices(visible_orgs, task: Task, selected: Organization | None) -> list[Organization]:
    """A short picker inside the issuer's subtree: the issuer, its children, the selected node,
    its ancestors below the issuer and its children (never the whole tree)."""
    issuer = task.issuer
    step = Organization.steplen
    anchors = [issuer]
    ids = {issuer.pk}
    paths: list[str] = []
    if selected is not None and selected.pk != issuer.pk:
        anchors.append(selected)
        ids.add(selected.pk)
        paths = [
            selected.path[:i] for i in range(len(issuer.path) + step, len(selected.path), step)
        ]
    condition = Q(pk__in=ids) | Q(path__in=paths)
    for node in anchors:
        condition |= subtree_q("path", node.path) & Q(depth=node.depth + 1)
    return list(
        visible_orgs.filter(condition)
        .filter(subtree_q("path", issuer.path))
        .only("id", "name", "path", "depth")
        .order_by("path")
    )


def parent_names(rows) -> dict[str, str]:
    """The names of the organizations right above ``rows``' recipients, by path: a party
    group reads "某支部 · 第一党小组" rather than a bare "第一党小组". One query."""
    step = Organization.steplen
    paths = {row.organization.path[:-step] for row in rows if len(row.organization.path) > step}
    if not paths:
        return {}
    return dict(Organization.objects.filter(path__in=paths).values_list("path", "name"))
