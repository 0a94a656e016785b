"""Who must act: the people holding a permission over organizations, for messages.

Core knows no domain app: the organization app registers the function that lists role grants
(``register_holder_provider``, in its AppConfig.ready), the way it registers the scope door's
grant provider. A provider answers ``provider(permission, paths=None, under=None)`` with the
pairs ``(user_id, organization path)`` of active users holding ``permission`` through a role on
one of ``paths`` (exactly), or anywhere in the subtree of ``under``.

``holders_by_target(permission, targets, below=...)`` is the question senders ask: for each
target path, the users whose grant covers it (a role on the target or on an ancestor). With
``below``, only grants strictly below that node count: the sender's own side (the issuer of a
task, the committee that escalates) is never told of its own action. ``nearest_holders`` asks
for the nearest level only: the people who act for an organization, not everyone above it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable

HolderProvider = Callable[..., Iterable[tuple[int, str]]]
_provider: HolderProvider | None = None
_steplen = 4  # the length of one level of the materialized path
CHUNK = 500


def register_holder_provider(provider: HolderProvider, *, steplen: int) -> None:
    global _provider, _steplen
    _provider, _steplen = provider, steplen


def holders_by_target(
    permission: str, targets: Iterable[str], *, below: str | None = None
) -> dict[str, set[int]]:
    """``{target path: {user ids}}`` for every target path; two queries whatever the count."""
    steplen = _steplen
    targets = sorted(set(targets))
    if below is not None:
        targets = [t for t in targets if t.startswith(below) and t != below]
    if _provider is None or not targets:
        return {t: set() for t in targets}
    users_at: dict[str, set[int]] = defaultdict(set)
    for user_id, path in _grants(permission, targets, below, steplen):
        users_at[path].add(user_id)
    start = len(below) + steplen if below is not None else steplen
    result = {}
    for target in targets:
        users: set[int] = set()
        for end in range(start, len(target) + 1, steplen):
            users |= users_at.get(target[:end], set())
        result[target] = users
    return result


def targets_by_holder(
    permission: str, targets: Iterable[str], *, below: str | None = None
) -> dict[int, list[str]]:
    """The same grants the other way round: ``{user id: [target paths they answer for]}``,
    each list in path order. One message per person lists all their targets."""
    result: dict[int, list[str]] = defaultdict(list)
    for target, users in holders_by_target(permission, targets, below=below).items():
        for user_id in users:
            result[user_id].append(target)
    return dict(result)


def nearest_holders(permission: str, targets: Iterable[str]) -> dict[str, set[int]]:
    """``{target path: {user ids}}`` holding ``permission`` through a role on the nearest
    organization at or above the target where anyone holds it: a branch's own secretaries when
    it has some, else the committee above it, and so on up. Two queries whatever the count."""
    steplen = _steplen
    targets = sorted(set(targets))
    if _provider is None or not targets:
        return {t: set() for t in targets}
    users_at: dict[str, set[int]] = defaultdict(set)
    for user_id, path in _grants(permission, targets, None, steplen):
        users_at[path].add(user_id)
    result = {}
    for target in targets:
        levels = (target[:end] for end in range(len(target), 0, -steplen))
        nearest = next((level for level in levels if level in users_at), None)
        result[target] = set(users_at[nearest]) if nearest else set()
    return result


def _grants(permission: str, targets: list[str], below: str | None, steplen: int):
    if below is not None:  # one subtree condition instead of a long list of paths
        return list(_provider(permission, under=below))
    ancestors = sorted({t[:end] for t in targets for end in range(steplen, len(t) + 1, steplen)})
    grants: list[tuple[int, str]] = []
    for index in range(0, len(ancestors), CHUNK):
        grants.extend(_provider(permission, paths=ancestors[index : index + CHUNK]))
    return grants
