"""一事一单: one task sheet, its feedback form, pushed to many organizations.

A task is issued by an organization (``issuer``) and dispatched as one ``Assignment`` per
recipient organization. A recipient may pass the task down to its own subtree: that creates a
child task (``parent_assignment``) whose accepted feedback rolls up into the recipient's answer.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bastion.core.evidence import EvidenceFile, evidence_upload_to
from bastion.core.scope import ScopedQuerySet


class Priority(models.TextChoices):
    LOW = "low", _("一般")
    NORMAL = "normal", _("重要")
    HIGH = "high", _("紧急")
    URGENT = "urgent", _("特急")


class TaskStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    DISPATCHED = "dispatched", _("已派发")
    CLOSED = "closed", _("已结束")


class Task(models.Model):
    scope_path_field = "issuer__path"

    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("工作要求"), blank=True)
    issuer = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="issued_tasks",
        verbose_name=_("派发组织"),
    )
    due_on = models.DateField(_("反馈截止日期"))
    priority = models.CharField(
        _("紧急程度"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=TaskStatus.choices, default=TaskStatus.DRAFT
    )
    parent_assignment = models.OneToOneField(
        "tasks.Assignment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="child_task",
        verbose_name=_("上级任务（向下转派）"),
    )
    cascade_item = models.ForeignKey(
        "tasks.CascadeItem",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("所属四级贯通事项"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    dispatched_at = models.DateTimeField(_("派发时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("工作单")
        verbose_name_plural = _("工作单")
        ordering = ["-created_at", "-id"]
        permissions = [
            ("dispatch_task", "Can dispatch task"),
            ("review_task", "Can review task feedback"),
            ("export_task", "Can export task feedback"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("tasks:task_detail", args=[self.pk])


class FieldKind(models.TextChoices):
    TEXT = "text", _("文字")
    NUMBER = "number", _("数字")
    CHOICE = "choice", _("单选")
    DATE = "date", _("日期")
    FILE = "file", _("附件")


class FeedbackField(models.Model):
    """One typed question of a task's feedback form, e.g. "培训党员人数" (number)."""

    task = models.ForeignKey(
        Task, on_delete=models.CASCADE, related_name="fields", verbose_name=_("工作单")
    )
    label = models.CharField(_("字段名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=10, choices=FieldKind.choices)
    choices = models.JSONField(_("选项"), default=list, blank=True)
    required = models.BooleanField(_("必填"), default=True)
    help_text = models.CharField(_("填写说明"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("反馈字段")
        verbose_name_plural = _("反馈字段")
        ordering = ["position", "id"]

    def __str__(self):
        return self.label


task_upload_to = evidence_upload_to  # named by migration 0001


class TaskAttachment(EvidenceFile):
    upload_folder = "tasks/{task_id}"

    task = models.ForeignKey(
        Task, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("工作单")
    )

    class Meta(EvidenceFile.Meta):
        verbose_name = _("工作单附件")
        verbose_name_plural = _("工作单附件")
