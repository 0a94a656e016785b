"""The role grants behind ``bastion.core.notifications.holders``: who holds a permission where.

Registered in ``OrgsConfig.ready``. Two queries: the roles carrying the permission (roles are
data, their permissions a JSON list), then the active users' assignments of those roles.
"""

from __future__ import annotations

from bastion.core.scope import subtree_q


def permission_grants(permission: str, *, paths=None, under: str | None = None):
    """``(user id, organization path)`` of every active user holding ``permission`` through a
    role on one of ``paths`` or in the subtree of ``under``."""
    from .models import Role, RoleAssignment

    role_ids = [
        role.pk
        for role in Role.objects.only("id", "permissions")
        if permission in (role.permissions or ())
    ]
    if not role_ids:
        return []
    grants = RoleAssignment.objects.filter(role_id__in=role_ids, user__is_active=True)
    if paths is not None:
        grants = grants.filter(organization__path__in=list(paths))
    if under is not None:
        grants = grants.filter(subtree_q("organization__path", under))
    return list(grants.order_by().values_list("user_id", "organization__path"))
