"""Turn a user's role assignments into the organization paths a permission covers.

The paths are where the roles are held; the kernel's ``Grant`` folds nested ones together."""

OWN_PATH_KEY = "_bastion_own_person_path"


def grant_paths(user, permission: str) -> list[str]:
    """One query per user and request (cached on the user object): every assignment's role."""
    assignments = user.__dict__.get("_bastion_assignments")
    if assignments is None:
        from django.db.models import Subquery

        from .models import Person, RoleAssignment

        # The path of the user's own record rides along (``selectors.people_visible`` asks
        # whether the grants already cover it), so that costs no query of its own.
        own = Person.objects.filter(user=user).order_by().values("organization__path")[:1]
        rows = list(
            RoleAssignment.objects.filter(user=user)
            .order_by()
            .values_list("organization__path", "role__permissions", Subquery(own))
        )
        assignments = [(path, permissions) for path, permissions, _own in rows]
        user.__dict__["_bastion_assignments"] = assignments
        if rows:
            user.__dict__[OWN_PATH_KEY] = rows[0][2]
    return sorted({path for path, permissions in assignments if permission in (permissions or [])})


def forget_grants(user) -> None:
    """Drop the cached assignments after a grant changes within the same request."""
    user.__dict__.pop("_bastion_assignments", None)
    user.__dict__.pop("_bastion_scope_cache", None)
    user.__dict__.pop(OWN_PATH_KEY, None)
