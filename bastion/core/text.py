"""Typed and imported text made plain: full-width characters, ideographic spaces, phone numbers.

Branches type on Chinese input methods, so "１３８ ００１３ ８０００", "Ａ００１" and "周　杰"
reach us as often as the ASCII forms. One set of rules serves every importer
(``bastion.core.excel``) and every form and API serializer, so a value typed in a form matches
the same value imported from a roster. Each function is cheap for the common case (plain ASCII
returns at once), because an import calls it for every cell of 60,000 rows.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# U+FF01..U+FF5E are the full-width forms of ASCII ! .. ~ (NFKC maps them the same way);
# U+3000 is the ideographic space. Only these are mapped: NFKC would also fold characters
# that belong in Chinese text (e.g. ㈠, ①), which a roster should keep as typed.
FULL_WIDTH = {0xFF01 + i: 0x21 + i for i in range(94)} | {0x3000: 0x20}
FULL_WIDTH_TABLE = str.maketrans(FULL_WIDTH)
_HAS_FULL_WIDTH = re.compile("[\uff01-\uff5e\u3000]")  # a C search: far cheaper than translate
# Prose (names, addresses, descriptions, choice labels) keeps its Chinese punctuation —
# "，" "（）" "：" are right there — so only digits, letters and the space are mapped.
PROSE = {k: v for k, v in FULL_WIDTH.items() if chr(v).isalnum() or v == 0x20}
PROSE_TABLE = str.maketrans(PROSE)
_HAS_FULL_WIDTH_ALNUM = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a\u3000]")
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff·•"
_GAP_IN_NAME = re.compile(rf"(?<=[{_CJK}])\s+(?=[{_CJK}])")
_SPACES = re.compile(r"\s+")


def plain(text: str) -> str:
    """Full-width ASCII forms → ASCII, ideographic space → space, trimmed: for numbers,
    codes, dates and phone numbers, where "－" "．" "（）" are the ASCII marks mistyped."""
    if not text.isascii() and _HAS_FULL_WIDTH.search(text):
        text = text.translate(FULL_WIDTH_TABLE)
    return text.strip()


def plain_text(text: str) -> str:
    """Prose: full-width digits and letters → ASCII, ideographic space → space, trimmed;
    Chinese punctuation kept ("（限期整改）" stays as it is)."""
    if not text.isascii() and _HAS_FULL_WIDTH_ALNUM.search(text):
        text = text.translate(PROSE_TABLE)
    return text.strip()


def plain_name(text: str) -> str:
    """A person's name: no spaces between Chinese characters ("周　杰" → "周杰"), runs of spaces
    elsewhere made one ("Li  Ming" → "Li Ming")."""
    text = plain_text(text)
    if " " in text and not text.isascii():
        text = _GAP_IN_NAME.sub("", text)
    if "  " in text or "\t" in text or "\n" in text:
        text = _SPACES.sub(" ", text)
    return text


def plain_code(text: str) -> str:
    """Identifiers (ID numbers, 工号, codes): no spaces at all; letters as typed."""
    text = plain(text)
    if not text.isalnum() and (" " in text or "\t" in text or "\n" in text or "\xa0" in text):
        text = "".join(text.split())
    return text


# --- phone numbers ----------------------------------------------------------------------------

_MOBILE = re.compile(r"^(?:\+?86)?(1\d{10})$")
# Area codes: 010 and 02x have three digits, the rest four; local numbers 7 or 8 digits;
# an extension may follow (-801, 转801).
_LANDLINE = re.compile(r"^\(?(0(?:10|2\d|[3-9]\d{2}))\)?-?(\d{7,8})(?:(?:-|转|ext\.?)(\d{1,6}))?$")
_SERVICE = re.compile(r"^([48]00)-?(\d{3})-?(\d{4})$")  # 400 / 800 numbers
_PHONE_NOISE = re.compile(r"[\s\u00a0]+")


def phone_message(value: str) -> str:
    return _(
        "“%(value)s”不是有效的电话号码：手机号码为以1开头的11位数字；"
        "固定电话须带区号，如 0731-84561234。"
    ) % {"value": value}


def normalize_phone(value: str) -> str:
    """A mobile number as 11 digits, a landline as ``0731-84561234`` (``-801`` extension kept);
    "" stays "". ValidationError (in Chinese) for anything else."""
    text = plain(value or "")
    if not text or (len(text) == 11 and text[0] == "1" and text.isdigit()):
        return text  # empty, or a mobile number as most are written
    compact = _PHONE_NOISE.sub("-", text).replace("（", "(").replace("）", ")")
    match = _MOBILE.match(compact.replace("-", ""))
    if match:
        return match.group(1)
    landline = compact.replace(")-", ")").replace("--", "-")
    match = _LANDLINE.match(landline)
    if match:
        area, number, extension = match.groups()
        return f"{area}-{number}" + (f"-{extension}" if extension else "")
    match = _SERVICE.match(landline)
    if match:
        return "-".join(match.groups())
    raise ValidationError(phone_message(text), code="phone")


# --- forms and API serializers ----------------------------------------------------------------


def plain_values(
    values: dict, *, names: tuple = ("name",), codes: tuple = (), phones: tuple = ()
) -> dict:
    """A form's ``cleaned_data`` or a serializer's ``attrs`` with every string made plain.

    ``names`` get :func:`plain_name`, ``codes`` :func:`plain_code`, ``phones``
    :func:`normalize_phone` (its ValidationError is raised under the field's name, as a form's
    ``clean()`` and a serializer's ``validate()`` both expect); other strings
    :func:`plain_text`."""
    errors = {}
    for key, value in list(values.items()):
        if not isinstance(value, str):
            continue
        if key in phones:
            try:
                values[key] = normalize_phone(value)
            except ValidationError as exc:
                errors[key] = exc.messages
        elif key in names:
            values[key] = plain_name(value)
        elif key in codes:
            values[key] = plain_code(value)
        else:
            values[key] = plain_text(value)
    if errors:
        raise ValidationError(errors)
    return values
