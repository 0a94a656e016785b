"""Keeping ``ObligationTally`` equal to a fresh count of the obligations (models/tallies.py).

Every write to obligations marks the organizations it touched (``tallies_mark``: the
obligation queryset, ``save`` and ``delete`` call it, and the raw insert of ``generate_year``).
Outside ``tallies_deferred()`` the marked organizations are recounted at once; inside it (bulk
generation) they are recounted once when the block ends, or the whole table is rebuilt when
too many were touched. A recount compares the organization's own counts with the stored ones
and adds the difference to the organization and every ancestor in one upsert, as increments,
so concurrent writers under different organizations never overwrite each other.
"""

from __future__ import annotations

import contextvars
from collections import defaultdict
from contextlib import contextmanager

from django.db import connection, transaction
from django.db.models import Count, F, Q

from bastion.orgs.models import Organization

from ..models import Obligation, ObligationTally

KEY = ("kind", "due_on", "green_from", "yellow_from")
COUNTS = ("open", "done", "late")
# Past this many organizations marked in one deferred block, rebuilding is cheaper.
REBUILD_FROM = 200
BATCH = 2000

_deferred: contextvars.ContextVar[set | None] = contextvars.ContextVar("tallies", default=None)


def _own_counts():
    return {
        "open": Count("id", filter=Q(fulfilled_on__isnull=True)),
        "done": Count("id", filter=Q(fulfilled_on__lte=F("due_on"))),
        "late": Count("id", filter=Q(fulfilled_on__gt=F("due_on"))),
    }


def tallies_mark(organization_ids) -> None:
    """Obligations of these organizations changed: recount them now, or when the deferred
    block ends."""
    ids = {pk for pk in organization_ids if pk is not None}
    if not ids:
        return
    pending = _deferred.get()
    if pending is not None:
        pending.update(ids)
    elif len(ids) > REBUILD_FROM:
        tallies_rebuild()
    else:
        tallies_refresh(ids)


@contextmanager
def tallies_deferred():
    """Collect the organizations marked inside the block; recount them once at its end."""
    if _deferred.get() is not None:  # nested: the outer block recounts
        yield
        return
    pending: set[int] = set()
    token = _deferred.set(pending)
    try:
        yield
    finally:
        _deferred.reset(token)
    if len(pending) > REBUILD_FROM:
        tallies_rebuild()
    elif pending:
        tallies_refresh(pending)


# --- recount -------------------------------------------------------------------------------


def _chunks(items, size=900):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _fresh(active_ids) -> dict[tuple, list[int]]:
    """(organization id, key) → [open, done, late] from the obligations."""
    fresh = {}
    for chunk in _chunks(sorted(active_ids)):
        rows = (
            Obligation.objects.filter(organization_id__in=chunk)
            .order_by()
            .values("organization_id", *KEY)
            .annotate(**_own_counts())
        )
        for row in rows:
            fresh[(row["organization_id"], *(row[k] for k in KEY))] = [row[c] for c in COUNTS]
    return fresh


def _stored(ids) -> dict[tuple, list[int]]:
    stored = {}
    for chunk in _chunks(sorted(ids)):
        rows = ObligationTally.objects.filter(organization_id__in=chunk).values_list(
            "organization_id", *KEY, "own_open", "own_done", "own_late"
        )
        for org_id, *rest in rows:
            stored[(org_id, *rest[:4])] = list(rest[4:])
    return stored


def _chain_ids(paths: set[str]) -> dict[str, int]:
    """path → id of every organization whose path is a prefix of one of ``paths``."""
    step = Organization.steplen
    prefixes = {path[:end] for path in paths for end in range(step, len(path) + 1, step)}
    found = {}
    for chunk in _chunks(sorted(prefixes)):
        found.update(Organization.objects.filter(path__in=chunk).values_list("path", "id"))
    return found


def _ancestry(path: str, ids_by_path: dict[str, int]) -> list[int]:
    step = Organization.steplen
    return [
        ids_by_path[path[:end]]
        for end in range(step, len(path) + 1, step)
        if path[:end] in ids_by_path
    ]


@transaction.atomic
def tallies_refresh(organization_ids, *, gone=()) -> int:
    """Recount the own obligations of these organizations (``gone``: about to be deleted,
    counted as none) and carry the differences up their ancestry. Returns the keys changed."""
    ids = set(organization_ids)
    orgs = list(
        Organization.objects.select_for_update()
        .filter(pk__in=sorted(ids))
        .order_by("pk")
        .values_list("id", "path", "is_active")
    )
    active = {pk for pk, _path, is_active in orgs if is_active and pk not in set(gone)}
    fresh = _fresh(active)
    stored = _stored(ids)
    deltas = {}
    for key in fresh.keys() | stored.keys():
        new, old = fresh.get(key, [0, 0, 0]), stored.get(key, [0, 0, 0])
        if new != old:
            deltas[key] = [n - o for n, o in zip(new, old, strict=True)]
    if not deltas:
        return 0
    paths = {pk: path for pk, path, _active in orgs}
    ids_by_path = _chain_ids(set(paths.values()))
    increments: dict[tuple, list[int]] = defaultdict(lambda: [0] * 6)
    for (org_id, *key), delta in deltas.items():
        own = increments[(org_id, *key)]
        for i, d in enumerate(delta):
            own[i] += d
        for ancestor in _ancestry(paths[org_id], ids_by_path):
            sub = increments[(ancestor, *key)]
            for i, d in enumerate(delta):
                sub[3 + i] += d
    _upsert(increments)
    touched = {org_id for org_id, *_key in increments}
    _drop_empty(touched)
    return len(deltas)


def tallies_shift(subtree_root: Organization, *, old_parent: Organization) -> None:
    """After ``subtree_root`` moved from under ``old_parent``: its subtree's counts leave the
    old ancestry and join the new one (neither chain's ids change with the move)."""
    rows = ObligationTally.objects.filter(organization=subtree_root).values_list(
        *KEY, "sub_open", "sub_done", "sub_late"
    )
    counts = {tuple(row[:4]): list(row[4:]) for row in rows}
    if not counts:
        return
    old_parent.refresh_from_db(fields=["path"])
    subtree_root.refresh_from_db(fields=["path"])
    new_parent_path = subtree_root.path[: -Organization.steplen]
    ids_by_path = _chain_ids({old_parent.path, new_parent_path})
    increments: dict[tuple, list[int]] = defaultdict(lambda: [0] * 6)
    for sign, path in ((-1, old_parent.path), (1, new_parent_path)):
        for ancestor in _ancestry(path, ids_by_path):
            for key, values in counts.items():
                sub = increments[(ancestor, *key)]
                for i, value in enumerate(values):
                    sub[3 + i] += sign * value
    _upsert(increments)
    _drop_empty({org_id for org_id, *_key in increments})


def _upsert(increments: dict[tuple, list[int]], *, ordered: bool = True) -> None:
    """Add the increments to the stored rows (a new key starts from zero). ``ordered``: in
    key order, so that concurrent writers on PostgreSQL lock rows in one order (no deadlock)."""
    ops = connection.ops
    quote = ops.quote_name
    table = quote(ObligationTally._meta.db_table)
    values = ["own_open", "own_done", "own_late", "sub_open", "sub_done", "sub_late"]
    columns = ["organization_id", *KEY, *values]
    unique = ["organization_id", "due_on", "kind", "green_from", "yellow_from"]
    sql = "INSERT INTO {t} ({c}) VALUES ({p}) ON CONFLICT ({u}) DO UPDATE SET {s}".format(
        t=table,
        c=", ".join(quote(c) for c in columns),
        p=", ".join(["%s"] * len(columns)),
        u=", ".join(quote(c) for c in unique),
        s=", ".join(f"{quote(v)} = {table}.{quote(v)} + excluded.{quote(v)}" for v in values),
    )
    day = ops.adapt_datefield_value
    items = increments.items()
    if ordered:
        items = sorted(items, key=lambda item: (item[0][0], str(item[0][1:])))
    params = [
        (org_id, kind, day(due_on), day(green_from), day(yellow_from), *counts)
        for (org_id, kind, due_on, green_from, yellow_from), counts in items
        if any(counts)
    ]
    with connection.cursor() as cursor:
        for start in range(0, len(params), BATCH):
            cursor.executemany(sql, params[start : start + BATCH])


def _drop_empty(organization_ids) -> None:
    zero = {f"{side}_{count}": 0 for side in ("own", "sub") for count in COUNTS}
    for chunk in _chunks(sorted(organization_ids)):
        ObligationTally.objects.filter(organization_id__in=chunk, **zero).delete()


# --- rebuild (the kernel's aggregate registry) ---------------------------------------------


@transaction.atomic
def tallies_rebuild() -> dict:
    """Recount every tally from the obligations: after a bulk load, a restore, or drift."""
    paths = dict(Organization.objects.values_list("id", "path"))
    ids_by_path = {path: pk for pk, path in paths.items()}
    rows = (
        Obligation.objects.filter(organization__is_active=True)
        .order_by()
        .values_list("organization_id", *KEY)
        .annotate(**_own_counts())
    )
    totals: dict[tuple, list[int]] = defaultdict(lambda: [0] * 6)
    for org_id, kind, due_on, green_from, yellow_from, *counts in rows:
        key = (kind, due_on, green_from, yellow_from)
        own = totals[(org_id, *key)]
        own[0] += counts[0]
        own[1] += counts[1]
        own[2] += counts[2]
        for ancestor in _ancestry(paths[org_id], ids_by_path):
            sub = totals[(ancestor, *key)]
            sub[3] += counts[0]
            sub[4] += counts[1]
            sub[5] += counts[2]
    ObligationTally.objects.all().delete()
    _upsert(totals, ordered=False)  # into an empty table: plain inserts, no instances built
    return {"obligation_tallies": len(totals)}
