"""The in-app inbox and the daily digest sent by e-mail and webhook."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationLevel(models.TextChoices):
    GREEN = "green", _("绿色通知")
    YELLOW = "yellow", _("黄色提醒")
    RED = "red", _("红色告警")
    INFO = "info", _("消息")


class Notification(models.Model):
    """One inbox message. A daily digest is one message listing every item, not one per item."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("接收人"),
    )
    level = models.CharField(_("级别"), max_length=10, choices=NotificationLevel.choices)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    items = models.JSONField(_("事项"), default=list, blank=True)
    digest_on = models.DateField(_("摘要日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    webhook_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "digest_on"],
                condition=models.Q(digest_on__isnull=False),
                name="one_digest_per_day",
            ),
        ]

    def __str__(self):
        return self.title
