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

Costs: the tree is one query, linked tasks with their assignment counts one more, the feedback of
the reader's organizations one more — at any size. Roll-up is summed in Python from those rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from bastion.core.scope import Grant, allows, grant
from bastion.orgs.models import Organization

from .models import AssignmentState, CascadeItem, CascadeLevel, CascadeStatus, Task
from .models.assignment import Assignment

VIEW = "tasks.view_cascadeitem"
LEVELS = [c.value for c in CascadeLevel]


@dataclass
class Rollup:
    """Work below an item: action plans done of all, assignments accepted of all."""

    plans_total: int = 0
    plans_done: int = 0
    assignments_total: int = 0
    assignments_accepted: int = 0

    def add(self, other: Rollup) -> None:
        self.plans_total += other.plans_total
        self.plans_done += other.plans_done
        self.assignments_total += other.assignments_total
        self.assignments_accepted += other.assignments_accepted

    @property
    def units(self) -> int:
        return self.plans_total + self.assignments_total

    @property
    def percent(self) -> int | None:
        """Action plans done and answers accepted, over all of them (None when there is none)."""
        if not self.units:
            return None
        return round(100 * (self.plans_done + self.assignments_accepted) / self.units)


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


def cascade_tree(user, root_pk: int, today: dt.date | None = None) -> CascadeTree | None:
    """The tree of one objective as ``user`` may see it, or None when nothing of it reaches
    them. Three queries at any size."""
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
    _roll_up(items, nodes, tasks)
    _attach_tasks(nodes, tasks, full)
    owned_orgs = {by_id[pk].organization_id for pk in full}
    _attach_feedback(nodes, by_id, feedback_for(user, root_pk, owned_orgs), full)
    for node in nodes.values():
        item = node.item
        node.overdue = bool(
            item.deadline and item.deadline < today and item.status != CascadeStatus.DONE
        )
        node.child_count = len(node.children)
        node.children = [child for child in node.children if child.item.pk in shown]
    counts = dict.fromkeys(LEVELS, 0)
    for pk in shown:
        counts[by_id[pk].level] += 1
    return CascadeTree(root=nodes[root.pk], nodes={pk: nodes[pk] for pk in shown}, counts=counts)


def _link(items, nodes) -> None:
    for item in sorted(items, key=lambda i: (i.organization.path, i.pk)):
        if item.parent_id in nodes:
            nodes[item.parent_id].children.append(nodes[item.pk])


def _depth_first(node: Node):
    for child in node.children:
        yield from _depth_first(child)
    yield node


def _roll_up(items, nodes, tasks) -> None:
    """Leaves first: an action plan counts itself; every item adds its children and its tasks."""
    for task in tasks:
        node = nodes.get(task.cascade_item_id)
        if node is not None:
            node.rollup.assignments_total += task.assignment_total
            node.rollup.assignments_accepted += task.assignment_accepted
    for item in items:
        if item.level == CascadeLevel.ACTION_PLAN:
            rollup = nodes[item.pk].rollup
            rollup.plans_total += 1
            rollup.plans_done += item.status == CascadeStatus.DONE
    roots = [node for node in nodes.values() if node.item.parent_id not in nodes]
    for top in roots:
        for node in _depth_first(top):
            for child in node.children:
                node.rollup.add(child.rollup)


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
    """Counts per level, roll-up progress and accepted answers of the user's part of each
    objective's cascade, set on each root: two queries for a page of roots."""
    keys = [root.pk for root in roots]
    per_level: dict[int, dict[str, int]] = {k: dict.fromkeys(LEVELS, 0) for k in keys}
    rollups = {k: Rollup() for k in keys}
    rows = (
        CascadeItem.objects.restrict(user, "view")
        .annotate(key=root_key())
        .filter(key__in=keys)
        .order_by()
        .values("key", "level")
        .annotate(n=Count("id"), done=Count("id", filter=Q(status=CascadeStatus.DONE)))
    )
    for row in rows:
        per_level[row["key"]][row["level"]] = row["n"]
        if row["level"] == CascadeLevel.ACTION_PLAN:
            rollups[row["key"]].plans_total += row["n"]
            rollups[row["key"]].plans_done += row["done"]
    answers = (
        Assignment.objects.restrict(user, "view")
        .annotate(key=Coalesce("task__cascade_item__root_id", "task__cascade_item_id"))
        .filter(key__in=keys)
        .order_by()
        .values("key")
        .annotate(total=Count("id"), accepted=Count("id", filter=Q(state=AssignmentState.ACCEPTED)))
    )
    for row in answers:
        rollups[row["key"]].assignments_total += row["total"]
        rollups[row["key"]].assignments_accepted += row["accepted"]
    for root in roots:
        root.level_counts = [(level, per_level[root.pk][level]) for level in LEVELS[1:]]
        root.rollup = rollups[root.pk]
        root.in_scope = allows(user, VIEW, root.organization)


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
