from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "bastion.orgs"
    label = "orgs"
    verbose_name = _("组织与人员")
    home_widgets = ["bastion.orgs.widgets.scope_summary"]
    aggregate_rebuilders = ["bastion.orgs.counts.member_counts_rebuild"]

    @property
    def navigation(self):
        from bastion.core.navigation import NavItem, NavSection

        return [
            NavSection(
                _("组织与人员"),
                "sitemap",
                order=10,
                items=[
                    NavItem(_("组织树"), "orgs:tree", "sitemap", "orgs.view_organization"),
                    NavItem(_("人员名册"), "orgs:person_list", "users", "orgs.view_person"),
                    NavItem(_("角色授权"), "orgs:role_list", "key", "orgs.view_roleassignment"),
                ],
            ),
            NavSection(
                _("系统"),
                "settings",
                order=90,
                items=[
                    NavItem(_("登录日志"), "security_log", "shield-lock", superuser_only=True),
                    # For who sees organizations beyond their own membership (their
                    # committees), the API's users: not for a member.
                    NavItem(
                        _("接口文档"),
                        "api:docs",
                        "api",
                        "orgs.view_organization",
                        also="orgs.view_committeemember",
                    ),
                ],
            ),
        ]

    def ready(self):
        from auditlog.registry import auditlog

        from bastion.core.notifications.holders import register_holder_provider
        from bastion.core.scope import register_grant_provider

        from .grants import grant_paths
        from .holders import permission_grants
        from .models import CommitteeMember, Organization, Person, Role, RoleAssignment

        register_grant_provider(grant_paths)
        register_holder_provider(permission_grants, steplen=Organization.steplen)
        auditlog.register(Organization, exclude_fields=["depth", "numchild"])
        # ID numbers are masked in the audit log too, 6 + 4 like every page: history pages are
        # read widely and must not leak them (auditlog's own mask keeps the last nine digits).
        auditlog.register(
            Person,
            exclude_fields=["name_pinyin", "name_initials", "updated_at"],
            mask_fields=["id_number"],
            mask_callable="bastion.core.idcard.mask_logged_id_number",
        )
        auditlog.register(CommitteeMember)
        auditlog.register(RoleAssignment)
        auditlog.register(Role)  # roles are data: a change of what a role may do is audited
