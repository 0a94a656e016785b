from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TasksConfig(AppConfig):
    name = "bastion.tasks"
    label = "tasks"
    verbose_name = _("任务派发")
    home_widgets = ["bastion.tasks.widgets.inbox_summary"]
    my_work = ["bastion.tasks.selectors_member.work_items"]  # the kernel's 我的任务
    # Overdue and due-soon assignments join each person's daily digest (core's registry).
    digest_sources = ["bastion.tasks.digest.items"]
    # The progress figures per task and subtree (services.tally), rebuilt after bulk loads.
    aggregate_rebuilders = ["bastion.tasks.services.tally.task_tallies_rebuild"]

    @property
    def navigation(self):
        from bastion.core.navigation import NavItem, NavSection

        return [
            NavSection(
                _("任务派发"),
                "send",
                order=30,
                items=[
                    # Who answers for no organization finds their own to-do list here instead.
                    NavItem(
                        _("我的任务"),
                        "tasks:assignment_inbox",
                        "inbox",
                        "tasks.view_assignment",
                        otherwise="my_work",
                    ),
                    NavItem(_("工作单"), "tasks:task_list", "file-text", "tasks.view_task"),
                    NavItem(
                        _("四级贯通"), "tasks:cascade_list", "hierarchy-3", "tasks.view_cascadeitem"
                    ),
                ],
            ),
        ]

    def ready(self):
        from auditlog.registry import auditlog

        from . import models, signals  # noqa: F401 (signals: receivers connect on import)

        for model in (models.Task, models.FeedbackField, models.Assignment, models.CascadeItem):
            auditlog.register(model)
        # Evidence added to or removed from feedback (issue 14).
        auditlog.register(models.FeedbackFile, exclude_fields=["file"])
