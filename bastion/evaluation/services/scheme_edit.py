"""Editing schemes (考评方案): the scheme's fields, its indicator tree, evaluator groups and titles.

Who may edit follows ``Scheme.objects.restrict(actor, "change")``: a grant covering the owner,
and for a shipped scheme (no owner) a grant on a root organization. Every row is checked with
``full_clean``; the rules that span rows (a parent in the same scheme, a data parameter that
exists, a group an indicator is scored by) are checked here so pages and API say the same.

A round copies its scheme when it opens (``Round.snapshot``): edits apply to new rounds only.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from bastion.core.scope import allows, ensure_in_scope
from bastion.core.services import service
from bastion.orgs.models import Organization

from ..models import (
    MANUAL_KINDS,
    BenchmarkIndicator,
    DataSource,
    EvaluatorGroup,
    EvaluatorKind,
    Indicator,
    IndicatorKind,
    PointsCategory,
    Scheme,
    TitleBasis,
    TitleRule,
)
from ..selectors_schemes import descendant_ids, may_change, may_own_shipped

SCHEME_FIELDS = (
    "code",
    "name",
    "name_en",
    "description",
    "source",
    "owner",
    "target_kind",
    "period_kind",
    "style",
    "full_score",
    "bonus_cap",
    "deduction_cap",
    "veto_cap",
    "missing_policy",
    "is_active",
)
INDICATOR_FIELDS = (
    "code",
    "name",
    "name_en",
    "kind",
    "parent",
    "weight",
    "max_score",
    "source",
    "source_param",
    "full_marks_at",
    "scored_by",
    "guidance",
    "order",
)
TITLE_FIELDS = (
    "code",
    "name",
    "name_en",
    "kind",
    "basis",
    "min_score",
    "max_score",
    "count",
    "within",
    "indicator_code",
    "requires",
    "stars",
    "lift_score",
    "source",
)
# Data sources that read a parameter; the others take none.
PARAM_SOURCES = {DataSource.BENCHMARK, DataSource.SCHEME_RESULT, DataSource.POINTS}


def _unknown(fields: dict, allowed: tuple) -> None:
    extra = set(fields) - set(allowed)
    if extra:
        raise TypeError(f"unexpected fields: {sorted(extra)}")


def _require_change(actor, scheme: Scheme) -> None:
    if not may_change(actor, scheme):
        raise PermissionDenied(_("您无权修改该考评方案。"))


def _check_owner(actor, owner: Organization | None, permission: str) -> None:
    if owner is None:
        if not may_own_shipped(actor, permission):
            raise ValidationError(
                {"owner": _("只有公司党建工作部可以制定全公司通用的方案，请选择制定单位。")}
            )
    elif not allows(actor, permission, owner):
        raise ValidationError({"owner": _("所选制定单位不在您的管理范围内。")})


def _code_taken(queryset, code: str, exclude_pk) -> bool:
    return queryset.filter(code=code).exclude(pk=exclude_pk).exists()


# --- the scheme ---------------------------------------------------------------------------


@service
def scheme_create(*, actor, **fields) -> Scheme:
    """Create a scheme owned by ``fields["owner"]`` (None: for the whole company)."""
    _unknown(fields, SCHEME_FIELDS)
    _check_owner(actor, fields.get("owner"), "evaluation.add_scheme")
    scheme = Scheme(**fields)
    _save_scheme(scheme)
    ensure_in_scope(actor, scheme, "add")
    return scheme


@service
def scheme_update(*, actor, scheme: Scheme, **fields) -> Scheme:
    """Change a scheme's fields; its code names it in other schemes and cannot change."""
    _unknown(fields, SCHEME_FIELDS)
    _require_change(actor, scheme)
    if "code" in fields and fields["code"] != scheme.code:
        raise ValidationError({"code": _("方案代码创建后不能修改。")})
    if "owner" in fields and fields["owner"] != scheme.owner:
        _check_owner(actor, fields["owner"], "evaluation.change_scheme")
    for name, value in fields.items():
        setattr(scheme, name, value)
    _save_scheme(scheme)
    ensure_in_scope(actor, scheme, "change")
    return scheme


def _save_scheme(scheme: Scheme) -> None:
    scheme.code = (scheme.code or "").strip()
    if scheme.code and _code_taken(Scheme.objects, scheme.code, scheme.pk):
        raise ValidationError({"code": _("方案代码“%(code)s”已被使用。") % {"code": scheme.code}})
    errors = {}
    if scheme.full_score is not None and scheme.full_score <= 0:
        errors["full_score"] = _("满分必须大于 0。")
    for name in ("bonus_cap", "deduction_cap", "veto_cap"):
        value = getattr(scheme, name)
        if value is not None and value < 0:
            errors[name] = _("“%(field)s”不能小于 0。") % {
                "field": Scheme._meta.get_field(name).verbose_name
            }
    if errors:
        raise ValidationError(errors)
    scheme.full_clean()
    scheme.save()


# --- indicators ---------------------------------------------------------------------------


@service
def indicator_save(
    *, actor, scheme: Scheme, indicator: Indicator | None = None, **fields
) -> Indicator:
    """Add an indicator to ``scheme`` or change ``indicator``."""
    _unknown(fields, INDICATOR_FIELDS)
    _require_change(actor, scheme)
    if indicator is not None and indicator.scheme_id != scheme.pk:
        raise ValidationError(_("该指标不属于本方案。"))
    item = indicator or Indicator(scheme=scheme)
    old_code = item.code if indicator is not None else None
    for name, value in fields.items():
        setattr(item, name, value)
    item.code = (item.code or "").strip()
    item.source_param = (item.source_param or "").strip()
    if item.kind not in MANUAL_KINDS:
        item.scored_by = []
    if item.kind != IndicatorKind.COMPUTED:
        item.full_marks_at = None
    _validate_indicator(scheme, item)
    item.full_clean()
    item.save()
    if old_code and old_code != item.code:
        # Saved one by one (a scheme has a handful) so the audit log records each rule's change.
        for rule in TitleRule.objects.filter(scheme=scheme, indicator_code=old_code):
            rule.indicator_code = item.code
            rule.save(update_fields=["indicator_code"])
    return item


def _validate_indicator(scheme: Scheme, item: Indicator) -> None:
    if item.code and _code_taken(scheme.indicators, item.code, item.pk):
        raise ValidationError(
            {"code": _("指标代码“%(code)s”已在本方案中使用。") % {"code": item.code}}
        )
    errors = {}
    parent_error = _parent_error(scheme, item)
    if parent_error:
        errors["parent"] = parent_error
    if item.pk and item.kind != IndicatorKind.GROUP and item.children.exists():
        errors["kind"] = _("该分组下还有指标，不能改为其他类型。")
    groups = set(scheme.groups.values_list("kind", flat=True))
    unknown = [kind for kind in item.scored_by or [] if kind not in groups]
    if unknown:
        labels = "、".join(
            str(EvaluatorKind(kind).label) for kind in unknown if kind in EvaluatorKind.values
        ) or "、".join(unknown)
        errors["scored_by"] = _("本方案没有评价主体：%(groups)s。") % {"groups": labels}
    param_error = _param_error(scheme, item)
    if param_error:
        errors["source_param"] = param_error
    if errors:
        raise ValidationError(errors)


def _parent_error(scheme: Scheme, item: Indicator) -> str | None:
    parent = item.parent
    if parent is None:
        return None
    if parent.scheme_id != scheme.pk:
        return _("上级指标必须是本方案的指标分组。")
    if parent.kind != IndicatorKind.GROUP:
        return _("上级指标必须是指标分组。")
    if item.pk and (parent.pk == item.pk or parent.pk in descendant_ids(item)):
        return _("上级指标不能是该指标本身或其下级。")
    return None


def _param_error(scheme: Scheme, item: Indicator) -> str | None:
    param = item.source_param
    if not item.source:
        return _("请先选择数据来源，或清空数据参数。") if param else None
    if item.source not in PARAM_SOURCES:
        return _("该数据来源不需要数据参数，请清空。") if param else None
    if item.source == DataSource.BENCHMARK:
        if not BenchmarkIndicator.objects.filter(code=param).exists():
            return _("对标指标代码“%(code)s”不存在。") % {"code": param}
    elif item.source == DataSource.SCHEME_RESULT:
        if param == scheme.code:
            return _("不能引用本方案自己的考评结果。")
        if not Scheme.objects.filter(code=param).exists():
            return _("方案代码“%(code)s”不存在。") % {"code": param}
    elif param and param not in PointsCategory.values:
        choices = "、".join(PointsCategory.values)
        return _("积分类别“%(code)s”不存在，可填：%(choices)s，或留空表示全部积分。") % {
            "code": param,
            "choices": choices,
        }
    return None


@service
def indicator_delete(*, actor, indicator: Indicator) -> int:
    """Delete an indicator and, for a group, everything below it; return how many went."""
    scheme = indicator.scheme
    _require_change(actor, scheme)
    ids = descendant_ids(indicator) | {indicator.pk}
    codes = set(Indicator.objects.filter(pk__in=ids).values_list("code", flat=True))
    used = list(scheme.title_rules.filter(indicator_code__in=codes).values_list("name", flat=True))
    if used:
        raise ValidationError(
            _("称号规则“%(rules)s”按该指标授予，请先修改称号规则。") % {"rules": "、".join(used)}
        )
    Indicator.objects.filter(pk__in=ids).delete()
    return len(ids)


# --- evaluator groups ---------------------------------------------------------------------


@service
def groups_save(*, actor, scheme: Scheme, weights: dict[str, Decimal]) -> list[EvaluatorGroup]:
    """Set the scheme's evaluator groups: ``weights`` maps each group kind kept to its weight;
    kinds left out are removed."""
    _require_change(actor, scheme)
    errors = {}
    for kind, weight in weights.items():
        if kind not in EvaluatorKind.values:
            raise ValidationError(_("未知的评价主体“%(kind)s”。") % {"kind": kind})
        if weight is None or weight <= 0:
            errors[f"weight_{kind}"] = _("“%(group)s”的权重必须大于 0。") % {
                "group": EvaluatorKind(kind).label
            }
    if errors:
        raise ValidationError(errors)
    _check_groups_still_used(scheme, set(weights))
    scheme.groups.exclude(kind__in=list(weights)).delete()
    existing = {group.kind: group for group in scheme.groups.all()}
    saved = []
    for kind in EvaluatorKind.values:
        if kind not in weights:
            continue
        group = existing.get(kind) or EvaluatorGroup(scheme=scheme, kind=kind)
        group.weight = weights[kind]
        group.full_clean()
        group.save()
        saved.append(group)
    return saved


def _check_groups_still_used(scheme: Scheme, kept: set[str]) -> None:
    manual = list(scheme.indicators.filter(kind__in=list(MANUAL_KINDS)))
    if manual and not kept:
        raise ValidationError(_("本方案有评分项，至少需要一个评价主体。"))
    for item in manual:
        dropped = [kind for kind in item.scored_by or [] if kind not in kept]
        if dropped:
            raise ValidationError(
                _("指标“%(name)s”指定由“%(group)s”评价，请先修改该指标再删除此评价主体。")
                % {"name": item.name, "group": EvaluatorKind(dropped[0]).label}
            )


# --- title rules --------------------------------------------------------------------------


@service
def title_rule_save(*, actor, scheme: Scheme, rule: TitleRule | None = None, **fields) -> TitleRule:
    """Add a title rule to ``scheme`` or change ``rule``."""
    _unknown(fields, TITLE_FIELDS)
    _require_change(actor, scheme)
    if rule is not None and rule.scheme_id != scheme.pk:
        raise ValidationError(_("该称号规则不属于本方案。"))
    item = rule or TitleRule(scheme=scheme)
    old_code = item.code if rule is not None else None
    for name, value in fields.items():
        setattr(item, name, value)
    item.code = (item.code or "").strip()
    item.requires = list(item.requires or []) if item.basis == TitleBasis.ALL_OF else []
    _validate_title(scheme, item)
    item.full_clean()
    item.save()
    if old_code and old_code != item.code:
        _rename_requirement(scheme, old_code, item.code)
    return item


def _validate_title(scheme: Scheme, item: TitleRule) -> None:
    if item.code and _code_taken(scheme.title_rules, item.code, item.pk):
        raise ValidationError(
            {"code": _("称号代码“%(code)s”已在本方案中使用。") % {"code": item.code}}
        )
    errors = {}
    if item.indicator_code and not scheme.indicators.filter(code=item.indicator_code).exists():
        errors["indicator_code"] = _("本方案没有代码为“%(code)s”的指标。") % {
            "code": item.indicator_code
        }
    others = set(scheme.title_rules.exclude(pk=item.pk).values_list("code", flat=True))
    missing = [code for code in item.requires if code not in others]
    if missing:
        errors["requires"] = _("本方案没有称号“%(codes)s”。") % {"codes": "、".join(missing)}
    if errors:
        raise ValidationError(errors)


def _rename_requirement(scheme: Scheme, old: str, new: str) -> None:
    for other in scheme.title_rules.filter(basis=TitleBasis.ALL_OF):
        if old in other.requires:
            other.requires = [new if code == old else code for code in other.requires]
            other.save(update_fields=["requires"])


@service
def title_rule_delete(*, actor, rule: TitleRule) -> None:
    scheme = rule.scheme
    _require_change(actor, scheme)
    others = scheme.title_rules.exclude(pk=rule.pk)
    needing = [other.name for other in others if rule.code in other.requires]
    if needing:
        raise ValidationError(
            _("称号“%(rules)s”要求同时获得该称号，请先修改它们。") % {"rules": "、".join(needing)}
        )
    rule.delete()
