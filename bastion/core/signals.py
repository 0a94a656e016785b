"""Record logins, logouts and failed logins as SecurityEvent rows."""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .models import SecurityEvent


def _client(request):
    if request is None:
        return None, ""
    ip = request.META.get("REMOTE_ADDR") or None
    agent = (request.META.get("HTTP_USER_AGENT") or "")[:255]
    return ip, agent


@receiver(user_logged_in)
def record_login(sender, request, user, **kwargs):
    ip, agent = _client(request)
    SecurityEvent.objects.create(
        kind=SecurityEvent.Kind.LOGIN,
        username=user.get_username(),
        user=user,
        ip_address=ip,
        user_agent=agent,
    )


@receiver(user_logged_out)
def record_logout(sender, request, user, **kwargs):
    if user is None:
        return
    ip, agent = _client(request)
    SecurityEvent.objects.create(
        kind=SecurityEvent.Kind.LOGOUT,
        username=user.get_username(),
        user=user,
        ip_address=ip,
        user_agent=agent,
    )


@receiver(user_login_failed)
def record_failed_login(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    ip, agent = _client(request)
    user = get_user_model().objects.filter(username=username).first()
    SecurityEvent.objects.create(
        kind=SecurityEvent.Kind.FAILED,
        username=username,
        user=user,
        ip_address=ip,
        user_agent=agent,
    )
