"""Scoring progress of a round: who has been scored by whom, what is missing, who owes it.

What counts as missing:

- Only ``scored`` indicators count: bonus, deduction and veto items are optional, computed items
  come from data. An evaluator group of ``round.snapshot["groups"]`` counts when it scores at
  least one scored item (``scorable_items`` filtered to kind ``scored``).
- Per target and counted group, ``submitted`` is the number of distinct evaluators with a score
  of that group's scored items on the target, and ``expected`` is:
  - ``self``: 1 — a member target's own account (0 when the person has none), an organization
    target's own secretary;
  - ``peers`` on a member target: the other members (full or probationary, with an active
    account) of the target's organization; arena rounds only have targets for members who
    submitted a key event, so only those are expected to be rated;
  - ``peers`` on an organization target, ``higher``, ``business``, ``public``: 1 (at least one
    evaluator of that group).
- A (target, group) pair is missing while ``submitted < expected``. Progress caps each pair's
  submitted count at its expected count, so extra evaluators never push a group past 100 %.

Who owes a missing score (``owing``), as the scoring rules of ``services.scores`` read the tree:
self → the member's account, or the users with a ``score_as_committee`` grant exactly on the
target organization (its secretary); peers on members → the co-members who have not rated
yet; higher and public → ``score_as_committee`` grants on the parent organization
(organization targets) or on the target's own organization (member targets); business →
``score_as_business`` grants (of roles that do not score as committee) on the target
organization or an ancestor. Peers on organization targets are not named: any
sibling organization may answer.

Every function costs a fixed number of queries whatever the number of targets.
"""

from __future__ import annotations

from collections import defaultdict
from functools import reduce
from operator import or_

from django.contrib.auth import get_user_model
from django.db.models import Count, Q

from bastion.core.scope import subtree_q
from bastion.orgs.models import Organization, Person, Role, RoleAssignment
from bastion.orgs.models.person import MembershipStatus

from .models import EvaluatorKind, IndicatorKind, Round, Score, Target
from .selectors_scoring import AS_BUSINESS, AS_COMMITTEE, SCORE, scorable_items

MEMBER_STATUSES = [MembershipStatus.FULL, MembershipStatus.PROBATIONARY]
SELF, PEERS = EvaluatorKind.SELF.value, EvaluatorKind.PEERS.value
HIGHER, BUSINESS, PUBLIC = (
    EvaluatorKind.HIGHER.value,
    EvaluatorKind.BUSINESS.value,
    EvaluatorKind.PUBLIC.value,
)
MANY_IDS = 500  # beyond this many ids, filter by the round's subtree instead of an IN list
TARGET_FIELDS = (
    "pk",
    "organization_id",
    "organization__path",
    "organization__name",
    "organization__short_name",
    "person_id",
    "person__name",
    "person__user",
    "person__user__is_active",
    "person__organization_id",
    "person__membership_status",
)


def group_label(kind: str, fallback: str = "") -> str:
    try:
        return str(EvaluatorKind(kind).label)
    except ValueError:
        return fallback or kind


def scored_groups(round_: Round) -> list[dict]:
    """The evaluator groups with at least one scored item: ``{kind, name, codes}``."""
    groups = []
    for group in round_.snapshot.get("groups", []):
        codes = [
            item["code"]
            for item in scorable_items(round_, group["kind"])
            if item["kind"] == IndicatorKind.SCORED
        ]
        if codes:
            name = group_label(group["kind"], group.get("name", ""))
            groups.append({"kind": group["kind"], "name": name, "codes": codes})
    return groups


def round_targets(round_: Round, targets=None):
    """``targets`` narrowed to the round (all of the round's targets when None)."""
    queryset = Target.objects.all() if targets is None else targets
    return queryset.filter(round=round_)


def _target_rows(targets) -> list[dict]:
    rows = targets.order_by("organization__path", "person__name", "pk").values(*TARGET_FIELDS)
    return list(rows)


def _own_user(row: dict) -> int | None:
    """The target person's account, when it can log in."""
    return row["person__user"] if row["person__user__is_active"] else None


def _submitted(round_: Round, groups: list[dict], targets) -> dict[tuple[int, str], int]:
    condition = reduce(or_, (Q(group=g["kind"], indicator__in=g["codes"]) for g in groups))
    rows = (
        Score.objects.filter(round=round_, target__in=targets.values("pk"))
        .filter(condition)
        .values("target_id", "group")
        .annotate(n=Count("evaluator", distinct=True))
        .values_list("target_id", "group", "n")
    )
    return {(target_id, group): n for target_id, group, n in rows}


def _members_q() -> Q:
    return Q(membership_status__in=MEMBER_STATUSES, user__isnull=False, user__is_active=True)


def _co_member_counts(round_: Round) -> dict[int, int]:
    """Members with an active account per organization of the round's subtree: one query."""
    rows = (
        Person.objects.filter(subtree_q("organization__path", round_.organization.path))
        .filter(_members_q())
        .values("organization_id")
        .annotate(n=Count("id"))
        .values_list("organization_id", "n")
    )
    return dict(rows)


def _expected(kind: str, row: dict, co_members: dict[int, int]) -> int:
    if row["person_id"] is None:
        return 1
    if kind == SELF:
        return 1 if _own_user(row) else 0
    if kind == PEERS:
        counted = (
            _own_user(row)
            and row["person__organization_id"] == row["organization_id"]
            and row["person__membership_status"] in MEMBER_STATUSES
        )
        return max(co_members.get(row["organization_id"], 0) - (1 if counted else 0), 0)
    return 1


def _ledger(round_: Round, targets=None) -> tuple[list[dict], list[dict]]:
    """(counted groups, target rows each with ``cells``: {group: (expected, submitted)})."""
    groups = scored_groups(round_)
    targets = round_targets(round_, targets)
    rows = _target_rows(targets)
    if not groups or not rows:
        return groups, rows
    submitted = _submitted(round_, groups, targets)
    needs_members = any(g["kind"] == PEERS for g in groups) and any(r["person_id"] for r in rows)
    co_members = _co_member_counts(round_) if needs_members else {}
    kinds = [g["kind"] for g in groups]
    for row in rows:
        row["cells"] = {
            kind: (_expected(kind, row, co_members), submitted.get((row["pk"], kind), 0))
            for kind in kinds
        }
    return groups, rows


def progress(round_: Round, targets=None) -> list[dict]:
    """Per counted group: ``{group, name, expected, submitted, percent}`` (percent None when
    nothing is expected)."""
    groups, rows = _ledger(round_, targets)
    result = []
    for group in groups:
        cells = [row["cells"][group["kind"]] for row in rows]
        expected = sum(e for e, _s in cells)
        submitted = sum(min(e, s) for e, s in cells)
        percent = round(100 * submitted / expected) if expected else None
        result.append(
            {
                "group": group["kind"],
                "name": group["name"],
                "expected": expected,
                "submitted": submitted,
                "percent": percent,
            }
        )
    return result


def compute_summary(round_: Round, targets=None) -> dict:
    """What computing the round now would leave out, for the confirmation: ``targets`` (how
    many), ``missing_scores`` (scores still owed, summed over groups), ``missing_targets``
    (targets owed at least one) and ``groups`` (``{group, name, missing}`` per counted group)."""
    groups, rows = _ledger(round_, targets)
    owed_targets: set[int] = set()
    per_group = []
    for group in groups:
        owed = 0
        for row in rows:
            expected, submitted = row["cells"][group["kind"]]
            if submitted < expected:
                owed += expected - submitted
                owed_targets.add(row["pk"])
        per_group.append({"group": group["kind"], "name": group["name"], "missing": owed})
    return {
        "targets": len(rows),
        "missing_scores": sum(g["missing"] for g in per_group),
        "missing_targets": len(owed_targets),
        "groups": per_group,
    }


def missing(round_: Round, group: str | None = None, targets=None) -> list[dict]:
    """The (target, group) pairs still owed a score, in tree order."""
    groups, rows = _ledger(round_, targets)
    result = []
    for row in rows:
        for g in groups:
            if group and g["kind"] != group:
                continue
            expected, submitted = row["cells"][g["kind"]]
            if submitted < expected:
                result.append(_missing_row(row, g, expected, submitted))
    return result


def _missing_row(row: dict, group: dict, expected: int, submitted: int) -> dict:
    org_name = row["organization__short_name"] or row["organization__name"]
    return {
        "target_id": row["pk"],
        "label": row["person__name"] or org_name,
        "organization": org_name,
        "organization_id": row["organization_id"],
        "path": row["organization__path"],
        "person_id": row["person_id"],
        "user_id": _own_user(row),
        "group": group["kind"],
        "group_name": group["name"],
        "codes": group["codes"],
        "expected": expected,
        "submitted": submitted,
    }


# Who owes ---------------------------------------------------------------------------------


def _roles_by_permission() -> dict[str, set[int]]:
    wanted = (SCORE, AS_COMMITTEE, AS_BUSINESS)
    found: dict[str, set[int]] = {p: set() for p in wanted}
    for role in Role.objects.only("id", "permissions"):
        for permission in wanted:
            if permission in (role.permissions or ()):
                found[permission].add(role.pk)
    # Committees hold the business permission only to grant the business role; they score as
    # the committee (services.scores), so a business score is owed by business roles alone.
    found[AS_BUSINESS] -= found[AS_COMMITTEE]
    return found


def _ancestor_paths(path: str) -> list[str]:
    step = Organization.steplen
    return [path[:end] for end in range(step, len(path) + 1, step)]


def _grants(round_: Round) -> dict[str, dict[str, set[int]]]:
    """permission → organization path → active users holding it exactly there; grants in the
    round's subtree and on its ancestors, in one query."""
    roles = _roles_by_permission()
    role_ids = set().union(*roles.values())
    root = round_.organization.path
    rows = (
        RoleAssignment.objects.filter(role_id__in=role_ids, user__is_active=True)
        .filter(
            subtree_q("organization__path", root) | Q(organization__path__in=_ancestor_paths(root))
        )
        .values_list("user_id", "role_id", "organization__path")
    )
    found: dict[str, dict[str, set[int]]] = {p: defaultdict(set) for p in roles}
    for user_id, role_id, path in rows:
        for permission, ids in roles.items():
            if role_id in ids:
                found[permission][path].add(user_id)
    return found


def _peer_facts(round_: Round, rows: list[dict]) -> tuple[dict, dict]:
    """(org id → member user ids, target id → user ids who rated as peers) for peer rows."""
    peer_rows = [r for r in rows if r["group"] == PEERS and r["person_id"]]
    if not peer_rows:
        return {}, {}
    org_ids = {r["organization_id"] for r in peer_rows}
    target_ids = {r["target_id"] for r in peer_rows}
    people = Person.objects.filter(_members_q())
    scores = Score.objects.filter(round=round_, group=PEERS, indicator__in=peer_rows[0]["codes"])
    if len(org_ids) > MANY_IDS:
        people = people.filter(subtree_q("organization__path", round_.organization.path))
    else:
        people = people.filter(organization_id__in=org_ids)
    if len(target_ids) <= MANY_IDS:
        scores = scores.filter(target_id__in=target_ids)
    members: dict[int, set[int]] = defaultdict(set)
    for org_id, user_id in people.values_list("organization_id", "user_id"):
        members[org_id].add(user_id)
    rated: dict[int, set[int]] = defaultdict(set)
    for target_id, user_id in scores.values_list("target_id", "evaluator_id").distinct():
        rated[target_id].add(user_id)
    return members, rated


def owing(round_: Round, rows: list[dict]) -> dict[tuple[int, str], set[int]]:
    """(target id, group) → the user ids who owe that missing score (see the module notes)."""
    if not rows:
        return {}
    grants = _grants(round_)
    members, rated = _peer_facts(round_, rows)
    result = {}
    for row in rows:
        users = _owers(row, grants, members, rated)
        if row["group"] != SELF:
            users.discard(row["user_id"])  # nobody scores their own target but as self
        result[(row["target_id"], row["group"])] = users
    return result


def _owers(row: dict, grants, members, rated) -> set[int]:
    kind, path, is_member = row["group"], row["path"], bool(row["person_id"])
    if kind == SELF:
        if is_member:
            return {row["user_id"]} if row["user_id"] else set()
        return set(grants[AS_COMMITTEE].get(path, ()))
    if kind == PEERS:
        if not is_member:
            return set()
        return members.get(row["organization_id"], set()) - rated.get(row["target_id"], set())
    if kind in (HIGHER, PUBLIC):
        where = path if is_member else path[: -Organization.steplen]
        return set(grants[AS_COMMITTEE].get(where, ()))
    if kind == BUSINESS:
        found: set[int] = set()
        for ancestor in _ancestor_paths(path):
            found |= grants[AS_BUSINESS].get(ancestor, set())
        return found
    return set()


def user_accounts(user_ids) -> dict:
    """The accounts by id, with their person and organization, to be shown by name."""
    accounts = get_user_model().objects.filter(pk__in=set(user_ids))
    return {account.pk: account for account in accounts.select_related("person__organization")}


def with_owers(round_: Round, rows: list[dict]) -> list[dict]:
    """Add ``owers`` (the accounts, by name) and ``owed_by`` (their names) to each row; for a
    page of rows, a fixed cost."""
    owed = owing(round_, rows)
    accounts = user_accounts(set().union(*owed.values()) if owed else ())
    for row in rows:
        users = owed.get((row["target_id"], row["group"]), set())
        owers = [accounts[u] for u in users if u in accounts]
        row["owers"] = sorted(owers, key=lambda account: (account.display_name, account.pk))
        row["owed_by"] = [account.display_name for account in row["owers"]]
        row["named"] = not (row["group"] == PEERS and not row["person_id"])
    return rows
