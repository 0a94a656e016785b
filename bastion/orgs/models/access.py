"""Roles (角色) and their assignment on an organization node, covering its subtree."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bastion.core.scope import ScopedQuerySet

from .organization import Organization


class Role(models.Model):
    """A named set of permissions. Roles are data: administrators can add or change them."""

    code = models.SlugField(_("角色代码"), max_length=40, unique=True)
    name = models.CharField(_("角色名称"), max_length=50)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    permissions = models.JSONField(_("权限"), default=list, blank=True)

    class Meta:
        verbose_name = _("角色")
        verbose_name_plural = _("角色")
        ordering = ["id"]

    def __str__(self):
        return self.name


class RoleAssignment(models.Model):
    """``user`` holds ``role`` on ``organization``, covering the whole subtree below it."""

    scope_path_field = "organization__path"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="role_assignments",
        verbose_name=_("账号"),
    )
    role = models.ForeignKey(Role, on_delete=models.PROTECT, verbose_name=_("角色"))
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="role_assignments",
        verbose_name=_("组织"),
    )
    created_at = models.DateTimeField(_("授权时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")
        ordering = ["organization__path", "user__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "organization"], name="role_assignment_once"
            )
        ]

    def __str__(self):
        return f"{self.user} · {self.role} · {self.organization}"

    def get_additional_data(self):
        """Stored on each audit entry so grant history stays scoped after a revoke."""
        return {
            "organization_id": self.organization_id,
            "organization_path": self.organization.path,
            "organization": self.organization.name,
            "user": self.user.username,
            "role": self.role.name,
        }
