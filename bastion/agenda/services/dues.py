"""Dues writes (党费收缴, S4): each member's yearly base and amount, and the monthly payments.

Every write checks the actor's scope on the organization the row belongs to (the person's for a
profile, the collecting branch's for a payment) and then refreshes the branch's dues obligation,
so the calendar shows the month done, or done late, without anybody ticking it.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone
from django.utils.translation import gettext as _

from bastion.core.periods import Period, month_end
from bastion.core.scope import OutsideScope, allows
from bastion.core.services import service
from bastion.orgs.models import Person
from bastion.orgs.models.person import MembershipStatus

from .. import dues_math
from ..models import DuesCategory, DuesPayment, DuesProfile
from .dues_fulfilment import collecting_branch, default_profile_start, refresh_dues_obligations

MEMBER_STATUSES = (MembershipStatus.FULL, MembershipStatus.PROBATIONARY)
FIRST_YEAR = 2000
MAX_AMOUNT = Decimal("999999.99")  # DuesPayment.amount: 8 digits, 2 decimals
_MONTH_TEXT = re.compile(r"^(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*月?$")


# --- parsing typed input ----------------------------------------------------------------------


def parse_year(raw) -> int:
    try:
        year = int(str(raw).strip())
    except (TypeError, ValueError):
        raise ValidationError(_("年度“%(raw)s”无效。") % {"raw": raw}) from None
    last = timezone.localdate().year + 1
    if not FIRST_YEAR <= year <= last:
        raise ValidationError(
            _("年度应在 %(first)d 至 %(last)d 之间。") % {"first": FIRST_YEAR, "last": last}
        )
    return year


def parse_month(raw) -> dt.date:
    """A month as a date (any day of it) or text YYYY-MM, YYYY/MM, YYYY.MM, YYYY年M月."""
    if isinstance(raw, dt.datetime):
        raw = raw.date()
    if isinstance(raw, dt.date):
        month = raw.replace(day=1)
    else:
        text = str(raw or "").strip()
        match = _MONTH_TEXT.match(text)
        try:
            month = dt.date(int(match.group(1)), int(match.group(2)), 1) if match else None
        except ValueError:
            month = None
        if month is None and text:
            month = _full_date_month(text)
        if month is None:
            raise ValidationError(
                _("所属月份“%(raw)s”无效，请按 YYYY-MM 填写，如 2025-03。") % {"raw": raw}
            )
    last = timezone.localdate().year + 1
    if not FIRST_YEAR <= month.year <= last:
        raise ValidationError(
            _("所属月份应在 %(first)d 年至 %(last)d 年之间。") % {"first": FIRST_YEAR, "last": last}
        )
    return month


def _full_date_month(text: str) -> dt.date | None:
    """A whole date typed where a month was asked (Excel turns 2025-03 into 2025-03-01)."""
    from bastion.core.excel import CellError, to_date

    try:
        day = to_date(text)
    except CellError:
        return None
    return day.replace(day=1) if day else None


def parse_amount(raw) -> Decimal:
    """An amount in yuan: above zero, at most two decimals."""
    if isinstance(raw, float):
        raw = repr(raw)
    try:
        amount = Decimal(str(raw).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ValidationError(_("金额“%(raw)s”不是有效数字。") % {"raw": raw}) from None
    if not amount.is_finite():
        raise ValidationError(_("金额“%(raw)s”不是有效数字。") % {"raw": raw})
    if amount <= 0:
        raise ValidationError(_("金额必须大于 0。"))
    if amount != amount.quantize(dues_math.CENT):
        raise ValidationError(_("金额最多保留两位小数。"))
    if amount > MAX_AMOUNT:
        raise ValidationError(_("金额过大，请核对（单位为元）。"))
    return amount.quantize(dues_math.CENT)


def check_paid_on(paid_on) -> dt.date:
    if not isinstance(paid_on, dt.date):
        raise ValidationError(_("请填写缴纳日期。"))
    if isinstance(paid_on, dt.datetime):
        paid_on = paid_on.date()
    if paid_on > timezone.localdate():
        raise ValidationError(_("缴纳日期不能晚于今天。"))
    if paid_on.year < FIRST_YEAR:
        raise ValidationError(_("缴纳日期过早，请核对。"))
    return paid_on


# --- checks -----------------------------------------------------------------------------------


def is_member(person: Person) -> bool:
    return person.membership_status in MEMBER_STATUSES


def require_member(person: Person) -> None:
    if not is_member(person):
        raise ValidationError(
            _("“%(name)s”不是党员或预备党员，无需缴纳党费。") % {"name": person.name}
        )


def require_scope(actor, path: str, permission: str) -> None:
    if not allows(actor, permission, path):
        raise OutsideScope(permission)


def check_month_owed(person: Person, month: dt.date) -> None:
    """No dues for months that ended before the member was admitted."""
    admitted = person.admitted_on
    if admitted and month_end(month.year, month.month) < admitted:
        raise ValidationError(
            _("%(month)s早于“%(name)s”的入党日期（%(admitted)s），无需缴纳。")
            % {"month": f"{month:%Y-%m}", "name": person.name, "admitted": admitted.isoformat()}
        )


# --- profiles ---------------------------------------------------------------------------------


def profile_values(category: str, base, year: int) -> tuple[Decimal | None, Decimal]:
    """(stored base, monthly amount) from the bands in force on 1 January of ``year``."""
    amount, _bracket = dues_math.quote(category, base, dt.date(year, 1, 1))
    if category == DuesCategory.FIXED:
        blank = base is None or str(base).strip() == ""
        return (None if blank else dues_math.parse_base(base)), amount
    return dues_math.parse_base(base), amount


@service
def profile_set(*, actor, person: Person, year, category: str, base) -> DuesProfile:
    """Set a member's category and monthly after-tax base for ``year``; the amount follows the
    brackets (set once a year, S4). Unchanged values write nothing."""
    year = parse_year(year)
    require_member(person)
    stored_base, amount = profile_values(category, base, year)
    profile = DuesProfile.objects.filter(person=person, year=year).first()
    permission = "agenda.change_duesprofile" if profile else "agenda.add_duesprofile"
    require_scope(actor, person.organization.path, permission)
    if profile is None:
        profile = DuesProfile(
            person=person, year=year, starts_on=default_profile_start(person, year)
        )
    elif (profile.category, profile.base, profile.monthly_amount) == (
        category,
        stored_base,
        amount,
    ):
        return profile
    profile.category, profile.base, profile.monthly_amount = category, stored_base, amount
    profile.set_by = actor
    profile.full_clean(validate_constraints=False)
    profile.save()
    return profile


@service
def profiles_set_many(*, actor, year, entries) -> int:
    """``entries``: (person, category, base) for one branch's form. All or nothing: every bad
    entry is reported under the key ``p<person id>``. Returns how many profiles were written."""
    errors: dict[str, list[str]] = {}
    changed = 0
    for person, category, base in entries:
        before = DuesProfile.objects.filter(person=person, year=year).values_list(
            "category", "base", "monthly_amount"
        )
        before = before.first()
        try:
            profile = profile_set(
                actor=actor, person=person, year=year, category=category, base=base
            )
        except ValidationError as exc:
            errors[f"p{person.pk}"] = exc.messages
            continue
        changed += before != (profile.category, profile.base, profile.monthly_amount)
    if errors:
        raise ValidationError(errors)
    return changed


# --- payments ---------------------------------------------------------------------------------


@service
def payment_record(*, actor, person: Person, month, amount, paid_on) -> DuesPayment:
    """One member's dues for one month, collected by the member's branch."""
    month = parse_month(month)
    amount = parse_amount(amount)
    paid_on = check_paid_on(paid_on)
    require_member(person)
    check_month_owed(person, month)
    branch = collecting_branch(person.organization)
    require_scope(actor, branch.path, "agenda.add_duespayment")
    if DuesPayment.objects.filter(person=person, month=month).exists():
        raise ValidationError(
            _("“%(name)s”%(month)s的党费已登记，不能重复登记。")
            % {"name": person.name, "month": f"{month:%Y-%m}"}
        )
    payment = DuesPayment(
        person=person,
        organization=branch,
        month=month,
        amount=amount,
        paid_on=paid_on,
        recorded_by=actor,
    )
    try:
        payment.save()
    except IntegrityError:
        raise ValidationError(_("该月党费刚被他人登记，请刷新后核对。")) from None
    refresh_dues_obligations({(branch.pk, month)})
    return payment


def quarter_months(year: int, quarter: int) -> list[dt.date]:
    """The first days of the quarter's months; a Chinese ValidationError for no quarter."""
    return [month.start for month in Period.quarter(year, quarter).months()]


@service
def payment_record_quarter(
    *, actor, person: Person, year, quarter, amount, paid_on
) -> list[DuesPayment]:
    """A quarter paid at once: three monthly payments of ``amount`` each, paid on the same day
    (before the quarter starts they show as paid ahead). All three or none."""
    months = quarter_months(parse_year(year), int(quarter))
    return [
        payment_record(actor=actor, person=person, month=month, amount=amount, paid_on=paid_on)
        for month in months
    ]


@service
def payment_delete(*, actor, payment: DuesPayment) -> None:
    """Remove a payment; both the collecting branch and the member's present branch (when the
    member has moved since) have their month re-judged."""
    require_scope(actor, payment.organization.path, "agenda.delete_duespayment")
    current = collecting_branch(payment.person.organization)
    pairs = {(payment.organization_id, payment.month), (current.pk, payment.month)}
    payment.delete()
    refresh_dues_obligations(pairs)
