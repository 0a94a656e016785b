"""Party dues (党费): brackets as data, each member's yearly base and amount, the monthly ledger."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bastion.core.scope import ScopedQuerySet


class DuesCategory(models.TextChoices):
    EMPLOYED = "employed", _("在职党员")
    RETIRED = "retired", _("离退休党员")
    FIXED = "fixed", _("学生、下岗失业、低保等")


class DuesBracket(models.Model):
    """One band: bases above ``lower`` up to ``upper`` (inclusive; none = no ceiling) pay
    ``rate`` percent, or ``fixed_amount`` yuan a month. Versioned by ``effective_from``."""

    category = models.CharField(_("类别"), max_length=20, choices=DuesCategory.choices)
    lower = models.DecimalField(_("基数下限（不含）"), max_digits=10, decimal_places=2, default=0)
    upper = models.DecimalField(
        _("基数上限（含）"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    rate = models.DecimalField(
        _("比例（%）"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    fixed_amount = models.DecimalField(
        _("固定金额（元/月）"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    effective_from = models.DateField(_("生效日期"))
    source = models.CharField(_("依据来源"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("党费档次")
        verbose_name_plural = _("党费档次")
        ordering = ["category", "-effective_from", "lower"]

    def __str__(self):
        return f"{self.get_category_display()} {self.lower}-{self.upper or '∞'}"


class DuesProfile(models.Model):
    """A member's dues for a year: category and monthly base set once a year (S4).

    ``starts_on`` is the first month dues are owed under this profile (its 1st day). A
    member's earliest profile start is where their arrears can begin: a roster imported with
    入党日期 years ago owes nothing before the branch set the member's dues.
    """

    scope_path_field = "person__organization__path"
    scope_owner_field = "person__user"

    person = models.ForeignKey(
        "orgs.Person",
        on_delete=models.CASCADE,
        related_name="dues_profiles",
        verbose_name=_("党员"),
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    category = models.CharField(_("类别"), max_length=20, choices=DuesCategory.choices)
    base = models.DecimalField(
        _("月缴费基数（税后）"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    monthly_amount = models.DecimalField(_("月缴纳金额"), max_digits=8, decimal_places=2)
    starts_on = models.DateField(
        _("起缴月份"), blank=True, help_text=_("自该月起按本标准缴纳党费（该月 1 日）。")
    )
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("党费标准")
        verbose_name_plural = _("党费标准")
        constraints = [
            models.UniqueConstraint(fields=["person", "year"], name="dues_profile_once_a_year"),
        ]

    def __str__(self):
        return f"{self.person} {self.year} {self.monthly_amount}"

    def save(self, *args, **kwargs):
        if self.starts_on is None:  # rows written without one keep the older rule: all year
            self.starts_on = dt.date(self.year, 1, 1)
        super().save(*args, **kwargs)


class DuesPayment(models.Model):
    """One member's dues for one month. ``organization`` is the branch that collected it, kept
    so the ledger and totals stay with the branch even when the member later moves."""

    scope_path_field = "organization__path"
    scope_owner_field = "person__user"

    person = models.ForeignKey(
        "orgs.Person",
        on_delete=models.PROTECT,
        related_name="dues_payments",
        verbose_name=_("党员"),
    )
    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="dues_payments",
        verbose_name=_("收缴组织"),
    )
    month = models.DateField(_("所属月份"), help_text=_("该月 1 日。"))
    amount = models.DecimalField(_("金额"), max_digits=8, decimal_places=2)
    paid_on = models.DateField(_("缴纳日期"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("党费缴纳")
        verbose_name_plural = _("党费缴纳")
        ordering = ["-month", "person"]
        constraints = [
            models.UniqueConstraint(fields=["person", "month"], name="dues_paid_once_a_month"),
        ]
        indexes = [models.Index(fields=["organization", "month"])]
        permissions = [("import_duespayment", "Can import dues payments")]

    def __str__(self):
        return f"{self.person} {self.month:%Y-%m} {self.amount}"
