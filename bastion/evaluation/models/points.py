"""党员积分手册: the handbook's scoring standard (items) and each member's ledger of entries."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bastion.core.scope import ScopedQuerySet


class PointsCategory(models.TextChoices):
    PLAN = "plan", _("计划")
    EXECUTION = "execution", _("执行")
    RESULT = "result", _("结果")
    SAFETY = "safety", _("安全积分")
    DEDUCTION = "deduction", _("扣分")


class PointsItem(models.Model):
    """One line of the handbook: what earns (or costs) how many points, and what proves it."""

    code = models.SlugField(_("项目代码"), max_length=40, unique=True)
    name = models.CharField(_("积分项目"), max_length=100)
    name_en = models.CharField(
        _("英文名称"), max_length=150, blank=True, help_text=_("英文界面显示；留空则显示中文名称。")
    )
    category = models.CharField(_("类别"), max_length=10, choices=PointsCategory.choices)
    points = models.DecimalField(_("分值"), max_digits=6, decimal_places=2)
    evidence_required = models.BooleanField(_("须附佐证"), default=False)
    source = models.CharField(_("依据"), max_length=200, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("积分项目")
        verbose_name_plural = _("积分项目")
        ordering = ["category", "code"]

    def __str__(self):
        return f"{self.name}（{Decimal(str(self.points)):+}）"


class EntryState(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已认定")
    REJECTED = "rejected", _("未认定")


def points_upload_to(instance, filename):
    return f"evaluation/points/{instance.person_id}/{filename}"


class PointsEntry(models.Model):
    """A member's points for one item on one day, with evidence; counts once approved."""

    scope_path_field = "person__organization__path"
    scope_owner_field = "person__user"

    person = models.ForeignKey(
        "orgs.Person",
        on_delete=models.PROTECT,
        related_name="points_entries",
        verbose_name=_("党员"),
    )
    item = models.ForeignKey(
        PointsItem, on_delete=models.PROTECT, related_name="entries", verbose_name=_("积分项目")
    )
    occurred_on = models.DateField(_("日期"))
    points = models.DecimalField(_("积分"), max_digits=6, decimal_places=2)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    evidence = models.FileField(_("佐证"), upload_to=points_upload_to, blank=True)
    evidence_name = models.CharField(_("文件名"), max_length=255, blank=True)
    state = models.CharField(
        _("状态"), max_length=10, choices=EntryState.choices, default=EntryState.PENDING
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("登记人"),
    )
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    approved_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("积分记录")
        verbose_name_plural = _("积分记录")
        ordering = ["-occurred_on", "-id"]
        indexes = [models.Index(fields=["person", "state", "occurred_on"])]
        permissions = [("approve_pointsentry", "Can approve points entries")]

    def __str__(self):
        return f"{self.person} {self.item.name} {self.points}"
