"""Reads that take more than one query: the tree with its counts, a node's breadcrumb."""

from __future__ import annotations

from django.db.models import Count, Q
from django.db.models.functions import Substr

from bastion.core.history import Dependents, organization_dependents
from bastion.core.scope import allows, grant, subtree_q

from .models import CommitteeMember, Organization, Person, Role, RoleAssignment
from .models.person import MembershipStatus


def subtree_counts(parent_path: str, child_depth: int) -> dict[str, dict[str, int]]:
    """People and party members in each child subtree of ``parent_path``, in one query.

    Every person below the parent belongs to the child whose path is the first
    ``child_depth * steplen`` characters of their organization's path; grouping by that prefix
    lets the database do the sums at any depth.
    """
    prefix_len = child_depth * Organization.steplen
    rows = (
        Person.objects.filter(subtree_q("organization__path", parent_path))
        .annotate(prefix=Substr("organization__path", 1, prefix_len))
        .values("prefix")
        .annotate(
            people=Count("id"),
            members=Count("id", filter=~Q(membership_status=MembershipStatus.NONE)),
        )
    )
    return {row["prefix"]: {"people": row["people"], "members": row["members"]} for row in rows}


def node_counts(org: Organization) -> dict[str, int]:
    return Person.objects.filter(subtree_q("organization__path", org.path)).aggregate(
        people=Count("id"),
        members=Count("id", filter=~Q(membership_status=MembershipStatus.NONE)),
    )


def children_with_counts(parent: Organization, visible) -> list[Organization]:
    """The visible children of ``parent``, each with ``people``, ``members`` and ``secretary``."""
    children = list(visible.filter(subtree_q("path", parent.path), depth=parent.depth + 1))
    return annotate_nodes(children, parent.path, parent.depth + 1)


def annotate_nodes(nodes: list[Organization], parent_path: str, depth: int):
    counts = subtree_counts(parent_path, depth)
    secretaries = secretaries_of([n.pk for n in nodes])
    for node in nodes:
        found = counts.get(node.path, {})
        node.people_count = found.get("people", 0)
        node.member_count = found.get("members", 0)
        node.secretary = secretaries.get(node.pk)
    return nodes


def scope_roots(user) -> list[Organization]:
    """The top nodes of a user's scope: the nodes their view grants are held on."""
    held = grant(user, "orgs.view_organization")
    if held.everywhere:
        return list(Organization.objects.filter(depth=1).order_by("path"))
    return list(Organization.objects.filter(path__in=held.paths).order_by("path"))


def secretaries_of(org_ids: list[int]) -> dict[int, Person]:
    seats = CommitteeMember.objects.filter(
        organization_id__in=org_ids, position="secretary"
    ).select_related("person")
    return {seat.organization_id: seat.person for seat in seats}


def breadcrumb(org: Organization, visible) -> list[Organization]:
    """Ancestors of ``org`` the user may see, top first, then ``org`` itself: one query."""
    step = Organization.steplen
    paths = [org.path[: step * i] for i in range(1, org.depth)]
    return list(visible.filter(path__in=paths).order_by("depth")) + [org]


def annotate_roots(roots: list[Organization]) -> list[Organization]:
    """Counts and secretary for the scope's top nodes (one per role grant, not per row)."""
    secretaries = secretaries_of([root.pk for root in roots])
    for root in roots:
        counts = node_counts(root)
        root.people_count = counts["people"]
        root.member_count = counts["members"]
        root.secretary = secretaries.get(root.pk)
    return roots


def nearby_choices(
    user, selected: Organization | None, permission: str | None = None
) -> list[Organization]:
    """A short organization list for pickers: the scope's top nodes, their children, the
    selected node and its children. A province has 3,000 nodes; nobody scrolls through them.
    With ``permission``, only the nodes where ``user`` holds it."""
    roots = scope_roots(user)
    anchors = [*roots, selected] if selected else roots
    condition = Q(pk__in=[node.pk for node in anchors])
    for node in anchors:
        condition |= subtree_q("path", node.path) & Q(depth=node.depth + 1)
    visible = Organization.objects.restrict(user, "view")
    if permission is not None:
        visible = visible.permitted(user, permission)
    return list(visible.filter(condition).order_by("path"))


def default_organization(user, permission: str, current: Organization | None = None):
    """The organization a page opens on: the switcher's ``current`` node when ``permission``
    covers it, else the top of the grant (the shallowest node); None without any grant."""
    held = grant(user, permission)
    if current and held.covers(current):
        return current
    if not held:
        return None
    return Organization.objects.permitted(user, permission).order_by("depth", "path").first()


ADMINISTER = "orgs.add_roleassignment"


def keeps_root_administrable(*, without_user=None, without_assignment=None) -> bool:
    """False when taking ``without_user`` (deactivated) or ``without_assignment`` (revoked) away
    would leave a top-level organization that no active account can grant roles on any more.

    Superusers do not count: a tree only a developer account can administer is already lost to
    the company. Only roots the change touches are checked."""
    from .models import RoleAssignment

    rows = RoleAssignment.objects.filter(organization__depth=1, user__is_active=True).values_list(
        "pk", "user_id", "organization_id", "role__permissions"
    )
    administering = [(pk, user, root) for pk, user, root, perms in rows if ADMINISTER in perms]
    if without_assignment is not None:
        touched = {root for pk, _u, root in administering if pk == without_assignment.pk}
        left = [(pk, u, root) for pk, u, root in administering if pk != without_assignment.pk]
    elif without_user is not None:
        touched = {root for _pk, u, root in administering if u == without_user.pk}
        left = [(pk, u, root) for pk, u, root in administering if u != without_user.pk]
    else:
        return True
    still = {root for _pk, _u, root in left}
    return touched <= still


def grantable_roles(user):
    """The roles ``user`` may grant somewhere: on some node where they grant roles, they hold
    every permission of the role (nobody grants beyond their own rights). The service still
    checks the chosen organization."""
    roles = Role.objects.order_by("name")
    granting = grant(user, ADMINISTER)
    if granting.everywhere:
        return roles
    allowed = [
        role.pk
        for role in roles
        if any(
            all(allows(user, permission, node) for permission in role.permissions or [])
            for node in granting.nodes
        )
    ]
    return roles.filter(pk__in=allowed)


def organization_history_dependents(user, org: Organization) -> list[Dependents]:
    """What an organization's history lists beside its own changes: everything audited that
    belongs to it, where the reader may open it. Seats, people and grants name the organization
    on each entry, so a removed seat or a person since moved stays on this page."""
    stamped = dict.fromkeys((CommitteeMember, Person, RoleAssignment), "organization_id")
    return organization_dependents(user, org, stamped=stamped)
