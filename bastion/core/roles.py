"""Role permissions as data: the migration step every app uses to give the roles its permissions.

Roles (party-building department, county committee, branch secretary, member …) are rows of
the organization app; each domain app adds its own permissions to them in a data migration.
The step is written once here. Core names the role model through ``BASTION_ROLE_MODEL`` and
never imports the organization app.
"""

from __future__ import annotations

from django.conf import settings
from django.db import migrations


def _role_model(apps):
    app_label, model_name = settings.BASTION_ROLE_MODEL.split(".")
    return apps.get_model(app_label, model_name)


def add_role_permissions(apps, role_permissions: dict[str, list[str]]) -> None:
    """Add each role's permissions (roles that do not exist yet are skipped)."""
    Role = _role_model(apps)
    for code, permissions in role_permissions.items():
        role = Role.objects.filter(code=code).first()
        if role:
            role.permissions = sorted(set(role.permissions) | set(permissions))
            role.save(update_fields=["permissions"])


def remove_app_permissions(apps, prefix: str) -> None:
    """Take every permission starting with ``prefix`` (``"tasks."``) away from every role."""
    Role = _role_model(apps)
    for role in Role.objects.all():
        role.permissions = [p for p in role.permissions if not p.startswith(prefix)]
        role.save(update_fields=["permissions"])


def grant_role_permissions(role_permissions: dict[str, list[str]], *, prefix: str):
    """The reversible migration operation: add on migrate, remove ``prefix`` on reverse."""

    def forward(apps, schema_editor):
        add_role_permissions(apps, role_permissions)

    def backward(apps, schema_editor):
        remove_app_permissions(apps, prefix)

    return migrations.RunPython(forward, backward)
