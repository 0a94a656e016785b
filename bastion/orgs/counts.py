"""Keeping the head counts per subtree (``SubtreeCount``) in line with the people.

A person counts once on every node from their organization up to the root. A write shifts those
rows by the difference it makes — a person added (+1), removed (−1), moved (−1 on the old way
up, +1 on the new one; the common ancestors net to nothing), a subtree moved (its total off the
old parent's way up, onto the new one's) — with ``UPDATE … SET people = people + n``, so writers
running at once never lose each other's changes. What bypasses these (a bulk load, a restore)
calls ``member_counts_rebuild``, which the kernel's aggregate registry runs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count, F, Q

from .models import Organization, Person, SubtreeCount
from .models.person import MembershipStatus

CHUNK = 500
Delta = tuple[int, int]  # (people, members)


def _chunks(items: list, size: int = CHUNK) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _ancestor_paths(path: str) -> list[str]:
    step = Organization.steplen
    return [path[: step * depth] for depth in range(1, len(path) // step + 1)]


def is_member(membership_status: str) -> bool:
    return membership_status != MembershipStatus.NONE


def counts_shift(deltas: dict[int, Delta]) -> None:
    """Add ``(people, members)`` to each organization's row and to all its ancestors' rows."""
    deltas = {pk: d for pk, d in deltas.items() if d != (0, 0)}
    if not deltas:
        return
    paths = {}
    for chunk in _chunks(list(deltas)):
        paths.update(Organization.objects.filter(pk__in=chunk).values_list("pk", "path"))
    by_path: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for pk, (people, members) in deltas.items():
        for ancestor in _ancestor_paths(paths.get(pk, "")):
            by_path[ancestor][0] += people
            by_path[ancestor][1] += members
    changed = [path for path, delta in by_path.items() if delta != [0, 0]]
    ids = {}
    for chunk in _chunks(changed):
        ids.update(Organization.objects.filter(path__in=chunk).values_list("path", "pk"))
    SubtreeCount.objects.bulk_create(
        [SubtreeCount(organization_id=pk) for pk in ids.values()],
        batch_size=CHUNK,
        ignore_conflicts=True,  # a node created since the last rebuild has no row yet
    )
    by_delta: dict[Delta, list[int]] = defaultdict(list)
    for path in changed:
        by_delta[tuple(by_path[path])].append(ids[path])
    for (people, members), pks in by_delta.items():
        for chunk in _chunks(pks):
            SubtreeCount.objects.filter(pk__in=chunk).update(
                people=F("people") + people, members=F("members") + members
            )


def person_counted(before: tuple[int, str] | None, after: tuple[int, str] | None) -> None:
    """One person went from ``before`` to ``after``, each ``(organization id, membership
    status)`` or None (not there)."""
    people_counted([(before, after)])


def people_counted(changes: Iterable[tuple[tuple[int, str] | None, tuple[int, str] | None]]):
    """Many people at once (an import): the same as ``person_counted`` for each, in a few
    statements."""
    deltas: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for before, after in changes:
        for state, sign in ((before, -1), (after, 1)):
            if state is not None:
                org_id, status = state
                deltas[org_id][0] += sign
                deltas[org_id][1] += sign if is_member(status) else 0
    counts_shift({pk: tuple(d) for pk, d in deltas.items()})


def subtree_moved(*, organization: Organization, old_parent_id: int, new_parent_id: int) -> None:
    """A whole subtree changed parent: its total leaves the old way up and joins the new one."""
    row = SubtreeCount.objects.filter(organization=organization).values("people", "members")
    total = row.first() or {"people": 0, "members": 0}
    people, members = total["people"], total["members"]
    counts_shift({old_parent_id: (-people, -members)})
    counts_shift({new_parent_id: (people, members)})


def fresh_counts() -> dict[int, Delta]:
    """Every organization's subtree counts, computed from the people (two queries)."""
    own = (
        Person.objects.order_by()
        .values("organization_id")
        .annotate(
            people=Count("id"),
            members=Count("id", filter=~Q(membership_status=MembershipStatus.NONE)),
        )
    )
    paths = dict(Organization.objects.order_by().values_list("pk", "path"))
    by_path: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row in own:
        for ancestor in _ancestor_paths(paths[row["organization_id"]]):
            by_path[ancestor][0] += row["people"]
            by_path[ancestor][1] += row["members"]
    return {pk: tuple(by_path.get(path, (0, 0))) for pk, path in paths.items()}


@transaction.atomic
def member_counts_rebuild() -> dict:
    """Recompute every row from the people (the aggregate registry's rebuilder)."""
    counts = fresh_counts()
    SubtreeCount.objects.all().delete()
    SubtreeCount.objects.bulk_create(
        [SubtreeCount(organization_id=pk, people=p, members=m) for pk, (p, m) in counts.items()],
        batch_size=1000,
    )
    roots = Organization.objects.filter(depth=1).values_list("pk", flat=True)
    return {
        "organizations": len(counts),
        "people": sum(counts[pk][0] for pk in roots),
    }
