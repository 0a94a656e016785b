"""Serializers of the agenda API for rules, obligations and dues. They validate shapes; the
services validate meaning. Meeting serializers live in ``meeting_serializers.py``."""

from __future__ import annotations

import contextlib
import datetime as dt

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from bastion.core.api import ScopedRelatedField
from bastion.core.api_fields import (
    EnumField,
    OrgRefSerializer,
    PersonRefSerializer,
    ReadableSourceField,
)
from bastion.orgs.models import Person
from bastion.orgs.models.organization import OrganizationKind

from ..models import (
    AlertLevel,
    CalendarRule,
    DuesCategory,
    DuesPayment,
    ItemKind,
    Obligation,
    Recurrence,
)
from ..services.dues import check_paid_on, parse_amount, parse_month


def today_of(serializer) -> dt.date:
    """One "today" per request, handed down in the context (``timezone.localdate()``)."""
    return serializer.context.get("today") or timezone.localdate()


# --- rules --------------------------------------------------------------------------------------


def describe_due(rule: CalendarRule) -> str:
    """The due rule in words, the same sentence the calendar page shows."""
    from bastion.agenda.calendar_view import due_rule_text

    return due_rule_text(rule)


ORG_KIND_LABELS = dict(OrganizationKind.choices)


class RuleSerializer(serializers.ModelSerializer):
    source = ReadableSourceField(read_only=True, help_text=_("依据来源"))
    kind = EnumField(ItemKind, read_only=True)
    recurrence = EnumField(Recurrence, read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    recurrence_display = serializers.CharField(source="get_recurrence_display", read_only=True)
    applies_kinds_display = serializers.SerializerMethodField(help_text=_("适用组织类型的中文名称"))
    due_rule = serializers.SerializerMethodField(help_text=_("截止规则的文字说明"))
    guide = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, help_text=_("操作指引页面编码")
    )
    guide_title = serializers.CharField(
        source="guide.title", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = CalendarRule
        fields = [
            "id",
            "code",
            "name",
            "kind",
            "kind_display",
            "applies_kinds",
            "applies_kinds_display",
            "applies_unit_kinds",
            "recurrence",
            "recurrence_display",
            "due_month",
            "due_day",
            "due_term",
            "due_on",
            "due_rule",
            "green_days",
            "yellow_days",
            "quorum_ratio",
            "evidence_required",
            "guide",
            "guide_title",
            "source",
            "description",
            "effective_from",
            "is_active",
            "sort_order",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_applies_kinds_display(self, rule) -> list[str]:
        return [str(ORG_KIND_LABELS.get(kind, kind)) for kind in rule.applies_kinds or []]

    def get_due_rule(self, rule) -> str:
        return str(describe_due(rule))


# --- obligations --------------------------------------------------------------------------------


class ObligationSerializer(serializers.ModelSerializer):
    organization = OrgRefSerializer(read_only=True)
    rule_name = serializers.CharField(source="rule.name", read_only=True)
    kind = EnumField(ItemKind, read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    alert = serializers.SerializerMethodField(help_text=_("按今天的日期计算的提醒状态"))
    alert_display = serializers.SerializerMethodField(help_text=_("提醒状态的中文名称"))

    class Meta:
        model = Obligation
        fields = [
            "id",
            "organization",
            "rule",
            "rule_code",
            "rule_name",
            "kind",
            "kind_display",
            "period_label",
            "period_start",
            "period_end",
            "due_on",
            "green_from",
            "yellow_from",
            "fulfilled_on",
            "alert",
            "alert_display",
            "meeting",
            "election",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "meeting": {"help_text": _("完成该事项的会议记录编号")},
            "election": {"help_text": _("完成该事项的换届记录编号")},
        }

    @extend_schema_field(EnumField(AlertLevel))
    def get_alert(self, obligation) -> str:
        return obligation.alert(today_of(self))

    def get_alert_display(self, obligation) -> str:
        return str(AlertLevel(obligation.alert(today_of(self))).label)


# --- dues ---------------------------------------------------------------------------------------


class MonthField(serializers.Field):
    """A month: ``2026-03`` (also 2026/03, 2026年3月) or any date in it, such as ``2026-03-01``;
    read back as the first day of the month. Parsed by the dues service's own rules."""

    def to_internal_value(self, data):
        if isinstance(data, str):
            with contextlib.suppress(ValueError):
                data = dt.date.fromisoformat(data.strip())
        try:
            return parse_month(data)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None

    def to_representation(self, value):
        return value.isoformat()


extend_schema_field({"type": "string", "example": "2026-03"})(MonthField)


class DuesPaymentSerializer(serializers.ModelSerializer):
    person = PersonRefSerializer(read_only=True)
    organization = OrgRefSerializer(read_only=True, help_text=_("收缴该笔党费的组织"))
    month = MonthField(read_only=True, help_text=_("所属月份（该月 1 日）"))
    month_label = serializers.SerializerMethodField()

    class Meta:
        model = DuesPayment
        fields = [
            "id",
            "person",
            "organization",
            "month",
            "month_label",
            "amount",
            "paid_on",
            "created_at",
        ]
        read_only_fields = fields

    def get_month_label(self, payment) -> str:
        return f"{payment.month:%Y-%m}"


class DuesPaymentCreateSerializer(serializers.Serializer):
    person = ScopedRelatedField(model=Person, label=_("党员"))
    month = MonthField(label=_("所属月份"), help_text=_("如 2026-03"))
    amount = serializers.DecimalField(label=_("金额"), max_digits=8, decimal_places=2)
    paid_on = serializers.DateField(label=_("缴纳日期"))

    # The service's own checks, run here too so that each message lands on its field.
    def validate_amount(self, value):
        return parse_amount(value)

    def validate_paid_on(self, value):
        return check_paid_on(value)


class DuesQuoteQuerySerializer(serializers.Serializer):
    category = serializers.ChoiceField(
        label=_("党员类别"),
        choices=DuesCategory.choices,
        error_messages={
            "invalid_choice": format_lazy(
                "{}{}。", _("党员类别“{input}”无效，应为："), "、".join(DuesCategory.values)
            ),
            "required": _("请填写党员类别（category）。"),
        },
    )
    base = serializers.CharField(
        label=_("月缴费基数"),
        required=False,
        allow_blank=True,
        help_text=_("税后月工资或离退休费，元；固定金额类别可不填。"),
    )


class DuesQuoteSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=8, decimal_places=2, help_text=_("每月应缴金额"))
    category = EnumField(DuesCategory)
    category_display = serializers.CharField()
    base = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True)
    rate = serializers.DecimalField(
        max_digits=5, decimal_places=2, allow_null=True, help_text=_("比例（%）")
    )
    fixed_amount = serializers.DecimalField(max_digits=8, decimal_places=2, allow_null=True)
    bracket = serializers.CharField(help_text=_("适用的党费档次"))
    effective_from = serializers.DateField(help_text=_("该档次的生效日期"))
    source = ReadableSourceField(help_text=_("依据来源"))
