from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "bastion.core"
    label = "core"
    verbose_name = _("平台内核")
    home_widgets = ["bastion.core.notifications.widgets.unread"]  # first on the home page

    def ready(self):
        from . import checks, signals  # noqa: F401  (permission-name check; login events)
