"""The work calendar (一表, 二十四节气表): rules that yield obligations.

A rule is identified by its ``code``; editing a rule adds a new version with the date it takes
effect, and a period is judged by the version in force on its last day.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from bastion.core.scope import ScopedQuerySet


class ItemKind(models.TextChoices):
    BRANCH_ASSEMBLY = "branch_assembly", _("支部党员大会")
    COMMITTEE = "committee", _("支委会")
    GROUP = "group", _("党小组会")
    LECTURE = "lecture", _("党课")
    THEME_DAY = "theme_day", _("主题党日")
    ANNUAL_REVIEW = "annual_review", _("组织生活会")
    MEMBER_APPRAISAL = "member_appraisal", _("民主评议党员")
    DUES = "dues", _("党费收缴")
    ELECTION = "election", _("换届选举")
    STUDY = "study", _("理论学习")
    CUSTOM = "custom", _("其他工作")


# Kinds fulfilled by a meeting record of the same kind (everything but dues and elections).
MEETING_KINDS = [k for k in ItemKind.values if k not in ("dues", "election")]


class DueTerm(models.IntegerChoices):
    """Where in its month a period's work falls due: a day (``due_day``) or one of the month's
    two solar terms (S4's 二十四节气表: 节 about the 4th-8th, 中气 about the 19th-23rd)."""

    DAY = 0, _("按截止日")
    FIRST = 1, _("当月第一个节气（节）")
    SECOND = 2, _("当月第二个节气（中气）")


class Recurrence(models.TextChoices):
    MONTHLY = "monthly", _("每月")
    QUARTERLY = "quarterly", _("每季度")
    YEARLY = "yearly", _("每年")
    PER_TERM = "per_term", _("每届")
    ONCE = "once", _("一次性")


class CalendarRuleQuerySet(models.QuerySet):
    def in_force(self, on):
        """The version of each rule code in force on date ``on`` (retired versions included)."""
        latest = (
            self.model.objects.filter(code=models.OuterRef("code"), effective_from__lte=on)
            .order_by("-effective_from")
            .values("pk")[:1]
        )
        return self.filter(effective_from__lte=on, pk=models.Subquery(latest))


class CalendarRule(models.Model):
    """One line of the calendar: what is due, for which organizations, how often, when."""

    code = models.SlugField(_("事项编码"), max_length=40)
    name = models.CharField(_("事项名称"), max_length=100)
    kind = models.CharField(_("事项类别"), max_length=20, choices=ItemKind.choices)
    applies_kinds = models.JSONField(_("适用组织类型"), default=list, blank=True)
    applies_unit_kinds = models.JSONField(
        _("适用单位类别"), default=list, blank=True, help_text=_("留空表示全部单位类别。")
    )
    recurrence = models.CharField(_("周期"), max_length=20, choices=Recurrence.choices)
    due_month = models.PositiveSmallIntegerField(
        _("截止月份"),
        default=0,
        help_text=_("每季度：季度内第几个月（1-3，0 表示季末）；每年：几月（1-12）。"),
    )
    due_day = models.PositiveSmallIntegerField(
        _("截止日"), default=0, help_text=_("当月几号截止，0 表示月末。")
    )
    due_term = models.PositiveSmallIntegerField(
        _("截止节气"),
        choices=DueTerm.choices,
        default=DueTerm.DAY,
        help_text=_("按二十四节气排定时，截止于当月的哪个节气（此时不看截止日）。"),
    )
    due_on = models.DateField(_("截止日期"), null=True, blank=True, help_text=_("仅一次性事项。"))
    green_days = models.PositiveSmallIntegerField(_("绿色通知提前天数"), default=15)
    yellow_days = models.PositiveSmallIntegerField(_("黄色提醒提前天数"), default=5)
    quorum_ratio = models.DecimalField(
        _("法定到会比例"),
        max_digits=4,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("有表决权的党员实到人数须超过该比例，如 0.50。"),
    )
    evidence_required = models.JSONField(_("所需佐证"), default=list, blank=True)
    guide = models.ForeignKey(
        "agenda.GuidePage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="rules",
        verbose_name=_("操作指引"),
    )
    source = models.CharField(_("依据来源"), max_length=200, blank=True)
    description = models.TextField(_("说明"), blank=True)
    effective_from = models.DateField(_("生效日期"))
    is_active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=100)
    created_by = models.ForeignKey(
        "core.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CalendarRuleQuerySet.as_manager()

    class Meta:
        verbose_name = _("日历事项")
        verbose_name_plural = _("日历事项")
        ordering = ["sort_order", "code", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["code", "effective_from"], name="rule_version_once"),
        ]

    def __str__(self):
        return self.name

    def applies_to(self, org) -> bool:
        if self.applies_kinds and org.kind not in self.applies_kinds:
            return False
        return not self.applies_unit_kinds or org.unit_kind in self.applies_unit_kinds


class AlertLevel(models.TextChoices):
    """The colour of an obligation, computed from dates when read (S4)."""

    UPCOMING = "upcoming", _("未到期")
    GREEN = "green", _("绿色通知")
    YELLOW = "yellow", _("黄色提醒")
    RED = "red", _("红色告警")
    DONE = "done", _("按时完成")
    LATE = "late", _("逾期完成")


# Writes that change what a roll-up counts: the tallies follow them (services/tallies.py).
TALLIED_FIELDS = {"kind", "due_on", "green_from", "yellow_from", "fulfilled_on", "organization"}


def _tallies_mark(organization_ids) -> None:
    from ..services.tallies import tallies_mark

    tallies_mark(organization_ids)


class ObligationQuerySet(ScopedQuerySet):
    def _organization_ids(self) -> set[int]:
        return set(self.order_by().values_list("organization_id", flat=True).distinct())

    def update(self, **kwargs):
        if not TALLIED_FIELDS & {name.removesuffix("_id") for name in kwargs}:
            return super().update(**kwargs)
        organization_ids = self._organization_ids()
        updated = super().update(**kwargs)
        _tallies_mark(organization_ids)
        return updated

    update.alters_data = True

    def delete(self):
        organization_ids = self._organization_ids()
        deleted = super().delete()
        _tallies_mark(organization_ids)
        return deleted

    delete.alters_data = True

    def bulk_create(self, objs, *args, **kwargs):
        created = super().bulk_create(objs, *args, **kwargs)
        _tallies_mark({obj.organization_id for obj in created})
        return created

    def with_alert(self, level: str, today):
        """Filter by colour in the database: the windows are stored as dates on each row."""
        q = models.Q
        open_ = q(fulfilled_on__isnull=True)
        conditions = {
            "upcoming": open_ & q(green_from__gt=today),
            "green": open_ & q(green_from__lte=today, yellow_from__gt=today),
            "yellow": open_ & q(yellow_from__lte=today, due_on__gte=today),
            "red": open_ & q(due_on__lt=today),
            "done": q(fulfilled_on__isnull=False, fulfilled_on__lte=models.F("due_on")),
            "late": q(fulfilled_on__isnull=False, fulfilled_on__gt=models.F("due_on")),
        }
        return self.filter(conditions[level])


class Obligation(models.Model):
    """What one organization owes for one rule and one period. Nobody ticks it by hand:
    ``fulfilled_on`` is set by the record that does the work (meeting, dues, election)."""

    scope_path_field = "organization__path"

    rule = models.ForeignKey(
        CalendarRule, on_delete=models.PROTECT, related_name="obligations", verbose_name=_("事项")
    )
    rule_code = models.SlugField(_("事项编码"), max_length=40)
    kind = models.CharField(_("事项类别"), max_length=20, choices=ItemKind.choices)
    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.CASCADE,
        related_name="obligations",
        verbose_name=_("组织"),
    )
    period_start = models.DateField(_("周期开始"))
    period_end = models.DateField(_("周期结束"))
    period_label = models.CharField(_("周期"), max_length=30)
    due_on = models.DateField(_("截止日期"))
    green_from = models.DateField(_("绿色通知起"))
    yellow_from = models.DateField(_("黄色提醒起"))
    fulfilled_on = models.DateField(_("完成日期"), null=True, blank=True)
    meeting = models.ForeignKey(
        "agenda.Meeting",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="obligations",
        verbose_name=_("会议记录"),
    )
    election = models.ForeignKey(
        "agenda.Election",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="obligations",
        verbose_name=_("换届记录"),
    )

    objects = ObligationQuerySet.as_manager()

    class Meta:
        verbose_name = _("应办事项")
        verbose_name_plural = _("应办事项")
        ordering = ["due_on", "rule__sort_order"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "rule_code", "period_start"], name="obligation_once"
            ),
        ]
        permissions = [
            ("generate_obligation", "Can generate obligations from the calendar rules"),
            ("export_obligation", "Can export obligations"),
        ]
        indexes = [
            models.Index(fields=["due_on"]),
            models.Index(fields=["organization", "kind", "period_start"]),
        ]

    def __str__(self):
        return f"{self.organization} {self.rule} {self.period_label}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        fields = kwargs.get("update_fields")
        if fields is None or TALLIED_FIELDS & {name.removesuffix("_id") for name in fields}:
            _tallies_mark({self.organization_id})

    def delete(self, *args, **kwargs):
        organization_id = self.organization_id
        deleted = super().delete(*args, **kwargs)
        _tallies_mark({organization_id})
        return deleted

    def alert(self, today) -> str:
        from bastion.core.alerts import alert_level

        return alert_level(
            today=today,
            due_on=self.due_on,
            green_from=self.green_from,
            yellow_from=self.yellow_from,
            fulfilled_on=self.fulfilled_on,
        )
