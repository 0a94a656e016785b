"""Dues arithmetic (S4, DOMAIN.md "Rules"): the bracket a monthly base falls in and its amount.

Brackets are data (``DuesBracket``); this module only reads them. A base falls in the band with
``lower < base <= upper`` (the lowest band also takes a base of exactly 0).
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import DuesBracket, DuesCategory

CENT = Decimal("0.01")
# DuesProfile.base holds 10 digits with 2 decimals: anything larger is a typing slip.
MAX_BASE = Decimal("99999999.99")


def parse_base(raw) -> Decimal:
    """A monthly base typed by a user: a non-negative amount with at most two decimals."""
    if isinstance(raw, float):
        raw = repr(raw)
    try:
        base = Decimal(str(raw).strip().replace(",", "").replace("，", ""))
    except (InvalidOperation, ValueError):
        raise ValidationError(_("缴费基数“%(raw)s”不是有效金额。") % {"raw": raw}) from None
    if not base.is_finite():
        raise ValidationError(_("缴费基数“%(raw)s”不是有效金额。") % {"raw": raw})
    if base < 0:
        raise ValidationError(_("缴费基数不能为负数。"))
    if base != base.quantize(CENT):
        raise ValidationError(_("缴费基数最多保留两位小数。"))
    if base > MAX_BASE:
        raise ValidationError(_("缴费基数过大，请核对（单位为元/月）。"))
    return base.quantize(CENT)


def brackets_in_force(category: str, on: dt.date) -> list[DuesBracket]:
    """The newest set of bands of ``category`` that took effect on or before ``on``."""
    return bracket_table(on, categories=[category]).get(category, [])


def bracket_table(on: dt.date, categories=None) -> dict[str, list[DuesBracket]]:
    """The bands in force on ``on`` for every category (one query), lowest band first."""
    rows = DuesBracket.objects.filter(effective_from__lte=on)
    if categories is not None:
        rows = rows.filter(category__in=categories)
    newest: dict[str, dt.date] = {}
    table: dict[str, list[DuesBracket]] = {}
    for row in rows.order_by("category", "-effective_from", "lower"):
        first = newest.setdefault(row.category, row.effective_from)
        if row.effective_from == first:
            table.setdefault(row.category, []).append(row)
    return table


def bracket_for(brackets: list[DuesBracket], base: Decimal | None) -> DuesBracket | None:
    for bracket in brackets:
        if bracket.fixed_amount is not None:
            return bracket
        if base is None:
            continue
        above_lower = base > bracket.lower or (bracket.lower == 0 and base == 0)
        if above_lower and (bracket.upper is None or base <= bracket.upper):
            return bracket
    return None


def monthly_amount(bracket: DuesBracket, base: Decimal | None) -> Decimal:
    if bracket.fixed_amount is not None:
        return bracket.fixed_amount.quantize(CENT)
    return (base * bracket.rate / 100).quantize(CENT, rounding=ROUND_HALF_UP)


def check_category(category: str) -> None:
    if category not in DuesCategory.values:
        raise ValidationError(
            _("党员类别“%(c)s”无效，应为：%(choices)s。")
            % {"c": category, "choices": "、".join(DuesCategory.values)}
        )


def parsed_base_for(category: str, base) -> Decimal | None:
    """The base a category needs (None for the fixed-amount category, which ignores it)."""
    check_category(category)
    if category == DuesCategory.FIXED:
        return None
    if base is None or str(base).strip() == "":
        raise ValidationError(_("请填写月缴费基数（税后工资或离退休费）。"))
    return parse_base(base)


def quote_from(
    table: dict[str, list[DuesBracket]], category: str, base
) -> tuple[Decimal, DuesBracket]:
    """``quote`` against bands already read with ``bracket_table`` (no query)."""
    parsed = parsed_base_for(category, base)
    bracket = bracket_for(table.get(category, []), parsed)
    if bracket is None:
        raise ValidationError(_("没有适用于该基数的党费档次，请联系党建工作部维护档次。"))
    return monthly_amount(bracket, parsed), bracket


def quote(category: str, base, on: dt.date | None = None) -> tuple[Decimal, DuesBracket]:
    """The monthly amount for ``category`` and monthly after-tax ``base`` on date ``on``."""
    from django.utils import timezone

    parsed_base_for(category, base)  # refuse bad input before reading the bands
    return quote_from(bracket_table(on or timezone.localdate(), [category]), category, base)
