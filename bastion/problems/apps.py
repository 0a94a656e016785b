from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProblemsConfig(AppConfig):
    name = "bastion.problems"
    label = "problems"
    verbose_name = _("问题整改")
    navigation: list = []  # filled in as the pages land

    def ready(self):
        from auditlog.registry import auditlog

        from . import models

        for model in (models.Inspection, models.Problem):
            auditlog.register(model)
