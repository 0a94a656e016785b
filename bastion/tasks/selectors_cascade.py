"""Reading the 四级贯通 cascade: the tree of one objective, its roll-up, the objectives a user
reaches, the task sheets waiting for a branch's action plan.

What a user sees of a cascade (scope rule: nobody sees another branch's data):

- **full**: items in their scope (``CascadeItem.objects.restrict(user, "view")``): every field,
  status, roll-up progress, linked 工作单 and the feedback of their organization.
- **directive**: items addressed to them and the path from the objective down to their own items.
  An objective and its task books are addressed to the whole committee subtree (专业 → every 战区);
  a task sheet to the subtree of its 战区 (its branches). A directive shows what was asked (title,
  organization, 方向、目标、人员、措施、时限、责任) — never status, progress, tasks or feedback.
- nothing of the rest: a sibling county's task sheets, a sibling branch's action plans.

Roll-up (issue 14): every item counts every child it should have, a missing one as 0 %, and its
status is settled from that roll-up (``cascade_rules``), the same on the tree, the list and in the
services' done rule. The roll-up always covers the whole cascade, whoever reads it.

Costs: the tree is one query, linked tasks with their assignment counts one more, the 支部 the
task sheets expect one more, the feedback of the reader's organizations one more — at any size.
Roll-up is computed in Python from those rows.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from fractions import Fraction
from functools import reduce
from operator import or_

from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext

from bastion.core.scope import Grant, grant
from bastion.orgs.models import Organization

from .cascade_rules import ANSWERING_KINDS, settled_status
from .models import AssignmentState, CascadeItem, CascadeLevel, CascadeStatus, Task
from .models.assignment import Assignment

VIEW = "tasks.view_cascadeitem"
LEVELS = [c.value for c in CascadeLevel]


@dataclass
class Rollup:
    """Progress of an item over the children it should have (see ``cascade_rules``): each
    expected child weighs the same, a missing one counts 0. Beside it, for reading: the action
    plans below the item and the answers to the 工作单 linked at or below it (not part of the
    percentage: a 工作单 is a reporting channel, not a part of the cascade)."""

    progress: Fraction = Fraction(0)
    expected: int = 0  # children it should have
    complete: int = 0  # of those, complete
    missing: list[str] = field(default_factory=list)  # what should be there and is not
    plans_total: int = 0
    plans_done: int = 0
    assignments_total: int = 0
    assignments_accepted: int = 0

    @property
    def is_complete(self) -> bool:
        return self.progress == 1

    @property
    def percent(self) -> int:
        """Floored, so that nothing reads 100 % before everything is done."""
        return math.floor(self.progress * 100)

    @property
    def missing_text(self) -> str:
        """The first few missing children by name, and how many are missing in all."""
        shown = "、".join(self.missing[:3])
        more = len(self.missing) - 3
        return shown + (gettext("等 %(n)s 项") % {"n": len(self.missing)} if more > 0 else "")

    @classmethod
    def of_part(cls, rollups: list[Rollup]) -> Rollup | None:
        """The reader's part of a cascade (their top items), read as if one parent held them."""
        if not rollups:
            return None
        part = cls(expected=len(rollups))
        part.progress = sum((r.progress for r in rollups), Fraction(0)) / len(rollups)
        for r in rollups:
            part.complete += r.is_complete
            part.missing += r.missing
            part.plans_total += r.plans_total
            part.plans_done += r.plans_done
            part.assignments_total += r.assignments_total
            part.assignments_accepted += r.assignments_accepted
        return part


@dataclass
class Node:
    item: CascadeItem
    access: str = "directive"  # "full" or "directive"
    children: list[Node] = field(default_factory=list)
    rollup: Rollup = field(default_factory=Rollup)
    tasks: list[Task] = field(default_factory=list)
    feedback: list[Assignment] = field(default_factory=list)
    overdue: bool = False
    child_count: int = 0  # every child, shown or not
    status: str = ""  # settled (``cascade_rules.settled_status``): what every page shows

    @property
    def status_display(self) -> str:
        return CascadeStatus(self.status).label

    @property
    def full(self) -> bool:
        return self.access == "full"


@dataclass
class CascadeTree:
    root: Node
    nodes: dict[int, Node]  # shown nodes by item id
    counts: dict[str, int]  # shown items per level


# --- who sees what ------------------------------------------------------------------------


def _prefixes(paths) -> set[str]:
    """Every ancestor-or-self path of the given organization paths."""
    step = Organization.steplen
    return {path[:i] for path in paths for i in range(step, len(path) + 1, step)}


def addressed_q(user) -> Q:
    """Items addressed to ``user``'s organizations (see the module docstring), as a filter."""
    granted = grant(user, VIEW)
    if granted.everywhere:
        return Q()
    if not granted:
        return Q(pk__in=[])
    above = _prefixes(granted.paths)
    return (
        Q(level=CascadeLevel.OBJECTIVE, organization__path__in=above)
        | Q(level=CascadeLevel.TASK_BOOK, root__organization__path__in=above)
        | Q(level=CascadeLevel.TASK_SHEET, organization__path__in=above)
    )


def _anchor_path(item: CascadeItem, root: CascadeItem) -> str:
    if item.level == CascadeLevel.TASK_SHEET:
        return item.organization.path
    return root.organization.path


def _is_addressed(item: CascadeItem, root: CascadeItem, granted: Grant) -> bool:
    if granted.everywhere:
        return True
    if item.level == CascadeLevel.ACTION_PLAN:
        return False
    anchor = _anchor_path(item, root)
    return any(path.startswith(anchor) for path in granted.paths)


def root_key():
    return Coalesce("root_id", "id")


# --- the tree -----------------------------------------------------------------------------


def load_items(root_pk: int) -> list[CascadeItem]:
    """The objective ``root_pk`` and every item below it: one query."""
    return list(
        CascadeItem.objects.filter(
            Q(pk=root_pk, level=CascadeLevel.OBJECTIVE) | Q(root_id=root_pk)
        ).select_related("organization")
    )


def linked_tasks(root_pk: int) -> list[Task]:
    """Every 工作单 pointing into the cascade, with its assignments counted: one query."""
    accepted = Q(assignments__state=AssignmentState.ACCEPTED)
    return list(
        Task.objects.filter(Q(cascade_item_id=root_pk) | Q(cascade_item__root_id=root_pk))
        .select_related("issuer")
        .annotate(
            assignment_total=Count("assignments"),
            assignment_accepted=Count("assignments", filter=accepted),
        )
        .order_by("due_on", "id")
    )


def feedback_for(user, root_pk: int, org_ids: set[int]) -> list[Assignment]:
    """The reader's view of the answers that ``org_ids`` gave to the cascade's 工作单: one query."""
    if not org_ids:
        return []
    return list(
        Assignment.objects.restrict(user, "view")
        .filter(Q(task__cascade_item_id=root_pk) | Q(task__cascade_item__root_id=root_pk))
        .filter(organization_id__in=org_ids)
        .select_related("task", "organization")
        .order_by("task__due_on", "task_id", "organization__path")
    )


def reach(user, items: list[CascadeItem], root: CascadeItem) -> tuple[set[int], set[int]]:
    """Of one cascade's items: those in the user's scope (full), and all those shown to them
    (full, addressed, and the path from the objective down to the full ones). No query."""
    by_id = {item.pk: item for item in items}
    granted = grant(user, VIEW)
    full = {i.pk for i in items if granted.covers(i.organization)}
    shown = set(full) | {i.pk for i in items if _is_addressed(i, root, granted)}
    for pk in full:
        parent_id = by_id[pk].parent_id
        while parent_id and parent_id not in shown:
            shown.add(parent_id)
            parent_id = by_id[parent_id].parent_id if parent_id in by_id else None
    return full, shown


def answering_branches(items: list[CascadeItem]) -> list[Organization]:
    """The active 支部 at or below the 战区 of every task sheet among ``items``, in tree order:
    whose action plans the sheets expect. One query (none without a task sheet)."""
    paths = sorted({i.organization.path for i in items if i.level == CascadeLevel.TASK_SHEET})
    if not paths:
        return []
    under = reduce(or_, (Q(path__startswith=path) for path in paths))
    return list(
        Organization.objects.filter(under, is_active=True, kind__in=ANSWERING_KINDS)
        .only("id", "path", "name")
        .order_by("path")
    )


def cascade_tree(user, root_pk: int, today: dt.date | None = None) -> CascadeTree | None:
    """The tree of one objective as ``user`` may see it, or None when nothing of it reaches
    them. Four queries at any size."""
    today = today or timezone.localdate()
    items = load_items(root_pk)
    by_id = {item.pk: item for item in items}
    root = by_id.get(root_pk)
    if root is None:
        return None
    full, shown = reach(user, items, root)
    if not shown:
        return None
    nodes = {i.pk: Node(item=i, access="full" if i.pk in full else "directive") for i in items}
    _link(items, nodes)
    tasks = linked_tasks(root_pk)
    roll_up(nodes, tasks, answering_branches(items))
    _attach_tasks(nodes, tasks, full)
    owned_orgs = {by_id[pk].organization_id for pk in full}
    _attach_feedback(nodes, by_id, feedback_for(user, root_pk, owned_orgs), full)
    for node in nodes.values():
        item = node.item
        node.overdue = bool(
            item.deadline and item.deadline < today and node.status != CascadeStatus.DONE
        )
        node.child_count = len(node.children)
        node.children = [child for child in node.children if child.item.pk in shown]
    counts = dict.fromkeys(LEVELS, 0)
    for pk in shown:
        counts[by_id[pk].level] += 1
    return CascadeTree(root=nodes[root.pk], nodes={pk: nodes[pk] for pk in shown}, counts=counts)


def settled_node(item: CascadeItem) -> Node:
    """``item`` with its roll-up and settled status over its whole cascade, every child linked
    (for the services' done rule, whoever asks). Two queries."""
    root_pk = item.root_id or item.pk
    items = load_items(root_pk)
    nodes = {i.pk: Node(item=i, access="full") for i in items}
    _link(items, nodes)
    roll_up(nodes, answering=answering_branches(items))
    return nodes[item.pk]


def _link(items, nodes) -> None:
    for item in sorted(items, key=lambda i: (i.organization.path, i.pk)):
        if item.parent_id in nodes:
            nodes[item.parent_id].children.append(nodes[item.pk])


def _depth_first(node: Node):
    for child in node.children:
        yield from _depth_first(child)
    yield node


def roll_up(nodes: dict[int, Node], tasks=(), answering=()) -> None:
    """Progress and settled status of every node, leaves first, over every child (shown or
    not) and every child that should be there and is not. No query."""
    for task in tasks:
        node = nodes.get(task.cascade_item_id)
        if node is not None:
            node.rollup.assignments_total += task.assignment_total
            node.rollup.assignments_accepted += task.assignment_accepted
    tops = [node for node in nodes.values() if node.item.parent_id not in nodes]
    for top in tops:
        for node in _depth_first(top):
            _settle(node, answering)


def _settle(node: Node, answering) -> None:
    item, rollup = node.item, node.rollup
    if item.level == CascadeLevel.ACTION_PLAN:
        done = item.status == CascadeStatus.DONE
        rollup.progress = Fraction(int(done))
        rollup.plans_total, rollup.plans_done = 1, int(done)
        node.status = item.status
        return
    for child in node.children:
        rollup.plans_total += child.rollup.plans_total
        rollup.plans_done += child.rollup.plans_done
        rollup.assignments_total += child.rollup.assignments_total
        rollup.assignments_accepted += child.rollup.assignments_accepted
        rollup.complete += child.rollup.is_complete
    rollup.missing = _missing(node, answering)
    rollup.expected = len(node.children) + len(rollup.missing)
    done = sum((child.rollup.progress for child in node.children), Fraction(0))
    rollup.progress = done / rollup.expected
    node.status = settled_status(
        item.status,
        leaf=False,
        complete=rollup.is_complete,
        started=any(child.status != CascadeStatus.PLANNED for child in node.children),
    )


def _missing(node: Node, answering) -> list[str]:
    """Names of the children ``node`` should have and has not: the 支部 of a task sheet's 战区
    without an action plan; the next level when an item has no child at all."""
    item = node.item
    missing = []
    if item.level == CascadeLevel.TASK_SHEET:
        answered = {child.item.organization_id for child in node.children}
        zone = item.organization.path
        missing = [
            org.name for org in answering if org.path.startswith(zone) and org.pk not in answered
        ]
    if not node.children and not missing:
        missing = [str(CascadeLevel(LEVELS[LEVELS.index(item.level) + 1]).label)]
    return missing


def _attach_tasks(nodes, tasks, full) -> None:
    for task in tasks:
        if task.cascade_item_id in full:
            nodes[task.cascade_item_id].tasks.append(task)


def _attach_feedback(nodes, by_id, assignments, full) -> None:
    """Each answer goes to the reader's items of the answering organization that lie at or
    below the item its 工作单 points to."""
    owned_by_org: dict[int, list[int]] = {}
    for pk in full:
        owned_by_org.setdefault(by_id[pk].organization_id, []).append(pk)
    for assignment in assignments:
        target = assignment.task.cascade_item_id
        for pk in owned_by_org.get(assignment.organization_id, []):
            if _at_or_below(pk, target, by_id):
                nodes[pk].feedback.append(assignment)


def _at_or_below(pk: int, ancestor: int, by_id) -> bool:
    while pk:
        if pk == ancestor:
            return True
        pk = by_id[pk].parent_id if pk in by_id else None
    return False


# --- lists --------------------------------------------------------------------------------


def reachable_roots(user):
    """Objectives the user reaches: those of their own items and those addressed to them."""
    own = CascadeItem.objects.restrict(user, "view").annotate(key=root_key()).values("key")
    addressed = CascadeItem.objects.filter(addressed_q(user)).annotate(key=root_key()).values("key")
    return CascadeItem.objects.filter(level=CascadeLevel.OBJECTIVE).filter(
        Q(pk__in=own) | Q(pk__in=addressed)
    )


def root_summaries(user, roots: list[CascadeItem]) -> None:
    """Set on each root: counts per level of the user's part of its cascade, the settled status
    and the roll-up (the whole cascade's when the objective is in the user's scope, else their
    part's: their top items as if one parent held them), computed as on the tree. Three queries
    for a page of roots."""
    keys = [root.pk for root in roots]
    items = list(
        CascadeItem.objects.filter(
            Q(pk__in=keys, level=CascadeLevel.OBJECTIVE) | Q(root_id__in=keys)
        ).select_related("organization")
    )
    nodes = {i.pk: Node(item=i) for i in items}
    _link(items, nodes)
    roll_up(nodes, answering=answering_branches(items))
    granted = grant(user, VIEW)
    full = {i.pk for i in items if granted.covers(i.organization)}
    per_level: dict[int, dict[str, int]] = {k: dict.fromkeys(LEVELS, 0) for k in keys}
    tops: dict[int, list[Rollup]] = {k: [] for k in keys}
    for item in items:
        if item.pk in full:
            key = item.root_id or item.pk
            per_level[key][item.level] += 1
            if item.parent_id not in full:
                tops[key].append(nodes[item.pk].rollup)
    answers = _answers_per_root(user, keys)
    for root in roots:
        node = nodes[root.pk]
        root.level_counts = [(level, per_level[root.pk][level]) for level in LEVELS[1:]]
        root.in_scope = root.pk in full
        root.rollup = node.rollup if root.in_scope else Rollup.of_part(tops[root.pk])
        if root.rollup is not None:
            total, accepted = answers.get(root.pk, (0, 0))
            root.rollup.assignments_total, root.rollup.assignments_accepted = total, accepted
        root.status = node.status
        root.status_display = node.status_display


def _answers_per_root(user, keys) -> dict[int, tuple[int, int]]:
    """Answers the user may read to each cascade's 工作单: (all, accepted). One query."""
    rows = (
        Assignment.objects.restrict(user, "view")
        .annotate(key=Coalesce("task__cascade_item__root_id", "task__cascade_item_id"))
        .filter(key__in=keys)
        .order_by()
        .values("key")
        .annotate(total=Count("id"), accepted=Count("id", filter=Q(state=AssignmentState.ACCEPTED)))
    )
    return {row["key"]: (row["total"], row["accepted"]) for row in rows}


def awaiting_plans(user):
    """Open task sheets addressed to the user's branches (their 战区's) for which the user can
    write an action plan and has none yet: what 支部主战答题 still has to answer."""
    granted = grant(user, "tasks.add_cascadeitem")
    if granted.everywhere or not granted:
        return CascadeItem.objects.none()
    above = _prefixes(granted.paths) - set(granted.paths)
    mine = CascadeItem.objects.restrict(user, "view").filter(parent=OuterRef("pk"))
    return (
        CascadeItem.objects.filter(level=CascadeLevel.TASK_SHEET, organization__path__in=above)
        .exclude(status=CascadeStatus.DONE)
        .filter(~Exists(mine))
        .select_related("organization")
        .order_by("deadline", "id")
    )
