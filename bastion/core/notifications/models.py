"""The inbox: one message per person and event, and what each message is about.

``Notification`` moved here from the agenda (its rows kept, see the migrations). A daily digest
is one message listing every item (``items``), not one per item. ``NotificationSubject`` names
the objects a message is about (an assignment, a problem …) so that a sender's page can show
read receipts per object in one query (``selectors.receipts``).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class NotificationLevel(models.TextChoices):
    GREEN = "green", _("绿色通知")
    YELLOW = "yellow", _("黄色提醒")
    RED = "red", _("红色告警")
    INFO = "info", _("消息")


class Notification(models.Model):
    """One inbox message to one person."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("接收人"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("发起人"),
    )
    event = models.CharField(_("事件"), max_length=60, blank=True, db_index=True)
    dedupe_key = models.CharField(_("去重键"), max_length=200, blank=True)
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
        indexes = [models.Index(fields=["recipient", "read_at"], name="core_notif_unread_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "digest_on"],
                condition=Q(digest_on__isnull=False),
                name="one_digest_per_day",
            ),
            models.UniqueConstraint(
                fields=["dedupe_key", "recipient"],
                condition=~Q(dedupe_key=""),
                name="one_message_per_event",
            ),
        ]

    def __str__(self):
        return self.title


class NotificationSubject(models.Model):
    """``notification`` is about the object ``kind`` (a model label such as
    ``tasks.assignment``) number ``object_id``. One message may be about many objects: a county
    secretary told of 30 stations' sheets gets one message with 30 subjects."""

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="subjects", verbose_name=_("通知")
    )
    kind = models.CharField(_("对象类型"), max_length=60)
    object_id = models.PositiveBigIntegerField(_("对象编号"))

    class Meta:
        verbose_name = _("通知对象")
        verbose_name_plural = _("通知对象")
        indexes = [models.Index(fields=["kind", "object_id"], name="core_notif_subject_idx")]

    def __str__(self):
        return f"{self.kind}:{self.object_id}"
