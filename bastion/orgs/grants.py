"""Turn a user's role assignments into the organization paths a permission covers.

The paths are where the roles are held; the kernel's ``Grant`` folds nested ones together."""


def grant_paths(user, permission: str) -> list[str]:
    """One query per user and request (cached on the user object): every assignment's role."""
    assignments = user.__dict__.get("_bastion_assignments")
    if assignments is None:
        from .models import RoleAssignment

        assignments = list(
            RoleAssignment.objects.filter(user=user)
            .order_by()
            .values_list("organization__path", "role__permissions")
        )
        user.__dict__["_bastion_assignments"] = assignments
    return sorted({path for path, permissions in assignments if permission in (permissions or [])})


def forget_grants(user) -> None:
    """Drop the cached assignments after a grant changes within the same request."""
    user.__dict__.pop("_bastion_assignments", None)
    user.__dict__.pop("_bastion_scope_cache", None)
