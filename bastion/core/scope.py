"""The one door for data scope.

Every queryset that reaches a person goes through ``Model.objects.restrict(user, action)``.
A role held on an organization node grants permissions over that node's subtree; the subtree
is a prefix of the node's materialized path, so the filter is one indexed condition at any depth.

Core knows no domain app: the organization app registers the function that turns a user and a
permission into the list of organization paths it covers (``register_grant_provider``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import reduce
from operator import or_

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy

ALL = object()  # the provider's answer for "no restriction"


class OutsideScope(PermissionDenied):
    """Acting on (or moving) data outside the actor's subtree. The message is read by people
    (a page or the API may show it); the permission concerned is kept for the log."""

    def __init__(self, permission: str = "", message=None):
        self.permission = permission
        super().__init__(message or gettext_lazy("该数据不在您的管理范围内。"))


GrantProvider = Callable[[object, str], "object | list[str]"]
_grant_provider: GrantProvider | None = None


def register_grant_provider(provider: GrantProvider) -> None:
    global _grant_provider
    _grant_provider = provider


def permission_name(model: type[models.Model], action: str) -> str:
    """``view`` on ``orgs.Person`` is the permission ``orgs.view_person``."""
    meta = model._meta
    return f"{meta.app_label}.{action}_{meta.model_name}"


def granted_paths(user, permission: str):
    """The organization paths where ``user`` holds ``permission`` (or ``ALL``)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    if user.is_superuser:
        return ALL
    cache = user.__dict__.setdefault("_bastion_scope_cache", {})
    if permission not in cache:
        cache[permission] = _grant_provider(user, permission) if _grant_provider else []
    return cache[permission]


def has_permission_anywhere(user, permission: str) -> bool:
    paths = granted_paths(user, permission)
    return paths is ALL or bool(paths)


def subtree_q(field: str, path: str) -> Q:
    """Rows whose ``field`` (a materialized path) lies in the subtree rooted at ``path``.

    SQLite cannot use an index for LIKE 'prefix%' (it is case-insensitive there), so on SQLite
    the prefix becomes a range: paths use only 0-9A-Z, and '~' sorts after all of them.
    PostgreSQL keeps LIKE, which its pattern index serves and which no collation can upset.
    """
    from django.db import connection

    if connection.vendor == "sqlite":
        return Q(**{f"{field}__gte": path, f"{field}__lt": path + "~"})
    return Q(**{f"{field}__startswith": path})


def minimal_prefixes(paths: Iterable[str]) -> list[str]:
    """Drop paths covered by a shorter one: grants on a node and its child are one grant."""
    kept: list[str] = []
    for path in sorted(set(paths)):
        if not kept or not path.startswith(kept[-1]):
            kept.append(path)
    return kept


class Grant:
    """Where a user holds one permission: everywhere, or the subtrees under some paths.

    The one object every "may this user … here?" question goes through, so that no app keeps
    its own copy of the path arithmetic. Built by :func:`grant`, cached per user and request.
    """

    __slots__ = ("nodes", "paths")

    def __init__(self, paths):
        self.paths = ALL if paths is ALL else minimal_prefixes(paths)
        # The nodes named by a grant, as held (a node under another is kept): for the questions
        # about one node itself, such as "the secretary of exactly this branch". A superuser's
        # grant names no node.
        self.nodes = () if paths is ALL else tuple(sorted(set(paths)))

    @property
    def everywhere(self) -> bool:
        return self.paths is ALL

    def __bool__(self) -> bool:
        """Held somewhere at all."""
        return self.paths is ALL or bool(self.paths)

    def covers(self, target) -> bool:
        """True when ``target`` (an organization, or its materialized path) lies in a subtree."""
        if target is None:
            return False
        path = target if isinstance(target, str) else target.path
        if self.paths is ALL:
            return True
        return any(path.startswith(p) for p in self.paths)

    def q(self, field: str = "organization__path", *, strictly_below: bool = False) -> Q:
        """The rows whose ``field`` (a materialized path) lies in a granted subtree.

        ``strictly_below`` leaves out the granted nodes themselves: a reviewer reviews the
        units under them, never their own.
        """
        if self.paths is ALL:
            return ~Q(**{field: ""}) if strictly_below else Q()
        conditions = [subtree_q(field, path) for path in self.paths]
        if strictly_below:
            pairs = zip(conditions, self.paths, strict=True)
            conditions = [condition & ~Q(**{field: path}) for condition, path in pairs]
        if not conditions:
            return Q(pk__in=[])
        return reduce(or_, conditions)


def grant(user, permission: str) -> Grant:
    """Where ``user`` holds ``permission``."""
    return Grant(granted_paths(user, permission))


def allows(user, permission: str, target) -> bool:
    """True when ``user`` holds ``permission`` over ``target`` (an organization or a path)."""
    return grant(user, permission).covers(target)


def within(user, permission: str, field: str = "organization__path", **options) -> Q:
    """A filter for the rows whose organization (``field``, a path lookup) ``user`` may
    ``permission``: ``Meeting.objects.filter(within(user, "agenda.review_meeting"))``."""
    return grant(user, permission).q(field, **options)


class ScopedQuerySet(models.QuerySet):
    """A queryset that knows how to narrow itself to what a user may touch.

    A model using it declares ``scope_path_field``: the lookup from the model to the materialized
    path of the organization that owns the row (``"path"`` on the organization itself,
    ``"organization__path"`` on a person). ``scope_owner_field`` optionally names the user field
    that lets a person always see their own row.
    """

    def restrict(self, user, action: str = "view"):
        model = self.model
        permission = permission_name(model, action)
        paths = granted_paths(user, permission)
        if paths is ALL:
            return self
        conditions = [subtree_q(model.scope_path_field, path) for path in minimal_prefixes(paths)]
        owner_field = getattr(model, "scope_owner_field", None)
        if owner_field and action == "view" and user is not None and user.is_authenticated:
            conditions.append(Q(**{owner_field: user}))
        if not conditions:
            return self.none()
        return self.filter(reduce(or_, conditions))

    def permitted(self, user, permission: str):
        """The rows whose organization lies where ``user`` holds any ``permission``, not only
        this model's own: ``Organization.objects.permitted(user, "tasks.add_task")``."""
        return self.filter(within(user, permission, self.model.scope_path_field))


def ensure_in_scope(user, obj: models.Model, action: str) -> None:
    """Raise PermissionDenied unless ``obj`` lies inside ``user``'s scope for ``action``.

    Services call this after a write, inside their transaction, so that a write which would
    move an object out of the actor's subtree rolls back.
    """
    manager = type(obj)._default_manager
    if not manager.filter(pk=obj.pk).restrict(user, action).exists():
        raise OutsideScope(
            permission_name(type(obj), action),
            gettext_lazy("保存后的数据将超出您的管理范围，操作已撤销。"),
        )


def path_within(path: str, granted) -> bool:
    """True when ``path`` lies under one of the granted paths (pure, no query)."""
    if granted is ALL:
        return True
    return any(path.startswith(p) for p in granted)
