from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "bastion.evaluation"
    label = "evaluation"
    verbose_name = _("考核评价")

    def ready(self):
        from auditlog.registry import auditlog

        from . import models

        for model in (
            models.Scheme, models.Indicator, models.EvaluatorGroup, models.TitleRule,
            models.Round, models.Score, models.Appeal, models.BenchmarkValue, models.PointsEntry,
            models.PointsItem, models.MapBand, models.BenchmarkIndicator,
        ):  # fmt: skip
            auditlog.register(model)
