"""API tokens: the model, the authentication class DRF uses, and their services.

A token is a random key shown once, when it is issued; only its SHA-256 digest is stored, with
its first characters (``prefix``) so its owner can tell tokens apart in a list. A person may hold
several (one per script or client), each expiring after ``BASTION_API_TOKEN_DAYS``.

A token also carries a fingerprint of its owner's password hash (an HMAC keyed by SECRET_KEY):
any change of the password — the account page, a reset, an activation, the admin — changes the
hash, so every older token stops matching without a hook in any of those places. A deactivated
account (``is_active`` False) and an account locked by django-axes are refused as well.

    token, key = api_token_issue(user=user, name="Excel 同步脚本")   # key: show it once
    api_tokens_revoke(user=user, reason="deactivated")              # all of a user's tokens
    api_token_revoke(actor=user, token=token)                       # one, by its owner
    active_tokens(user)                                              # what the owner may list
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

KEYWORD = "Token"  # Authorization: Token <key>, as DRF's own token authentication
PREFIX_LENGTH = 8
FINGERPRINT_LENGTH = 16
# last_used_at is written at most this often, so that a busy client does not write per request.
LAST_USED_EVERY = dt.timedelta(minutes=1)
_FINGERPRINT_SALT = "bastion.core.tokens.password_fingerprint"


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def password_fingerprint(password_hash: str) -> str:
    """A short HMAC of the account's password hash, keyed by SECRET_KEY."""
    return salted_hmac(_FINGERPRINT_SALT, password_hash or "").hexdigest()[:FINGERPRINT_LENGTH]


def token_lifetime() -> dt.timedelta:
    return dt.timedelta(days=getattr(settings, "BASTION_API_TOKEN_DAYS", 30))


class ApiTokenQuerySet(models.QuerySet):
    def for_key(self, key: str):
        return self.filter(key_digest=key_digest(key))

    def unexpired(self):
        return self.filter(expires_at__gt=timezone.now())


class ApiToken(models.Model):
    """One API key of one account. The key itself is never stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("账号"),
    )
    key_digest = models.CharField(_("令牌摘要"), max_length=64, unique=True)
    prefix = models.CharField(_("令牌前缀"), max_length=PREFIX_LENGTH)
    name = models.CharField(_("名称"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("签发时间"), default=timezone.now)
    expires_at = models.DateTimeField(_("到期时间"), db_index=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    password_fingerprint = models.CharField(_("密码指纹"), max_length=FINGERPRINT_LENGTH)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")

    def __str__(self):
        return f"{self.name or _('API 令牌')}（{self.prefix}…）"

    def is_expired(self, now: dt.datetime | None = None) -> bool:
        return self.expires_at <= (now or timezone.now())

    def matches_password(self, user) -> bool:
        return constant_time_compare(self.password_fingerprint, password_fingerprint(user.password))

    def touch(self, now: dt.datetime | None = None) -> None:
        """Stamp ``last_used_at``, at most once per ``LAST_USED_EVERY``."""
        now = now or timezone.now()
        if self.last_used_at is None or now - self.last_used_at >= LAST_USED_EVERY:
            ApiToken.objects.filter(pk=self.pk).update(last_used_at=now)
            self.last_used_at = now


# --- selectors ----------------------------------------------------------------------------------


def active_tokens(user):
    """The tokens that would authenticate ``user`` now (newest first); never the keys."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return ApiToken.objects.none()
    return ApiToken.objects.unexpired().filter(
        user=user, password_fingerprint=password_fingerprint(user.password)
    )


# --- services -----------------------------------------------------------------------------------


def _audit(token: ApiToken, action: str, changes: dict) -> None:
    from auditlog.models import LogEntry

    action_value = getattr(LogEntry.Action, action)
    LogEntry.objects.log_create(token, action=action_value, force_log=True, changes=changes)


def api_token_issue(*, user, name: str = "") -> tuple[ApiToken, str]:
    """A new token for ``user`` (whose password was just checked): ``(token, key)``. The key is
    returned once and never stored."""
    from auditlog.context import set_actor

    key = secrets.token_urlsafe(32)
    now = timezone.now()
    token = ApiToken(
        user=user,
        key_digest=key_digest(key),
        prefix=key[:PREFIX_LENGTH],
        name=(name or "").strip(),
        created_at=now,
        expires_at=now + token_lifetime(),
        password_fingerprint=password_fingerprint(user.password),
    )
    with transaction.atomic(), set_actor(user):
        token.full_clean()
        token.save()
        changes = {"name": [None, token.name], "expires_at": [None, str(token.expires_at)]}
        _audit(token, "CREATE", changes)
    return token, key


@transaction.atomic
def api_tokens_revoke(*, user, reason: str) -> int:
    """Revoke every token of ``user`` (deactivation, reset): the number revoked. The audit
    entries name the caller's actor (``auditlog.context.set_actor``) and ``reason``."""
    tokens = list(ApiToken.objects.filter(user=user))
    for token in tokens:
        _audit(token, "DELETE", {"reason": [None, reason]})
    ApiToken.objects.filter(pk__in=[t.pk for t in tokens]).delete()
    return len(tokens)


def api_token_revoke(*, actor, token: ApiToken) -> None:
    """Revoke one token; only its owner may (callers look it up among the actor's own: 404)."""
    from auditlog.context import set_actor

    if token.user_id != actor.pk:
        raise PermissionDenied(_("只能撤销自己的令牌。"))
    with transaction.atomic(), set_actor(actor):
        _audit(token, "DELETE", {"reason": [None, "revoked by owner"]})
        token.delete()


def api_tokens_purge(*, today: dt.date) -> dict:
    """Daily job: drop the tokens that can never authenticate again (expired, or issued before
    their owner's last password change)."""
    expired, _by_model = ApiToken.objects.filter(expires_at__lte=timezone.now()).delete()
    rows = ApiToken.objects.values_list("pk", "password_fingerprint", "user__password")
    stale = [pk for pk, mark, password in rows if mark != password_fingerprint(password)]
    stale_count, _by_model = ApiToken.objects.filter(pk__in=stale).delete()
    return {"expired": expired, "password_changed": stale_count}


# --- authentication -----------------------------------------------------------------------------


UNKNOWN = _("令牌无效或已被撤销，请重新获取令牌。")
EXPIRED = _("令牌已过期，请重新获取令牌。")
PASSWORD_CHANGED = _("账号密码已修改，此前签发的令牌已失效，请重新获取令牌。")
INACTIVE = _("账号已停用，令牌不能使用。")
LOCKED = _(
    "该账号连续5次登录失败，已被临时锁定，令牌暂不能使用。"
    "如需立即解锁，请联系本支部书记或党建工作部。"
)


class ExpiringTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>`` against ``ApiToken``: 401 for an unknown, revoked or
    expired token, a changed password, a deactivated or a locked account."""

    keyword = KEYWORD
    model = ApiToken

    def authenticate(self, request):
        found = super().authenticate(request)  # parses the header, then authenticate_credentials
        if found is None:
            return None
        user, token = found
        if is_locked_out(request, user):
            raise AuthenticationFailed(LOCKED)
        token.touch()
        return user, token

    def authenticate_credentials(self, key):
        token = ApiToken.objects.select_related("user").for_key(key).first()
        if token is None:
            raise AuthenticationFailed(UNKNOWN)
        if not token.user.is_active:
            raise AuthenticationFailed(INACTIVE)
        if not token.matches_password(token.user):
            raise AuthenticationFailed(PASSWORD_CHANGED)
        if token.is_expired():
            raise AuthenticationFailed(EXPIRED)
        return token.user, token


def is_locked_out(request, user) -> bool:
    """What django-axes answers for a login by ``user`` now (its lockout is per username)."""
    from axes.handlers.proxy import AxesProxyHandler

    django_request = getattr(request, "_request", request)  # axes reads the Django request
    credentials = {"username": user.get_username()}
    return not AxesProxyHandler.is_allowed(django_request, credentials)
