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


def parse_base(raw) -> Decimal:
    """A monthly base typed by a user: a non-negative amount with at most two decimals."""
    try:
        base = Decimal(str(raw).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ValidationError(_("缴费基数“%(raw)s”不是有效金额。") % {"raw": raw}) from None
    if not base.is_finite() or base < 0:
        raise ValidationError(_("缴费基数不能为负数。"))
    if base != base.quantize(CENT):
        raise ValidationError(_("缴费基数最多保留两位小数。"))
    return base


def brackets_in_force(category: str, on: dt.date) -> list[DuesBracket]:
    """The newest set of bands of ``category`` that took effect on or before ``on``."""
    rows = list(
        DuesBracket.objects.filter(category=category, effective_from__lte=on).order_by(
            "-effective_from", "lower"
        )
    )
    if not rows:
        return []
    newest = rows[0].effective_from
    return [row for row in rows if row.effective_from == newest]


def bracket_for(brackets: list[DuesBracket], base: Decimal | None) -> DuesBracket | None:
    for bracket in brackets:
        if bracket.fixed_amount is not None:
            return bracket
        above_lower = base > bracket.lower or (bracket.lower == 0 and base == 0)
        if above_lower and (bracket.upper is None or base <= bracket.upper):
            return bracket
    return None


def monthly_amount(bracket: DuesBracket, base: Decimal | None) -> Decimal:
    if bracket.fixed_amount is not None:
        return bracket.fixed_amount.quantize(CENT)
    return (base * bracket.rate / 100).quantize(CENT, rounding=ROUND_HALF_UP)


def quote(category: str, base, on: dt.date | None = None) -> tuple[Decimal, DuesBracket]:
    """The monthly amount for ``category`` and monthly after-tax ``base`` on date ``on``."""
    from django.utils import timezone

    if category not in DuesCategory.values:
        raise ValidationError(
            _("党员类别“%(c)s”无效，应为：%(choices)s。")
            % {"c": category, "choices": "、".join(DuesCategory.values)}
        )
    needs_base = category != DuesCategory.FIXED
    if needs_base and (base is None or str(base).strip() == ""):
        raise ValidationError(_("请填写月缴费基数（税后工资或离退休费）。"))
    parsed = parse_base(base) if needs_base else None
    brackets = brackets_in_force(category, on or timezone.localdate())
    bracket = bracket_for(brackets, parsed)
    if bracket is None:
        raise ValidationError(_("没有适用于该基数的党费档次，请联系党建工作部维护档次。"))
    return monthly_amount(bracket, parsed), bracket
