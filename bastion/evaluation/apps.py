from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "bastion.evaluation"
    label = "evaluation"
    verbose_name = _("考核评价")
    home_widgets = [
        "bastion.evaluation.widgets.home_widget",
        "bastion.evaluation.widgets_member.rounds_to_rate",
        "bastion.evaluation.widgets_member.my_points",
        "bastion.evaluation.widgets_member.my_titles",
    ]
    my_work = ["bastion.evaluation.widgets_member.work_items"]  # the kernel's 我的任务
    org_panels = ["bastion.evaluation.widgets.org_panel"]
    digest_sources = ["bastion.evaluation.digest.items"]
    # Scoring windows that open or close today (the kernel's registry: core/daily.py).
    daily_jobs = ["bastion.evaluation.services.notify.evaluation_daily"]
    # The summary each computation stores on its round (results and compute pages).
    aggregate_rebuilders = ["bastion.evaluation.services.rounds.round_summaries_rebuild"]

    @property
    def navigation(self):
        from bastion.core.navigation import NavItem, NavSection

        return [
            NavSection(
                _("考核评价"),
                "award",
                order=50,
                items=[
                    NavItem(
                        _("我的评分"),
                        "evaluation:scoring_home",
                        "pencil-star",
                        "evaluation.score_target",
                    ),
                    NavItem(
                        _("考评轮次"),
                        "evaluation:round_list",
                        "list-numbers",
                        "evaluation.view_round",
                    ),
                    NavItem(
                        _("称号榜"),
                        "evaluation:title_board",
                        "trophy",
                        "evaluation.view_titleaward",
                    ),
                    NavItem(
                        _("同业对标"),
                        "evaluation:benchmark_list",
                        "chart-arrows-vertical",
                        "evaluation.view_benchmarkvalue",
                    ),
                    NavItem(
                        _("五色地图"),
                        "evaluation:benchmark_map",
                        "map-2",
                        "evaluation.view_benchmarkvalue",
                    ),
                    NavItem(
                        _("我的积分"),
                        "evaluation:points_mine",
                        "coins",
                        "evaluation.add_pointsentry",
                    ),
                    NavItem(
                        _("积分台账"),
                        "evaluation:points_list",
                        "list-details",
                        "evaluation.view_pointsentry",
                    ),
                    NavItem(_("积分手册"), "evaluation:points_items", "book-2"),
                    NavItem(
                        _("申诉"),
                        "evaluation:appeal_list",
                        "message-report",
                        "evaluation.view_appeal",
                    ),
                    # For who runs or scores rounds beyond themselves, not for every member.
                    NavItem(
                        _("考评方案"),
                        "evaluation:scheme_list",
                        "adjustments",
                        "evaluation.view_scheme",
                        also="evaluation.view_target",
                    ),
                ],
            ),
        ]

    def ready(self):
        from auditlog.registry import auditlog

        from . import importers, models  # noqa: F401 - importers register themselves

        for model in (
            models.Scheme,
            models.Indicator,
            models.EvaluatorGroup,
            models.TitleRule,
            models.Round,
            models.Score,
            models.Appeal,
            models.BenchmarkValue,
            models.PointsEntry,
            models.PointsItem,
            models.MapBand,
            models.BenchmarkIndicator,
        ):
            auditlog.register(model)
        # A key event (a veto among them) changes a target's result (issue 14).
        auditlog.register(models.KeyEvent)
