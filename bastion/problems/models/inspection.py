"""Inspections (自查、互查、巡查、飞行巡查、督导访谈、一线督查、一线考核) and what they found."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bastion.core.scope import ScopedQuerySet


class InspectionKind(models.TextChoices):
    SELF = "self", _("自查")
    MUTUAL = "mutual", _("互查")
    PATROL = "patrol", _("巡查")
    FLYING = "flying", _("飞行巡查")
    SUPERVISION_VISIT = "supervision_visit", _("党委督导访谈")
    FRONTLINE_SUPERVISION = "frontline_supervision", _("纪委一线督查")
    FRONTLINE_ASSESSMENT = "frontline_assessment", _("组织部一线考核")


class Inspection(models.Model):
    """Scoped by the inspecting organization; the inspected see the problems found on them."""

    scope_path_field = "inspecting_org__path"

    kind = models.CharField(_("检查方式"), max_length=24, choices=InspectionKind.choices)
    title = models.CharField(_("检查名称"), max_length=200)
    inspecting_org = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="inspections_made",
        verbose_name=_("检查组织"),
    )
    team = models.CharField(_("检查组成员"), max_length=300, blank=True)
    inspected = models.ManyToManyField(
        "orgs.Organization", related_name="inspections_received", verbose_name=_("被检查组织")
    )
    held_on = models.DateField(_("检查日期"))
    unannounced = models.BooleanField(_("不打招呼"), default=False)
    checklist = models.JSONField(_("检查清单"), default=list, blank=True)
    summary = models.TextField(_("检查情况"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("检查")
        verbose_name_plural = _("检查")
        ordering = ["-held_on", "-id"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("problems:inspection_detail", args=[self.pk])
