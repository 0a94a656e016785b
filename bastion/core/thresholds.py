"""Alert thresholds: the numbers the rules speak of (days before a deadline turns yellow, months
unpaid before the dues alarm, days overdue before a problem escalates), kept as data with the
date they take effect and their source.

The kernel owns them beside the alert levels (``core/alerts.py``) so that every module reads its
thresholds from one table without importing another module. A module that needs a new one adds
its code here and seeds its row in a data migration of its own.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ThresholdCode(models.TextChoices):
    DUES_MISSED_MONTHS = "dues_missed_months", _("连续未缴党费告警月数")
    INACTIVE_DAYS = "inactive_days", _("静默支部判定天数")
    TASK_DUE_SOON_DAYS = "task_due_soon_days", _("工作单即将到期提醒天数")
    PROBLEM_NOTICE_DAYS = "problem_notice_days", _("整改时限绿色通知提前天数")
    PROBLEM_REMINDER_DAYS = "problem_reminder_days", _("整改时限黄色提醒提前天数")
    PROBLEM_ESCALATE_DAYS = "problem_escalate_days", _("逾期问题提级天数（0 为不提级）")


class Threshold(models.Model):
    """One threshold's value from a date on; the row in force is the latest that has begun."""

    code = models.CharField(_("名称"), max_length=40, choices=ThresholdCode.choices)
    value = models.PositiveSmallIntegerField(_("数值"))
    effective_from = models.DateField(_("生效日期"))
    source = models.CharField(_("依据来源"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("阈值")
        verbose_name_plural = _("阈值")
        ordering = ["code", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["code", "effective_from"], name="threshold_once"),
        ]

    def __str__(self):
        return f"{self.get_code_display()} {self.value}"


def threshold(code: str, on=None) -> int:
    """The value in force on ``on`` (today by default); seeded by migration, so always there."""
    from django.utils import timezone

    row = (
        Threshold.objects.filter(code=code, effective_from__lte=on or timezone.localdate())
        .order_by("-effective_from")
        .values_list("value", flat=True)
        .first()
    )
    if row is None:
        raise Threshold.DoesNotExist(f"no threshold {code!r} in force")
    return row
