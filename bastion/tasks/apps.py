from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TasksConfig(AppConfig):
    name = "bastion.tasks"
    label = "tasks"
    verbose_name = _("任务派发")

    navigation: list = []  # filled in as the pages land

    def ready(self):
        from auditlog.registry import auditlog

        from . import models

        for model in (models.Task, models.FeedbackField, models.Assignment, models.CascadeItem):
            auditlog.register(model)
