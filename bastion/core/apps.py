from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "bastion.core"
    label = "core"
    verbose_name = _("平台内核")
    # First on the home page: unread messages, then what the person must do (我的任务).
    home_widgets = [
        "bastion.core.notifications.widgets.unread",
        "bastion.core.my_work.my_tasks_card",
    ]
    daily_jobs = [
        "bastion.core.tokens.api_tokens_purge",  # expired API tokens
        "bastion.core.job_recovery.import_jobs_tidy",  # dead import runs, forgotten uploads
    ]

    def ready(self):
        from . import checks, signals  # noqa: F401  (permission-name check; login events)
