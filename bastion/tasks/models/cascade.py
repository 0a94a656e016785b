"""四级贯通 (S4): 党委管总命题 → 专业主谋解题 → 战区主建应题 → 支部主战答题.

攻坚目标清单 (objective) → "党建+"工程任务书 (task_book) → 任务单 (task_sheet: 方向、目标、人员、
措施、时限、责任) → 行动方案 (action_plan). Each item names its parent; ``root`` lets a whole
cascade be read in one query.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bastion.core.scope import ScopedQuerySet


class CascadeLevel(models.TextChoices):
    OBJECTIVE = "objective", _("攻坚目标清单")
    TASK_BOOK = "task_book", _("“党建+”工程任务书")
    TASK_SHEET = "task_sheet", _("任务单")
    ACTION_PLAN = "action_plan", _("行动方案")


LEVEL_ORDER = [c.value for c in CascadeLevel]
# Who answers at each level (党委管总命题—专业主谋解题—战区主建应题—支部主战答题).
LEVEL_ROLE = {
    "objective": _("党委管总命题"),
    "task_book": _("专业主谋解题"),
    "task_sheet": _("战区主建应题"),
    "action_plan": _("支部主战答题"),
}


class CascadeStatus(models.TextChoices):
    PLANNED = "planned", _("未开始")
    IN_PROGRESS = "in_progress", _("推进中")
    DONE = "done", _("已完成")


class CascadeItem(models.Model):
    scope_path_field = "organization__path"

    level = models.CharField(_("层级"), max_length=12, choices=CascadeLevel.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("上级事项"),
    )
    root = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("攻坚目标"),
    )
    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="cascade_items",
        verbose_name=_("责任组织"),
    )
    title = models.CharField(_("名称"), max_length=200)
    description = models.TextField(_("说明"), blank=True)
    direction = models.CharField(_("方向"), max_length=200, blank=True)
    goal = models.CharField(_("目标"), max_length=300, blank=True)
    people = models.CharField(_("人员"), max_length=300, blank=True)
    measures = models.TextField(_("措施"), blank=True)
    deadline = models.DateField(_("时限"), null=True, blank=True)
    responsibility = models.CharField(_("责任"), max_length=200, blank=True)
    status = models.CharField(
        _("进展"), max_length=12, choices=CascadeStatus.choices, default=CascadeStatus.PLANNED
    )
    progress_note = models.TextField(_("进展情况"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("四级贯通事项")
        verbose_name_plural = _("四级贯通事项")
        ordering = ["root_id", "level", "id"]
        indexes = [models.Index(fields=["root", "level"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("tasks:cascade_detail", args=[(self.root_id or self.pk)])
