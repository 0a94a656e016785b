"""The issuer's feedback form, as data: check a recipient's answers against its typed fields.

Values are stored in ``Assignment.values`` keyed by field id (as text): numbers as decimal
text, choices as the chosen label, dates as ISO text, files as the ``FeedbackFile`` ids.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import FeedbackField, FieldKind

MAX_TEXT = 2000


def clean_values(fields: list[FeedbackField], data: dict) -> dict:
    """``data`` maps field id (int or text) to the raw answer; files are checked elsewhere.

    Raises one ValidationError whose dict names each bad field by its label, so pages and the
    API say exactly which answer is wrong; returns the cleaned values otherwise.
    """
    raw = {str(k): v for k, v in (data or {}).items()}
    known = {str(f.pk) for f in fields}
    unknown = sorted(set(raw) - known)
    errors: dict[str, list[str]] = {}
    if unknown:
        errors["values"] = [_("未知的反馈字段：%(ids)s。") % {"ids": "、".join(unknown)}]
    cleaned = {}
    for field in fields:
        if field.kind == FieldKind.FILE:
            continue
        value = raw.get(str(field.pk))
        try:
            result = clean_one(field, value)
        except ValidationError as exc:
            errors[field.label] = exc.messages
            continue
        if result is not None:
            cleaned[str(field.pk)] = result
    if errors:
        raise ValidationError(errors)
    return cleaned


MAX_DIGITS = 15  # digits before the point: more is a typing slip, not a count


def clean_one(field: FeedbackField, value):
    text = "" if value is None else str(value).replace("\x00", "").strip()
    if not text:
        if field.required:
            raise ValidationError(_("“%(label)s”必须填写。") % {"label": field.label})
        return None
    if field.kind == FieldKind.NUMBER:
        return _number(field, text)
    if field.kind == FieldKind.CHOICE:
        if text not in field.choices:
            raise ValidationError(
                _("“%(label)s”只能选择：%(choices)s。")
                % {"label": field.label, "choices": "、".join(field.choices)}
            )
        return text
    if field.kind == FieldKind.DATE:
        try:
            return dt.date.fromisoformat(text).isoformat()
        except ValueError:
            raise ValidationError(
                _("“%(label)s”应为日期，如 2026-03-01。") % {"label": field.label}
            ) from None
    if len(text) > MAX_TEXT:
        raise ValidationError(
            _("“%(label)s”不能超过 %(n)s 字。") % {"label": field.label, "n": MAX_TEXT}
        )
    return text


def _number(field: FeedbackField, text: str) -> str:
    try:
        number = Decimal(text.replace(",", ""))
    except InvalidOperation:
        raise ValidationError(_("“%(label)s”应为数字。") % {"label": field.label}) from None
    if not number.is_finite():
        raise ValidationError(_("“%(label)s”应为数字。") % {"label": field.label})
    if number and number.adjusted() >= MAX_DIGITS:
        raise ValidationError(_("“%(label)s”的数值过大。") % {"label": field.label})
    return format(number.normalize(), "f")


def display(field: FeedbackField, value) -> str:
    """An answer as a person reads it (pages, exports)."""
    if value in (None, ""):
        return ""
    if field.kind == FieldKind.FILE and isinstance(value, list):
        return _("%(n)s 个附件") % {"n": len(value)}
    return str(value)
