"""Messages outside the inbox: e-mail (SMTP from settings) and a chat-robot webhook.

A person's message (a digest or an event) goes by e-mail to their address; the robot, which
posts to a group chat, gets each digest and one message per event (not one per person).

Settings (read with defaults, so an unconfigured site simply skips a channel):
``DEFAULT_FROM_EMAIL`` and Django's ``EMAIL_*`` for mail; ``BASTION_WEBHOOK_URL`` (empty: off),
``BASTION_WEBHOOK_KIND`` (``wecom`` or ``dingtalk``), ``BASTION_WEBHOOK_TIMEOUT`` (seconds),
``BASTION_WEBHOOK_MAX_BYTES`` (robots reject long messages; 企业微信 takes 4096 bytes) and
``BASTION_SITE_URL`` (prefix that turns the stored relative links into absolute ones).
"""

from __future__ import annotations

import copy
import json
import urllib.parse
import urllib.request

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

DEFAULT_WEBHOOK_TIMEOUT = 5
DEFAULT_WEBHOOK_MAX_BYTES = 4000
RESPONSE_LIMIT = 64 * 1024
NAMES_SHOWN = 30  # an event told to more people names the first ones only


class WebhookError(Exception):
    pass


def site_url(url: str) -> str:
    base = (getattr(settings, "BASTION_SITE_URL", "") or "").rstrip("/")
    return f"{base}{url}" if url.startswith("/") else url


def detail_url(notification) -> str:
    return site_url(reverse("notification_detail", args=[notification.pk]))


def recipient_name(user) -> str:
    return user.display_name


# --- e-mail -------------------------------------------------------------------------------


def message_email(notification, connection=None) -> EmailMultiAlternatives:
    context = {
        "notification": notification,
        "sections": copy.deepcopy(notification.items),
        "name": recipient_name(notification.recipient),
        "detail_url": detail_url(notification),
        "site_url": site_url("/"),
    }
    for section in context["sections"]:
        for line in section.get("lines", []):
            line["abs_url"] = site_url(line.get("url", ""))
    message = EmailMultiAlternatives(
        subject=notification.title,
        body=render_to_string("core/notifications/email/message.txt", context),
        from_email=getattr(settings, "DEFAULT_FROM_EMAIL", None),
        to=[notification.recipient.email],
        connection=connection,
    )
    message.attach_alternative(
        render_to_string("core/notifications/email/message.html", context), "text/html"
    )
    return message


# --- webhook ------------------------------------------------------------------------------

MARK = {"red": "🔴", "yellow": "🟡", "green": "🟢", "info": "▫️"}


def digest_markdown(notification, max_bytes: int | None = None) -> str:
    """The digest as robot markdown, cut to ``max_bytes`` (UTF-8) with a count of what is left."""
    if max_bytes is None:
        max_bytes = int(getattr(settings, "BASTION_WEBHOOK_MAX_BYTES", DEFAULT_WEBHOOK_MAX_BYTES))
    head = [
        f"### {notification.title}",
        _("接收人：%(name)s") % {"name": recipient_name(notification.recipient)},
    ]
    if notification.body:
        head.append(notification.body)
    lines: list[str] = []
    for section in notification.items:
        lines.append(f"**{section['title']}**（{section.get('count_text', section['total'])}）")
        for line in section.get("lines", []):
            lines.append(_markdown_line(line))
        if section.get("more"):
            lines.append(_("另有 %(n)s 项") % {"n": section["more"]})
    foot = f"[{_('登录系统查看详情')}]({detail_url(notification)})"
    return _fit(head, lines, foot, max_bytes)


def _markdown_line(line: dict) -> str:
    counts = line.get("counts")
    tally = ""
    if counts:
        tally = _("红 %(red)s / 黄 %(yellow)s / 绿 %(green)s；") % counts
    tail = "".join(f"，{line[key]}" for key in ("date", "note") if line.get(key))
    return f"> {MARK.get(line.get('level'), '')} {line.get('org', '')}：{tally}{line['text']}{tail}"


def _fit(head: list[str], lines: list[str], foot: str, max_bytes: int) -> str:
    """Keep whole lines while they fit, then say how many were left out."""

    def size(parts: list[str]) -> int:
        return len("\n".join(parts).encode("utf-8"))

    def left_out(n: int) -> list[str]:
        return [_("……另有 %(n)s 行未显示，请登录系统查看") % {"n": n}] if n else []

    kept = list(head)
    for index, line in enumerate(lines):
        if size([*kept, line, *left_out(len(lines) - index - 1), foot]) > max_bytes:
            kept.extend(left_out(len(lines) - index))
            break
        kept.append(line)
    text = "\n".join([*kept, foot])
    return text.encode("utf-8")[:max_bytes].decode("utf-8", errors="ignore")


def webhook_payload(notification) -> dict:
    """One person's message (their daily digest) for the robot."""
    return _markdown_payload(notification.title, digest_markdown(notification))


def event_markdown(notifications: list, max_bytes: int | None = None) -> str:
    """One event for the robot: its title and body, who was told, and a link to it."""
    if max_bytes is None:
        max_bytes = int(getattr(settings, "BASTION_WEBHOOK_MAX_BYTES", DEFAULT_WEBHOOK_MAX_BYTES))
    first = notifications[0]
    head = [f"### {first.title}"]
    if len(notifications) == 1:
        head.append(_("接收人：%(name)s") % {"name": recipient_name(first.recipient)})
        if first.body:
            head.append(first.body)
    lines = []
    if len(notifications) > 1:
        names = "、".join(recipient_name(note.recipient) for note in notifications[:NAMES_SHOWN])
        more = _("等") if len(notifications) > NAMES_SHOWN else ""
        lines.append(_("已通知 %(n)s 人：") % {"n": len(notifications)} + names + more)
    link = site_url(first.url) if first.url else site_url(reverse("inbox"))
    foot = f"[{_('登录系统查看详情')}]({link})"
    return _fit(head, lines, foot, max_bytes)


def event_payload(notifications: list) -> dict:
    return _markdown_payload(notifications[0].title, event_markdown(notifications))


def _markdown_payload(title: str, content: str) -> dict:
    if getattr(settings, "BASTION_WEBHOOK_KIND", "wecom") == "dingtalk":
        return {"msgtype": "markdown", "markdown": {"title": title, "text": content}}
    return {"msgtype": "markdown", "markdown": {"content": content}}


def post_webhook(url: str, payload: dict, timeout: float | None = None) -> None:
    """POST ``payload`` as JSON; raise WebhookError unless the robot answers success."""
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise WebhookError(f"unsupported webhook url scheme: {url!r}")
    if timeout is None:
        timeout = float(getattr(settings, "BASTION_WEBHOOK_TIMEOUT", DEFAULT_WEBHOOK_TIMEOUT))
    request = urllib.request.Request(
        url,
        data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            raw = response.read(RESPONSE_LIMIT)
    except OSError as error:  # URLError, HTTPError, timeouts, refused connections
        raise WebhookError(str(error)) from error
    _check_answer(raw)


def _check_answer(raw: bytes) -> None:
    """企业微信 and 钉钉 answer HTTP 200 with ``{"errcode": 0}``; anything else is a failure."""
    try:
        answer = json.loads(raw.decode("utf-8") or "{}")
    except ValueError:
        return  # a plain robot that answers 2xx without JSON has accepted the message
    if isinstance(answer, dict) and answer.get("errcode", 0) not in (0, "0"):
        raise WebhookError(f"errcode {answer.get('errcode')}: {answer.get('errmsg', '')}")
