from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "bastion.core"
    label = "core"
    verbose_name = _("平台内核")
    home_widgets = ["bastion.core.notifications.widgets.unread"]  # first on the home page
    daily_jobs = ["bastion.core.tokens.api_tokens_purge"]  # expired API tokens

    def ready(self):
        from . import checks, signals  # noqa: F401  (permission-name check; login events)
