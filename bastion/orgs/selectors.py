"""Reads that take more than one query: the tree with its counts, a node's breadcrumb."""

from __future__ import annotations

from django.db.models import Q, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse

from bastion.core.history import Dependents, organization_dependents
from bastion.core.scope import allows, grant, subtree_q

from .grants import OWN_PATH_KEY
from .models import CommitteeMember, Organization, Person, Role, RoleAssignment, SubtreeCount
from .models.organization import OrganizationKind, UnitKind


def with_counts(organizations):
    """Annotate ``people_count`` and ``member_count``: the head counts of each node's whole
    subtree, read from the maintained aggregate (``bastion.orgs.counts``), not counted."""
    return organizations.annotate(
        people_count=Coalesce("subtree_count__people", 0),
        member_count=Coalesce("subtree_count__members", 0),
    )


def node_counts(org: Organization) -> dict[str, int]:
    row = SubtreeCount.objects.filter(organization=org).values("people", "members").first()
    return row or {"people": 0, "members": 0}


def children_with_counts(parent: Organization, visible) -> list[Organization]:
    """The visible children of ``parent``, each with ``people``, ``members`` and ``secretary``."""
    children = with_counts(visible.filter(subtree_q("path", parent.path), depth=parent.depth + 1))
    return with_secretaries(list(children))


def with_secretaries(nodes: list[Organization]) -> list[Organization]:
    """Each node's secretary, and what its row in the tree shows: links and labels made once
    per page (a reverse() and a label lookup per node were a third of the tree's time)."""
    secretaries = secretaries_of([n.pk for n in nodes])
    detail_url = reverse("orgs:org_detail", args=[URL_SLOT]).replace(str(URL_SLOT), "{}")
    children_url = reverse("orgs:tree_children", args=[URL_SLOT]).replace(str(URL_SLOT), "{}")
    kinds = {value: str(label) for value, label in OrganizationKind.choices}
    unit_kinds = {value: str(label) for value, label in UnitKind.choices}
    for node in nodes:
        node.secretary = secretaries.get(node.pk)
        node.detail_url = detail_url.format(node.pk)
        node.children_url = children_url.format(node.pk)
        node.kind_text = kinds.get(node.kind, node.kind)
        node.unit_kind_text = unit_kinds.get(node.unit_kind, node.unit_kind)
    return nodes


URL_SLOT = 987654321  # a number no other part of a URL holds, replaced by each node's id


def people_visible(user):
    """The people ``user`` may view: ``Person.objects.restrict(user, "view")``, without its
    "or their own record" branch when that record already lies in a granted subtree. The rows
    are the same; without the OR an index walks them in roster order, so a page of 50 reads
    50 rows instead of sorting the whole scope."""
    held = grant(user, "orgs.view_person")
    if held.everywhere:
        return Person.objects.all()
    if not held:  # no grant: one's own record at most, through the door's owner branch
        return Person.objects.restrict(user, "view")
    own = _own_path(user)
    if own is not None and not held.covers(own):
        return Person.objects.restrict(user, "view")
    return Person.objects.filter(held.q("organization__path"))


def _own_path(user) -> str | None:
    """The path of the user's own person's organization: read with the grants
    (``grants.grant_paths``), else one query."""
    key = OWN_PATH_KEY
    if key not in user.__dict__:
        own = None
        if user.is_authenticated:
            rows = (
                Person.objects.filter(user=user)
                .order_by()
                .values_list("organization__path", flat=True)
            )
            own = rows.first()
        user.__dict__[key] = own
    return user.__dict__[key]


def people_total(user, within: Organization | None) -> int | None:
    """How many of ``people_visible(user)`` lie in ``within``'s subtree (all of them when
    None), read from the head counts instead of counted; None when the counts cannot tell
    (a grant narrower than the subtree, one's own record outside the grant)."""
    held = grant(user, "orgs.view_person")
    if within is not None:
        return node_counts(within)["people"] if held.covers(within) else None
    if not held:
        return None
    if held.everywhere:
        rows = SubtreeCount.objects.filter(organization__depth=1)
    else:
        own = _own_path(user)
        if own is not None and not held.covers(own):
            return None
        rows = SubtreeCount.objects.filter(organization__path__in=held.paths)
    return rows.aggregate(total=Sum("people"))["total"] or 0


class Counted:
    """A queryset whose length is already known: a paginator slices it and never counts."""

    def __init__(self, queryset, count: int):
        self.queryset = queryset
        self.ordered = queryset.ordered
        self._count = count

    def count(self) -> int:
        return self._count

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, key):
        return self.queryset[key]


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


def scope_roots_with_counts(user) -> list[Organization]:
    """The scope's top nodes with their head counts and secretary (a few rows, two queries)."""
    held = grant(user, "orgs.view_organization")
    roots = with_counts(Organization.objects.all())
    roots = roots.filter(depth=1) if held.everywhere else roots.filter(path__in=held.paths)
    return with_secretaries(list(roots.order_by("path")))


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
