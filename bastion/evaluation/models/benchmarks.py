"""同业对标: six business indicators per station per month, and the colour bands of the map."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from bastion.core.scope import ScopedQuerySet


class Direction(models.TextChoices):
    HIGHER = "higher", _("越高越好")
    LOWER = "lower", _("越低越好")


class BenchmarkIndicator(models.Model):
    code = models.SlugField(_("指标代码"), max_length=40, unique=True)
    name = models.CharField(_("指标名称"), max_length=50)
    name_en = models.CharField(
        _("英文名称"), max_length=80, blank=True, help_text=_("英文界面显示；留空则显示中文名称。")
    )
    unit = models.CharField(_("单位"), max_length=10, blank=True)
    direction = models.CharField(_("方向"), max_length=6, choices=Direction.choices)
    source = models.CharField(_("依据"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("对标指标")
        verbose_name_plural = _("对标指标")
        ordering = ["order", "id"]

    def __str__(self):
        return self.name


class BenchmarkValue(models.Model):
    """One station's value of one indicator for one month (``month`` is its first day)."""

    scope_path_field = "organization__path"

    indicator = models.ForeignKey(
        BenchmarkIndicator,
        on_delete=models.PROTECT,
        related_name="values",
        verbose_name=_("对标指标"),
    )
    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="benchmark_values",
        verbose_name=_("供电所"),
    )
    month = models.DateField(_("月份"))
    value = models.DecimalField(_("指标值"), max_digits=12, decimal_places=4)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("录入时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("对标指标值")
        verbose_name_plural = _("对标指标值")
        ordering = ["-month", "indicator", "organization__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "organization", "month"], name="benchmark_value_once"
            )
        ]
        indexes = [models.Index(fields=["month", "indicator"])]
        permissions = [("import_benchmarkvalue", "Can import benchmark values")]

    def __str__(self):
        return f"{self.organization} {self.indicator} {self.month:%Y-%m} {self.value}"

    def clean(self):
        if self.month and self.month.day != 1:
            raise ValidationError({"month": _("月份应为当月 1 日。")})


class MapBand(models.Model):
    """五色地图: a station whose composite benchmark score (0–100) reaches ``min_score``."""

    name = models.CharField(_("等级"), max_length=20)
    name_en = models.CharField(
        _("英文名称"), max_length=40, blank=True, help_text=_("英文界面显示；留空则显示中文名称。")
    )
    colour = models.CharField(_("颜色"), max_length=7, help_text=_("如 #2fb344"))
    min_score = models.DecimalField(_("最低分"), max_digits=5, decimal_places=2)
    source = models.CharField(_("依据"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("五色地图分段")
        verbose_name_plural = _("五色地图分段")
        ordering = ["-min_score"]

    def __str__(self):
        return self.name
