from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProblemsConfig(AppConfig):
    name = "bastion.problems"
    label = "problems"
    verbose_name = _("问题整改")
    home_widgets = ["bastion.problems.widgets.to_act_on"]
    # Overdue and due-soon problems join the daily digest; overdue ones are told and escalated
    # by the daily run (the kernel's registries: core/notifications/digest.py, core/daily.py).
    digest_sources = ["bastion.problems.digest.items"]
    digest_recipients = ["bastion.problems.digest.digest_recipients"]
    daily_jobs = [
        "bastion.problems.services.overdue.problems_overdue_handle",
        "bastion.problems.services.bulletins.bulletins_expire",  # generations that died
    ]

    @property
    def navigation(self):
        from bastion.core.navigation import NavItem, NavSection

        return [
            NavSection(
                _("问题整改"),
                "checklist",
                order=40,
                items=[
                    NavItem(
                        _("问题清单"),
                        "problems:problem_list",
                        "list-check",
                        "problems.view_problem",
                    ),
                    NavItem(
                        _("检查记录"),
                        "problems:inspection_list",
                        "clipboard-search",
                        "problems.view_inspection",
                    ),
                    NavItem(_("问题库"), "problems:library", "database", "problems.view_problem"),
                    NavItem(
                        _("通报晾晒"),
                        "problems:bulletin_list",
                        "speakerphone",
                        "problems.view_bulletin",
                    ),
                ],
            ),
        ]

    def ready(self):
        from auditlog.registry import auditlog

        from . import models

        for model in (models.Inspection, models.Problem):
            auditlog.register(model)
        # Rectification evidence added or removed (issue 14).
        auditlog.register(models.ProblemEvidence, exclude_fields=["file"])
