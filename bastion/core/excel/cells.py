"""Columns and cell values: what a sheet holds and how each cell becomes a Python value.

Every refusal is a dict ``{"row", "column", "message"}`` in Chinese: the Excel row number (0 for
the whole file), the column header ("" when no column) and the reason.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from ..text import normalize_phone, plain, plain_code, plain_name, plain_text

HEADER_ROW = 1
MAX_ERRORS = 10_000  # a wholly wrong file would otherwise list every cell of every row
DATE_FORMATS_TEXT = "YYYY-MM-DD、YYYY/MM/DD、YYYY.MM.DD、YYYY年M月D日"
_DATE_SEPARATED = re.compile(r"^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})$")
_DATE_CHINESE = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$")
_NUL_ESCAPE = "_x0000_"  # how Excel writes a NUL character inside a string


def error(row: int, column: str, message: str) -> dict:
    return {"row": row, "column": str(column or ""), "message": str(message)}


class FileRefused(Exception):
    """The whole file is refused before any row is read."""

    def __init__(self, errors: list[dict]):
        super().__init__(errors[0]["message"] if errors else "")
        self.errors = errors


def refuse(message: str, *, row: int = 0, column: str = "") -> FileRefused:
    return FileRefused([error(row, column, message)])


# --- columns ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of a sheet.

    ``header`` is part of the file format, so it stays Chinese in every interface language;
    ``aliases`` are other words branches use for it (the shared table in ``synonyms.py`` adds
    its own). ``kind``: ``text``; ``name`` (a person's name: no spaces between Chinese
    characters); ``code`` (identifiers such as ID or employee numbers: digits kept exactly,
    spaces dropped, numbers that Excel rounded are refused); ``number`` (amounts, months,
    values read as text: "４０．００" → "40.00"); ``phone`` (mobile or landline, stored as
    ``13800138000`` / ``0731-84561234``); ``date``; ``choice`` (Chinese labels).
    Full-width digits, letters and spaces are made ASCII in every kind; full-width
    punctuation too in codes, numbers, dates and phones, not in prose.
    ``informative`` columns are exported for reading but ignored on import.
    """

    key: str
    header: str
    required: bool = False
    kind: str = "text"
    choices: tuple = ()
    max_length: int | None = None
    help: Any = ""
    informative: bool = False
    width: int = 16
    aliases: tuple = ()

    @property
    def title(self) -> str:
        return f"{self.header}*" if self.required else self.header

    def labels(self) -> dict[str, str]:
        """Chinese label → stored value (the stored values themselves are accepted too)."""
        with translation.override("zh-hans"):
            mapping = {str(label): value for value, label in self.choices}
        mapping.update({value: value for value, _label in self.choices})
        return mapping

    def label_of(self, value) -> str:
        with translation.override("zh-hans"):
            return next((str(label) for v, label in self.choices if v == value), value or "")


def header_key(text) -> str:
    """``姓名*``, `` 姓名 ``, ``姓　名`` and ``姓名＊`` are the header 姓名."""
    return "".join(plain(str(text or "")).rstrip("*").split())


# --- cell values ------------------------------------------------------------------------------


class CellError(ValueError):
    pass


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def to_text(value, column: Column) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        text = _("是") if value else _("否")
    elif isinstance(value, int | float):
        if column.kind == "code" and abs(value) >= 1e15:
            raise CellError(
                _(
                    "该单元格被 Excel 存成了数字，长号码的末几位已丢失；"
                    "请将该列设为“文本”格式后重新填写。"
                )
            )
        text = str(int(value)) if float(value).is_integer() else str(value)
    elif isinstance(value, dt.datetime):
        text = value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    elif isinstance(value, dt.date):
        text = value.isoformat()
    else:
        text = _plain_by_kind(str(value), column.kind)
    if "\x00" in text or _NUL_ESCAPE in text:
        raise CellError(_("含有不可见的空字符（NUL），请删除后重新填写。"))
    if column.max_length and len(text) > column.max_length:
        raise CellError(
            _("长度为%(n)d个字符，超过了上限%(max)d个字符。")
            % {"n": len(text), "max": column.max_length}
        )
    return text


def _plain_by_kind(text: str, kind: str) -> str:
    if text.isascii() and kind != "code":
        return text.strip()  # the common case, without a call
    if kind == "code":
        return plain_code(text)
    if kind == "name":
        return plain_name(text)
    if kind == "number":
        return plain(text)
    return plain_text(text)  # text, choice, phone (normalize_phone reads the rest)


def to_phone(value, column: Column) -> str:
    text = to_text(value, column)
    try:
        return normalize_phone(text)
    except ValidationError as exc:
        raise CellError(" ".join(exc.messages)) from None


def to_date(value) -> dt.date | None:
    if is_blank(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = plain(str(value))
    match = _DATE_SEPARATED.match(text)
    parts = (match.group(1), match.group(3), match.group(4)) if match else None
    match = _DATE_CHINESE.match(text)
    parts = match.groups() if match else parts
    try:
        day = dt.date(*(int(p) for p in parts)) if parts else None
    except ValueError:
        day = None
    if day is None or day.year < 1900:
        raise CellError(
            _("“%(value)s”不是有效日期。请使用 Excel 日期格式，或按 %(formats)s 填写。")
            % {"value": text, "formats": DATE_FORMATS_TEXT}
        )
    return day


def to_choice(value, column: Column, labels: dict[str, str]) -> str:
    found = labels.get(value) if isinstance(value, str) else None
    if found is not None:
        return found  # a label exactly as the template offers it: most cells of a roster
    text = to_text(value, column)
    if not text:
        return ""
    if text not in labels:
        allowed = "、".join(label for label in labels if label not in dict(column.choices))
        raise CellError(
            _("“%(value)s”不是有效的%(column)s，可选值：%(allowed)s。")
            % {"value": text, "column": column.header, "allowed": allowed}
        )
    return labels[text]


def convert_row(columns: Sequence[Column], raw: Sequence, labels: dict) -> tuple[dict, list]:
    """Raw cell values (aligned with ``columns``) → ``({key: value}, [(column, message)])``."""
    data: dict[str, Any] = {}
    problems: list[tuple[Column, str]] = []
    for column, value in zip(columns, raw, strict=True):
        if column.informative:
            continue
        try:
            if column.kind == "date":
                converted = to_date(value)
            elif column.kind == "choice":
                converted = to_choice(value, column, labels[column.key])
            elif column.kind == "phone":
                converted = to_phone(value, column)
            else:
                converted = to_text(value, column)
        except CellError as exc:
            problems.append((column, str(exc)))
            continue
        if column.required and converted in (None, ""):
            problems.append(
                (column, _("“%(column)s”为必填项，不能为空。") % {"column": column.header})
            )
            continue
        data[column.key] = converted
    return data, problems
