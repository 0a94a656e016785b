"""Meetings of 三会一课 and other organisational life: attendance, minutes, evidence, review."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bastion.core.evidence import EvidenceFile, EvidenceKind, evidence_upload_to
from bastion.core.scope import ScopedQuerySet

from .rules import MEETING_KINDS, ItemKind

MEETING_KIND_CHOICES = [
    (value, label) for value, label in ItemKind.choices if value in MEETING_KINDS
]


class MeetingStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待审核")
    APPROVED = "approved", _("已通过")
    RETURNED = "returned", _("已退回")


# A returned record no longer counts: the obligation turns red (or stays late) until fixed.
FULFILLING_STATUSES = [MeetingStatus.SUBMITTED, MeetingStatus.APPROVED]


class Meeting(models.Model):
    scope_path_field = "organization__path"

    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="meetings",
        verbose_name=_("组织"),
    )
    kind = models.CharField(_("会议类型"), max_length=20, choices=MEETING_KIND_CHOICES)
    topic = models.CharField(_("主题"), max_length=200)
    held_on = models.DateField(_("召开日期"))
    place = models.CharField(_("地点"), max_length=100, blank=True)
    host = models.ForeignKey(
        "orgs.Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="hosted_meetings",
        verbose_name=_("主持人"),
    )
    lecturer = models.CharField(_("授课人"), max_length=50, blank=True)
    minutes = models.TextField(_("会议记录"), blank=True)
    status = models.CharField(
        _("审核状态"), max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.SUBMITTED
    )
    review_note = models.CharField(_("审核意见"), max_length=500, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("记录人"),
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("会议记录")
        verbose_name_plural = _("会议记录")
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["organization", "kind", "held_on"])]
        permissions = [("review_meeting", "Can review meeting")]

    def __str__(self):
        return f"{self.held_on} {self.get_kind_display()} {self.topic}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("agenda:meeting_detail", args=[self.pk])


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("出席")
    LEAVE = "leave", _("请假")
    ABSENT = "absent", _("缺席")


class Attendance(models.Model):
    scope_path_field = "meeting__organization__path"

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="attendance", verbose_name=_("会议")
    )
    person = models.ForeignKey(
        "orgs.Person", on_delete=models.PROTECT, related_name="attendance", verbose_name=_("人员")
    )
    status = models.CharField(_("出勤"), max_length=10, choices=AttendanceStatus.choices)
    reason = models.CharField(_("请假事由"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("出勤")
        verbose_name_plural = _("出勤")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], name="attendance_once"),
        ]

    def __str__(self):
        return f"{self.person} {self.get_status_display()}"


meeting_upload_to = evidence_upload_to  # named by migration 0001


class MeetingAttachment(EvidenceFile):
    scope_path_field = "meeting__organization__path"
    upload_folder = "agenda/meetings/{meeting_id}"

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("会议")
    )
    kind = models.CharField(_("类型"), max_length=10, choices=EvidenceKind.choices)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta(EvidenceFile.Meta):
        verbose_name = _("会议附件")
        verbose_name_plural = _("会议附件")
