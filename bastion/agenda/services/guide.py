"""Writes to the operation guide (一书): pages and their attachments.

The guide is company-wide: editing it belongs to root-level holders of
``agenda.add_guidepage`` / ``agenda.change_guidepage`` (the party-building department).
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from bastion.core.evidence import DOCX, JPEG, PDF, PNG, PPTX, XLSX, check_upload
from bastion.core.services import service

from ..models import GuideAttachment, GuidePage
from .rules import holds_at_root, require_root

GUIDE_FIELDS = ("slug", "title", "summary", "body", "source", "sort_order")
RESERVED_SLUGS = {"add", "attachments"}
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# What a guide page may carry: documents and pictures, no legacy binary Office files.
GUIDE_FILE_TYPES = (PDF, DOCX, XLSX, PPTX, JPEG, PNG)
NO_EDIT = gettext_noop("只有公司党建工作部（在顶级组织任职的管理员）可以编辑操作指引。")


def can_add_guide(user) -> bool:
    return holds_at_root(user, "agenda.add_guidepage")


def can_edit_guide(user) -> bool:
    return holds_at_root(user, "agenda.change_guidepage")


def _clean_text(fields: dict) -> dict:
    """PostgreSQL refuses NUL characters in text: drop them, and trim single-line fields."""
    cleaned = {}
    for name, value in fields.items():
        if isinstance(value, str):
            value = value.replace("\x00", "")
            if name != "body":
                value = value.strip()
        cleaned[name] = value
    return cleaned


def _validate(page: GuidePage) -> None:
    errors: dict[str, str] = {}
    if not SLUG_RE.match(page.slug or "") or len(page.slug) > 60:
        errors["slug"] = _(
            "页面编码只能由小写字母、数字和连字符组成（不超过 60 个字符），如 party-dues。"
        )
    elif page.slug in RESERVED_SLUGS:
        errors["slug"] = _("“%(slug)s”是系统保留字，请换一个页面编码。") % {"slug": page.slug}
    elif GuidePage.objects.filter(slug=page.slug).exclude(pk=page.pk).exists():
        errors["slug"] = _("页面编码“%(slug)s”已被其他指引使用。") % {"slug": page.slug}
    if not page.title:
        errors["title"] = _("请填写标题。")
    if not (page.body or "").strip():
        errors["body"] = _("请填写正文。")
    if errors:
        raise ValidationError(errors)
    page.full_clean(exclude=["updated_by"], validate_unique=False)


def _assign(page: GuidePage, fields: dict) -> None:
    unknown = set(fields) - set(GUIDE_FIELDS)
    if unknown:
        raise ValueError(f"unknown guide fields: {sorted(unknown)}")
    for name, value in _clean_text(fields).items():
        setattr(page, name, value)


@service
def guide_page_create(*, actor, **fields) -> GuidePage:
    require_root(actor, "agenda.add_guidepage", _(NO_EDIT))
    page = GuidePage(updated_by=actor)
    _assign(page, fields)
    _validate(page)
    page.save()
    return page


@service
def guide_page_update(*, actor, page: GuidePage, **fields) -> GuidePage:
    require_root(actor, "agenda.change_guidepage", _(NO_EDIT))
    _assign(page, fields)
    page.updated_by = actor
    _validate(page)
    page.save()
    return page


@service
def guide_attachment_add(*, actor, page: GuidePage, upload) -> GuideAttachment:
    """Store an uploaded file under a generated name after checking its type (by content)
    and size (``attachments.check_upload``); the original name is kept for downloads."""
    require_root(actor, "agenda.change_guidepage", _(NO_EDIT))
    try:
        checked = check_upload(upload, types=GUIDE_FILE_TYPES)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from exc
    attachment = GuideAttachment(page=page, original_name=checked.original_name, size=checked.size)
    attachment.file.save(checked.storage_name(), File(upload), save=False)
    try:
        attachment.save()
    except Exception:
        attachment.file.storage.delete(attachment.file.name)
        raise
    return attachment


@service
def guide_attachment_delete(*, actor, attachment: GuideAttachment) -> None:
    require_root(actor, "agenda.change_guidepage", _(NO_EDIT))
    storage, name = attachment.file.storage, attachment.file.name
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(name))
