"""Writes to the work calendar (一表): create, revise and retire calendar rules.

A rule is a line of the calendar identified by its ``code``; every edit is a version with the
date it takes effect. After a write the open obligations of the affected years are re-dated
and those the rules no longer call for are removed (``generate_year(prune_from=...)``).
Only the company's party-building department (a role held on a root node) edits the calendar.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from bastion.core.scope import grant
from bastion.core.services import service
from bastion.orgs.models import Organization
from bastion.orgs.models.organization import OrganizationKind, UnitKind

from ..models import CalendarRule, DueTerm, ItemKind, Obligation, Recurrence
from .obligations import GenerationResult, generate_year

RULE_FIELDS = (
    "name",
    "kind",
    "applies_kinds",
    "applies_unit_kinds",
    "recurrence",
    "due_month",
    "due_day",
    "due_term",
    "due_on",
    "green_days",
    "yellow_days",
    "quorum_ratio",
    "evidence_required",
    "guide",
    "source",
    "description",
    "sort_order",
    "is_active",
)
# Fields a revision may not change: obligations already carry them (see ``_check_identity``).
FIXED_FIELDS = ("kind", "recurrence")
RESERVED_CODES = {"add", "generate"}
CODE_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_WINDOW_DAYS = 366
MAX_EVIDENCE_LENGTH = 50
FIRST_YEAR = 2000


# --- who may edit ------------------------------------------------------------------------


def holds_at_root(user, permission: str) -> bool:
    """True for superusers and for holders of ``permission`` on a root node (depth 1).

    Company-wide configuration (calendar, term rules, guide) belongs to the company's
    party-building department; a county committee holding the same permission lower in the
    tree may not change what every other county follows.
    """
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    held = grant(user, permission)
    return held.everywhere or any(len(path) == Organization.steplen for path in held.paths)


def require_root(user, permission: str, message: str) -> None:
    if not holds_at_root(user, permission):
        raise PermissionDenied(message)


def can_edit_rules(user) -> bool:
    return holds_at_root(user, "agenda.change_calendarrule")


def _require_rule_admin(actor) -> None:
    require_root(
        actor,
        "agenda.change_calendarrule",
        _("只有公司党建工作部（在顶级组织任职的管理员）可以修改工作日历事项。"),
    )


# --- validation --------------------------------------------------------------------------


def _choice_errors(values, valid, label) -> str | None:
    if not isinstance(values, list | tuple):
        return _("%(label)s格式不正确，应为列表。") % {"label": label}
    bad = [str(v) for v in values if v not in valid]
    if bad:
        return _("%(label)s中有无效的值：%(values)s。") % {"label": label, "values": "、".join(bad)}
    return None


def _due_month_error(recurrence: str, due_month: int) -> str | None:
    if recurrence == Recurrence.QUARTERLY and not 0 <= due_month <= 3:
        return _("每季度事项的截止月份应为 0-3（季度内第几个月，0 表示季末）。")
    if recurrence == Recurrence.YEARLY and not 0 <= due_month <= 12:
        return _("每年事项的截止月份应为 0-12（0 表示 12 月）。")
    if recurrence not in (Recurrence.QUARTERLY, Recurrence.YEARLY) and due_month != 0:
        return _("“%(recurrence)s”的事项不设截止月份，请填 0。") % {
            "recurrence": Recurrence(recurrence).label
        }
    return None


def _kind_recurrence_error(kind: str, recurrence: str) -> str | None:
    """Fulfilment depends on the pair: elections close a term, dues close a month."""
    if kind == ItemKind.ELECTION and recurrence != Recurrence.PER_TERM:
        return _("换届选举事项的周期应为“每届”。")
    if kind != ItemKind.ELECTION and recurrence == Recurrence.PER_TERM:
        return _("只有换届选举事项按“每届”计算。")
    if kind == ItemKind.DUES and recurrence != Recurrence.MONTHLY:
        return _("党费收缴按月核对，周期应为“每月”。")
    return None


def _window_errors(rule: CalendarRule, errors: dict) -> None:
    for name in ("green_days", "yellow_days"):
        value = getattr(rule, name)
        if value is None or not 0 <= value <= MAX_WINDOW_DAYS:
            errors[name] = _("提前天数应在 0 到 %(max)s 之间。") % {"max": MAX_WINDOW_DAYS}
    windows_valid = "green_days" not in errors and "yellow_days" not in errors
    if windows_valid and rule.yellow_days > rule.green_days:
        errors["yellow_days"] = _(
            "黄色提醒提前天数（%(yellow)s 天）不能大于绿色通知提前天数（%(green)s 天）。"
        ) % {"yellow": rule.yellow_days, "green": rule.green_days}


def _schedule_errors(rule: CalendarRule, errors: dict) -> None:
    if rule.recurrence not in Recurrence.values:
        errors["recurrence"] = _("周期无效。")
        return
    message = _due_month_error(rule.recurrence, rule.due_month or 0)
    if message:
        errors["due_month"] = message
    if rule.due_day is None or not 0 <= rule.due_day <= 31:
        errors["due_day"] = _("截止日应为 0-31（0 表示月末）。")
    if rule.due_term not in DueTerm.values:
        errors["due_term"] = _("截止节气无效。")
    elif rule.due_term and rule.recurrence in (Recurrence.ONCE, Recurrence.PER_TERM):
        errors["due_term"] = _("一次性和每届事项按截止日期或任期届满，不按节气排定。")
    if rule.recurrence == Recurrence.ONCE and rule.due_on is None:
        errors["due_on"] = _("一次性事项必须填写截止日期。")
    if rule.recurrence != Recurrence.ONCE and rule.due_on is not None:
        errors["due_on"] = _("只有一次性事项填写截止日期。")
    if rule.kind in ItemKind.values:
        message = _kind_recurrence_error(rule.kind, rule.recurrence)
        if message:
            errors["recurrence"] = message


def _evidence_error(evidence) -> str | None:
    if not isinstance(evidence, list | tuple) or not all(isinstance(e, str) for e in evidence):
        return _("所需佐证格式不正确，应为文字列表。")
    if any(not e.strip() for e in evidence):
        return _("所需佐证中有空白项。")
    too_long = [e for e in evidence if len(e) > MAX_EVIDENCE_LENGTH]
    if too_long:
        return _("佐证名称“%(name)s”太长（不超过 %(max)s 字）。") % {
            "name": too_long[0][:20],
            "max": MAX_EVIDENCE_LENGTH,
        }
    return None


def validate_rule(rule: CalendarRule) -> None:
    """Raise a ValidationError naming every bad field, in Chinese."""
    errors: dict[str, str] = {}
    if not (rule.name or "").strip():
        errors["name"] = _("请填写事项名称。")
    if rule.kind not in ItemKind.values:
        errors["kind"] = _("事项类别无效。")
    for name, valid, label in (
        ("applies_kinds", OrganizationKind.values, _("适用组织类型")),
        ("applies_unit_kinds", UnitKind.values, _("适用单位类别")),
    ):
        message = _choice_errors(getattr(rule, name), valid, label)
        if message:
            errors[name] = message
    _schedule_errors(rule, errors)
    _window_errors(rule, errors)
    if rule.quorum_ratio is not None and not Decimal(0) < rule.quorum_ratio < Decimal(1):
        errors["quorum_ratio"] = _("法定到会比例应大于 0、小于 1，如 0.50 表示超过半数。")
    message = _evidence_error(rule.evidence_required)
    if message:
        errors["evidence_required"] = message
    if not (rule.source or "").strip():
        errors["source"] = _("请注明依据来源（文件名称或经验出处）。")
    if rule.effective_from is None:
        errors["effective_from"] = _("请填写生效日期。")
    if errors:
        raise ValidationError(errors)
    rule.full_clean(exclude=["created_by", "guide"], validate_constraints=False)


def _assign(rule: CalendarRule, fields: dict) -> None:
    unknown = set(fields) - set(RULE_FIELDS)
    if unknown:
        raise ValueError(f"unknown calendar rule fields: {sorted(unknown)}")
    for name, value in fields.items():
        if name in ("applies_kinds", "applies_unit_kinds", "evidence_required") and isinstance(
            value, tuple
        ):
            value = list(value)
        setattr(rule, name, value)


# --- regeneration ------------------------------------------------------------------------


def generated_years(since: int) -> list[int]:
    """Years from ``since`` on that already have obligations (elections aside: their periods
    start in the year a term began, which says nothing about what was generated)."""
    days = (
        Obligation.objects.exclude(kind=ItemKind.ELECTION)
        .filter(period_start__year__gte=since)
        .dates("period_start", "year")
    )
    return [day.year for day in days]


def regenerate_from(effective_from: dt.date) -> GenerationResult:
    """Re-date open obligations from ``effective_from`` on, in every year already generated.

    Years not generated yet are left alone: generating them is the department's yearly
    button, and a revision dated in the past must not fill earlier years with red items.
    """
    total = GenerationResult()
    for year in generated_years(effective_from.year):
        result = generate_year(year, prune_from=effective_from)
        total.created += result.created
        total.updated += result.updated
        total.removed += result.removed
        total.fulfilled += result.fulfilled
    return total


# --- services ----------------------------------------------------------------------------


def versions_of(code: str):
    return CalendarRule.objects.filter(code=code).order_by("-effective_from")


@service
def rule_create(*, actor, **fields) -> CalendarRule:
    """A new line of the calendar: ``code`` and ``effective_from`` plus the rule's fields."""
    _require_rule_admin(actor)
    code = (fields.pop("code", "") or "").strip()
    effective_from = fields.pop("effective_from", None)
    errors = {}
    if not CODE_RE.match(code) or len(code) > 40:
        errors["code"] = _(
            "事项编码只能由小写字母、数字和连字符组成（不超过 40 个字符），如 theme-day。"
        )
    elif code in RESERVED_CODES:
        errors["code"] = _("“%(code)s”是系统保留字，请换一个事项编码。") % {"code": code}
    elif CalendarRule.objects.filter(code=code).exists():
        errors["code"] = _("事项编码“%(code)s”已存在；修改已有事项请使用“修订”。") % {"code": code}
    rule = CalendarRule(code=code, effective_from=effective_from, created_by=actor)
    _assign(rule, fields)
    try:
        validate_rule(rule)
    except ValidationError as exc:
        raise ValidationError({**exc.message_dict, **errors}) from exc
    if errors:
        raise ValidationError(errors)
    rule.save()
    rule.regenerated = regenerate_from(effective_from)
    return rule


def _check_revision(newest: CalendarRule, effective_from, changes: dict) -> None:
    if effective_from is None:
        raise ValidationError({"effective_from": _("请填写生效日期。")})
    if effective_from < newest.effective_from:
        raise ValidationError(
            {
                "effective_from": _(
                    "生效日期不能早于当前最新版本的生效日期（%(date)s）；历史版本不可改写。"
                )
                % {"date": newest.effective_from.isoformat()}
            }
        )
    errors = {}
    for name in FIXED_FIELDS:
        if name in changes and changes[name] != getattr(newest, name):
            errors[name] = _(
                "已生成的应办事项按原%(field)s计算，修订时不能修改；请停用本事项后新建一个事项。"
            ) % {"field": CalendarRule._meta.get_field(name).verbose_name}
    if errors:
        raise ValidationError(errors)


def _differs(version: CalendarRule, newest: CalendarRule) -> bool:
    names = [CalendarRule._meta.get_field(name).attname for name in RULE_FIELDS]
    return any(getattr(version, name) != getattr(newest, name) for name in names)


@service
def rule_revise(*, actor, rule: CalendarRule, effective_from: dt.date, **changes) -> CalendarRule:
    """Add a version of ``rule`` taking effect on ``effective_from`` (or amend the newest
    version when it has that very date); open obligations from that date are re-dated."""
    _require_rule_admin(actor)
    if "due_day" in changes and "due_term" not in changes:
        changes["due_term"] = DueTerm.DAY  # a day given alone means that day, not a solar term
    newest = versions_of(rule.code).select_for_update().first()
    _check_revision(newest, effective_from, changes)
    if effective_from == newest.effective_from:
        version = newest
    else:
        version = CalendarRule.objects.get(pk=newest.pk)
        version.pk = None
        version.effective_from = effective_from
        version.created_by = actor
    _assign(version, changes)
    if version.pk is None and not _differs(version, newest):
        raise ValidationError(_("与当前版本相比没有任何修改，无需保存新版本。"))
    validate_rule(version)
    version.save()
    version.regenerated = regenerate_from(effective_from)
    return version


@service
def rule_retire(*, actor, rule: CalendarRule, effective_from: dt.date) -> CalendarRule:
    """Stop a rule from ``effective_from``: open obligations from that date are removed."""
    _require_rule_admin(actor)
    newest = versions_of(rule.code).first()
    if not newest.is_active:
        raise ValidationError(
            _("该事项已于 %(date)s 停用。") % {"date": newest.effective_from.isoformat()}
        )
    return rule_revise(actor=actor, rule=rule, effective_from=effective_from, is_active=False)


@service
def obligations_generate(*, actor, year: int) -> GenerationResult:
    """The department's button: generate ``year`` for the organizations the actor covers."""
    permission = "agenda.generate_obligation"
    held = grant(actor, permission)
    if not held:
        raise PermissionDenied(_("您无权生成应办事项。"))
    this_year = timezone.localdate().year
    if not FIRST_YEAR <= year <= this_year + 1:
        raise ValidationError(
            {
                "year": _("年度应在 %(first)s 到 %(last)s 之间。")
                % {"first": FIRST_YEAR, "last": this_year + 1}
            }
        )
    if held.everywhere:
        return generate_year(year)
    ids = list(Organization.objects.permitted(actor, permission).values_list("pk", flat=True))
    return generate_year(year, organization_ids=ids)
