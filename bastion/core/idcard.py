"""Resident identity numbers (居民身份证号码, GB 11643-1999): validation and masking."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .text import plain_code

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CODES = "10X98765432"


def check_code(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CODES[total % 11]


def normalize(value: str) -> str:
    """Full-width digits and letters made ASCII, spaces removed, ``x`` made ``X``."""
    return plain_code(value or "").upper()


def is_legacy(number: str) -> bool:
    """A 15-digit number of the first generation (before 1999): no century, no check code."""
    return len(number) == 15 and number.isdigit()


def upgrade_legacy(number: str) -> str | None:
    """The 18-digit number of a 15-digit one (GB 11643-1999): "19" before the two-digit birth
    year, then the check code. None when the 15 digits hold no valid birth date."""
    if not is_legacy(number):
        return None
    first17 = number[:6] + "19" + number[6:]
    birth = birth_date_of(first17)
    if birth is None:
        return None
    return first17 + check_code(first17)


def canonical(value: str) -> str:
    """``normalize``, and a 15-digit number upgraded to its 18 digits: the form to look up."""
    number = normalize(value)
    return upgrade_legacy(number) or number


def birth_date_of(number: str) -> dt.date | None:
    try:
        return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def validate_id_number(value: str) -> str:
    """Return the normalized number or raise ValidationError with a message in Chinese."""
    number = normalize(value)
    if is_legacy(number) and upgrade_legacy(number) is None:
        raise ValidationError(
            _("这是15位旧版身份证号码，但其中的出生日期无效，请核对。"), code="legacy"
        )
    if is_legacy(number):
        raise ValidationError(
            _(
                "这是15位旧版身份证号码，请换算为18位新号码后再录入（在出生年份前补“19”并计算校验码）。"
            ),
            code="legacy",
        )
    if len(number) != 18:
        raise ValidationError(
            _("身份证号码应为18位，当前为%(n)d位。") % {"n": len(number)}, code="length"
        )
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise ValidationError(_("身份证号码前17位应为数字，最后一位为数字或X。"), code="chars")
    birth = birth_date_of(number)
    if birth is None or birth > dt.date.today() or birth.year < 1900:
        raise ValidationError(_("身份证号码中的出生日期无效。"), code="birth")
    if check_code(number[:17]) != number[17]:
        raise ValidationError(_("身份证号码校验位不正确，请核对是否录入有误。"), code="checksum")
    return number


def mask_id_number(number: str) -> str:
    """Show the region and the last four digits only: 440902********123X."""
    if not number:
        return ""
    if len(number) < 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_logged_id_number(value: str) -> str:
    """The audit log's mask for ID numbers (auditlog's ``mask_callable``) and the way history
    shows them: 6 + 4 like every page. The log stores ``"None"`` for no number; an entry masked
    by an earlier rule (auditlog's own first-half mask) keeps only its last four digits."""
    if value in ("", "None"):
        return value
    if value == "**ne":  # auditlog's own mask of "None", the log's word for no number
        return "None"
    if "*" not in value:
        return mask_id_number(value)
    if value == value[:6] + "*" * (len(value) - 10) + value[-4:] and "*" not in value[:6]:
        return value
    return "*" * (len(value) - 4) + value[-4:]


def gender_of(number: str) -> str:
    """The 17th digit is odd for men and even for women."""
    return "male" if int(number[16]) % 2 else "female"
