from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgendaConfig(AppConfig):
    name = "bastion.agenda"
    label = "agenda"
    verbose_name = _("组织生活")

    @property
    def navigation(self):
        from bastion.core.navigation import NavSection

        return [
            NavSection(
                _("组织生活"),
                "calendar-event",
                order=20,
                items=[],
            ),
        ]

    def ready(self):
        from auditlog.registry import auditlog

        from . import models

        for model in (
            models.CalendarRule, models.Meeting, models.Attendance, models.DuesBracket,
            models.DuesProfile, models.DuesPayment, models.TermRule, models.Election,
            models.GuidePage,
        ):  # fmt: skip
            auditlog.register(model)
