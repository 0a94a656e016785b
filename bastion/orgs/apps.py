from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "bastion.orgs"
    label = "orgs"
    verbose_name = _("组织与人员")

    def ready(self):
        from auditlog.registry import auditlog

        from bastion.core.scope import register_grant_provider

        from .grants import grant_paths
        from .models import CommitteeMember, Organization, Person, RoleAssignment

        register_grant_provider(grant_paths)
        auditlog.register(Organization, exclude_fields=["depth", "numchild"])
        auditlog.register(Person, exclude_fields=["name_pinyin", "name_initials"])
        auditlog.register(CommitteeMember)
        auditlog.register(RoleAssignment)
