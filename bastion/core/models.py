"""Shared kernel models: the account, login events and background import jobs."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A login account. What it may see comes from role assignments on organization nodes."""

    class Meta:
        verbose_name = _("账号")
        verbose_name_plural = _("账号")

    def __str__(self):
        name = self.display_name
        return f"{name}（{self.username}）" if name != self.username else self.username

    @property
    def display_name(self) -> str:
        """What people call the account's holder: the linked person's name, else the account's
        own full name, else the username."""
        person = self.linked_person
        if person is not None and person.name:
            return person.name
        return self.get_full_name() or self.username

    @property
    def organization_name(self) -> str:
        person = self.linked_person
        organization = getattr(person, "organization", None) if person is not None else None
        return organization.name if organization is not None else ""

    @property
    def linked_person(self):
        """The person this account belongs to (``Person.user``), or None. Core knows the person
        model only by the setting, so the reverse accessor is read through the field cache: a
        list that selected ``person__organization`` costs nothing here, and a lone account (the
        signed-in user on every page) loads the person with their organization in one query."""
        try:
            relation = self._meta.get_field("person")
        except FieldDoesNotExist:
            return None
        if relation.is_cached(self):
            return relation.get_cached_value(self)
        if self.pk is None:
            return None
        person = (
            relation.related_model._default_manager.select_related("organization")
            .filter(user=self)
            .first()
        )
        relation.set_cached_value(self, person)
        return person


class SecurityEvent(models.Model):
    """Logins, logouts and failed logins: who, when, from where."""

    class Kind(models.TextChoices):
        LOGIN = "login", _("登录")
        LOGOUT = "logout", _("退出")
        FAILED = "failed", _("登录失败")
        LOCKED = "locked", _("账号锁定")

    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    username = models.CharField(_("用户名"), max_length=150, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        verbose_name=_("账号"),
    )
    ip_address = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    user_agent = models.CharField(_("浏览器"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("登录日志")
        verbose_name_plural = _("登录日志")

    def __str__(self):
        return f"{self.get_kind_display()} {self.username} {self.created_at:%Y-%m-%d %H:%M}"


class ImportJob(models.Model):
    """One Excel upload: validated first (preview), then written all-or-nothing by a job."""

    class Status(models.TextChoices):
        VALIDATING = "validating", _("校验中")
        INVALID = "invalid", _("有错误")
        READY = "ready", _("待确认导入")
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("导入中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("导入失败")

    class Stage(models.TextChoices):
        VALIDATE = "validate", _("校验")
        COMMIT = "commit", _("导入")

    kind = models.CharField(_("导入类型"), max_length=32)
    file = models.FileField(_("文件"), upload_to="imports/%Y/%m/")
    original_name = models.CharField(_("原文件名"), max_length=255)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.VALIDATING
    )
    total_rows = models.PositiveIntegerField(_("总行数"), default=0)
    processed_rows = models.PositiveIntegerField(_("已处理行数"), default=0)
    errors = models.JSONField(_("错误"), default=list, blank=True)
    preview = models.JSONField(_("预览"), default=list, blank=True)
    summary = models.JSONField(_("结果"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, verbose_name=_("导入人")
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    # Recovery (bastion.core.jobs): which run was queued last, when, and when a worker last
    # showed progress; a run whose worker died is noticed by its silence and can be retried.
    stage = models.CharField(
        _("阶段"), max_length=10, choices=Stage.choices, default=Stage.VALIDATE
    )
    attempt = models.PositiveIntegerField(_("第几次运行"), default=1)
    queued_at = models.DateTimeField(_("排队时间"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("最近进展"), null=True, blank=True)

    IN_PROGRESS = (Status.VALIDATING, Status.QUEUED, Status.RUNNING)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")

    def __str__(self):
        return f"{self.original_name}（{self.get_status_display()}）"

    @property
    def in_progress(self) -> bool:
        return self.status in self.IN_PROGRESS

    @property
    def can_retry(self) -> bool:
        """A run that failed (system error, or its worker died) runs again from the stored file."""
        return self.status == self.Status.FAILED and bool(self.file)

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 100 if self.status == self.Status.DONE else 0
        return min(100, round(100 * self.processed_rows / self.total_rows))


from .heartbeat import WorkerHeartbeat  # noqa: E402, F401  (manage.py worker, /readyz)

# The inbox lives in its own package (bastion/core/notifications/); imported so Django finds it.
from .notifications.models import (  # noqa: E402, F401
    Notification,
    NotificationLevel,
    NotificationSubject,
)
from .thresholds import Threshold, ThresholdCode, threshold  # noqa: E402, F401
from .tokens import ApiToken  # noqa: E402, F401  (model, authentication and services there)
