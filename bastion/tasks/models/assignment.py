"""One recipient organization's copy of a task: its state, its feedback, its review."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bastion.core.evidence import EvidenceFile, evidence_upload_to
from bastion.core.scope import ScopedQuerySet


class AssignmentState(models.TextChoices):
    UNREAD = "unread", _("未读")
    READ = "read", _("已读")
    SUBMITTED = "submitted", _("已反馈")
    RETURNED = "returned", _("已退回")
    ACCEPTED = "accepted", _("已采纳")


# States in which the recipient still owes an answer.
OPEN_STATES = [AssignmentState.UNREAD, AssignmentState.READ, AssignmentState.RETURNED]


class Assignment(models.Model):
    """Scoped by the recipient's path: a station sees only its own; the issuer, whose scope
    covers every recipient it may dispatch to, sees them all."""

    scope_path_field = "organization__path"

    task = models.ForeignKey(
        "tasks.Task", on_delete=models.CASCADE, related_name="assignments", verbose_name=_("工作单")
    )
    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="task_assignments",
        verbose_name=_("承办组织"),
    )
    state = models.CharField(
        _("状态"), max_length=10, choices=AssignmentState.choices, default=AssignmentState.UNREAD
    )
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)
    late = models.BooleanField(_("逾期反馈"), default=False)
    feedback = models.TextField(_("反馈内容"), blank=True)
    values = models.JSONField(_("反馈字段"), default=dict, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    return_reason = models.CharField(_("退回原因"), max_length=500, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("最近催办时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("任务承办")
        verbose_name_plural = _("任务承办")
        ordering = ["task", "organization__path"]
        constraints = [
            models.UniqueConstraint(fields=["task", "organization"], name="assignment_once"),
        ]
        indexes = [
            models.Index(fields=["task", "state"]),
            models.Index(fields=["organization", "state"]),
        ]

    def __str__(self):
        return f"{self.task} → {self.organization}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("tasks:assignment_detail", args=[self.pk])


feedback_upload_to = evidence_upload_to  # named by migration 0001


class FeedbackFile(EvidenceFile):
    scope_path_field = "assignment__organization__path"
    upload_folder = "tasks/feedback/{assignment_id}"

    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="files", verbose_name=_("任务承办")
    )
    field = models.ForeignKey(
        "tasks.FeedbackField",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("反馈字段"),
    )

    objects = ScopedQuerySet.as_manager()

    class Meta(EvidenceFile.Meta):
        verbose_name = _("反馈附件")
        verbose_name_plural = _("反馈附件")
