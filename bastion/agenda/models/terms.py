"""Committee terms (换届): term length per organization kind as data, and recorded elections."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bastion.core.scope import ScopedQuerySet
from bastion.orgs.models.organization import CommitteePosition, OrganizationKind


class TermRule(models.Model):
    """How long a committee of this kind serves, versioned by ``effective_from``."""

    org_kind = models.CharField(_("组织类型"), max_length=20, choices=OrganizationKind.choices)
    years = models.PositiveSmallIntegerField(_("任期（年）"))
    remind_months = models.PositiveSmallIntegerField(_("提前提醒（月）"), default=6)
    effective_from = models.DateField(_("生效日期"))
    source = models.CharField(_("依据来源"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("任期规则")
        verbose_name_plural = _("任期规则")
        ordering = ["org_kind", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["org_kind", "effective_from"], name="term_rule_once"),
        ]

    def __str__(self):
        return f"{self.get_org_kind_display()} {self.years}"


class Election(models.Model):
    """A recorded election. Once approved it starts the organization's next term."""

    scope_path_field = "organization__path"

    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="elections",
        verbose_name=_("组织"),
    )
    held_on = models.DateField(_("选举日期"))
    approved_on = models.DateField(_("上级批复日期"))
    approval_ref = models.CharField(_("批复文号"), max_length=100, blank=True)
    term_years = models.PositiveSmallIntegerField(_("任期（年）"))
    term_starts_on = models.DateField(_("新一届任期开始"))
    term_ends_on = models.DateField(_("新一届任期届满"))
    note = models.TextField(_("备注"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("换届选举")
        verbose_name_plural = _("换届选举")
        ordering = ["-held_on", "-id"]

    def __str__(self):
        return f"{self.organization} {self.held_on}"


class ElectedMember(models.Model):
    scope_path_field = "election__organization__path"

    election = models.ForeignKey(
        Election, on_delete=models.CASCADE, related_name="elected", verbose_name=_("换届选举")
    )
    person = models.ForeignKey(
        "orgs.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("当选人")
    )
    position = models.CharField(_("职务"), max_length=20, choices=CommitteePosition.choices)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("当选人员")
        verbose_name_plural = _("当选人员")
        constraints = [
            models.UniqueConstraint(fields=["election", "person"], name="elected_once"),
        ]

    def __str__(self):
        return f"{self.person} {self.get_position_display()}"
