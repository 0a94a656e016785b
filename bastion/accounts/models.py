"""Accounts of the company's people: the rules that open and close them, one-time activation
codes, the 开户清单 of a bulk opening, and 忘记密码 requests answered by the branch.

The account itself is the kernel's ``core.User``; ``Account`` is that model seen through the scope
door: an account lies where its person's organization lies.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bastion.core.scope import ScopedQuerySet
from bastion.orgs.models import Person, Role
from bastion.orgs.models.person import MembershipStatus, PersonStatus


class UsernameSource(models.TextChoices):
    EMPLOYEE_NO = "employee_no", _("工号")
    PINYIN = "pinyin", _("姓名拼音加序号")


class AccountPolicy(models.Model):
    """How accounts are opened and closed: rules held as data, the newest in effect applies."""

    effective_from = models.DateField(_("生效日期"), default=dt.date(2000, 1, 1))
    username_source = models.CharField(
        _("用户名规则"),
        max_length=16,
        choices=UsernameSource.choices,
        default=UsernameSource.EMPLOYEE_NO,
        help_text=_("没有工号（或工号已被占用）的人员改用姓名拼音加序号。"),
    )
    member_role = models.ForeignKey(
        Role,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("党员自动获得的角色"),
        help_text=_("开通账号时，党员在本人所在支部自动获得此角色；留空则不自动授予。"),
    )
    member_statuses = models.JSONField(
        _("自动授予角色的政治面貌"),
        default=list,
        blank=True,
        help_text=_("如 full（正式党员）、probationary（预备党员）。"),
    )
    leaving_statuses = models.JSONField(
        _("视为离开的人员状态"),
        default=list,
        blank=True,
        help_text=_("人员变为这些状态时，其账号自动停用，如 transferred、resigned、deceased。"),
    )
    code_valid_days = models.PositiveSmallIntegerField(_("激活码有效天数"), default=14)
    source = models.CharField(_("依据"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("账号规则")
        verbose_name_plural = _("账号规则")
        ordering = ["-effective_from", "-id"]

    def __str__(self):
        return f"{self.effective_from:%Y-%m-%d} {self.get_username_source_display()}"

    @classmethod
    def current(cls) -> AccountPolicy:
        """The rule in effect today; the built-in defaults when none was ever saved."""
        today = timezone.localdate()
        policy = cls.objects.filter(effective_from__lte=today).select_related("member_role")
        return policy.first() or cls.defaults()

    @classmethod
    def defaults(cls) -> AccountPolicy:
        return cls(
            member_role=Role.objects.filter(code="member").first(),
            member_statuses=[MembershipStatus.FULL, MembershipStatus.PROBATIONARY],
            leaving_statuses=[
                PersonStatus.TRANSFERRED,
                PersonStatus.RESIGNED,
                PersonStatus.DECEASED,
            ],
        )

    def has_left(self, person: Person) -> bool:
        return person.status in self.leaving_statuses


class AccountQuerySet(ScopedQuerySet):
    def with_person(self):
        return self.select_related("person__organization")


class Account(get_user_model()):
    """A login account seen from the organization tree: managed by whoever holds the account
    permissions over its person's branch. Accounts with no person (system administrators) lie
    outside every subtree."""

    scope_path_field = "person__organization__path"

    objects = AccountQuerySet.as_manager()

    class Meta:
        proxy = True
        verbose_name = _("人员账号")
        verbose_name_plural = _("人员账号")
        default_permissions = ("view", "add", "change")


class CodeReason(models.TextChoices):
    OPENED = "opened", _("开通账号")
    RESET = "reset", _("重置")
    HELP = "help", _("忘记密码")


class ActivationCodeQuerySet(models.QuerySet):
    def usable(self):
        """Codes that still work: unused, unexpired, not spent by wrong tries."""
        from .codes import MAX_ATTEMPTS

        return self.filter(
            used_at__isnull=True,
            expires_at__gt=timezone.now(),
            failed_attempts__lt=MAX_ATTEMPTS,
        )


class ActivationCode(models.Model):
    """A one-time code that lets its person set their own password. Only a digest is kept."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="activation_codes",
        verbose_name=_("账号"),
    )
    digest = models.CharField(_("摘要"), max_length=64, db_index=True)
    reason = models.CharField(_("原因"), max_length=16, choices=CodeReason.choices)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("发放人"),
    )
    issued_at = models.DateTimeField(_("发放时间"), default=timezone.now)
    expires_at = models.DateTimeField(_("有效期至"))
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(_("输错次数"), default=0)

    objects = ActivationCodeQuerySet.as_manager()

    class Meta:
        verbose_name = _("激活码")
        verbose_name_plural = _("激活码")
        ordering = ["-issued_at"]

    def __str__(self):
        return f"{self.user} {self.issued_at:%Y-%m-%d}"


class AccountList(models.Model):
    """The 开户清单 of one opening: downloadable once, by whoever opened the accounts; the codes
    it holds are wiped at the download."""

    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="account_lists",
        verbose_name=_("开通人"),
    )
    created_at = models.DateTimeField(_("开通时间"), auto_now_add=True)
    description = models.CharField(_("范围"), max_length=300, blank=True)
    count = models.PositiveIntegerField(_("开通数"), default=0)
    entries = models.JSONField(_("待领取的激活码"), default=list, blank=True)
    downloaded_at = models.DateTimeField(_("下载时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("开户清单")
        verbose_name_plural = _("开户清单")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.description} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def downloadable(self) -> bool:
        return self.downloaded_at is None and bool(self.entries)


class HelpState(models.TextChoices):
    OPEN = "open", _("待处理")
    ANSWERED = "answered", _("已发放激活码")
    CLOSED = "closed", _("已关闭")


class PasswordHelpRequest(models.Model):
    """忘记密码: a person asks their branch for a new activation code (intranets have no e-mail)."""

    scope_path_field = "person__organization__path"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="password_help_requests",
        verbose_name=_("账号"),
    )
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="+", verbose_name=_("人员")
    )
    state = models.CharField(
        _("状态"), max_length=16, choices=HelpState.choices, default=HelpState.OPEN
    )
    note = models.CharField(_("留言"), max_length=200, blank=True)
    ip_address = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("处理人"),
    )
    answered_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("忘记密码申请")
        verbose_name_plural = _("忘记密码申请")
        ordering = ["-created_at"]
        default_permissions = ()

    def __str__(self):
        return f"{self.person} {self.created_at:%Y-%m-%d %H:%M}"
