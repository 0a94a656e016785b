"""Serializers of a round's data readiness (缺数情况) and its decisions (缺数处理决定)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

__all__ = [
    "DataDecideSerializer",
    "DataDecisionSerializer",
    "ReadinessSerializer",
    "readiness_data",
]


class DataGapSerializer(serializers.Serializer):
    target = serializers.IntegerField(source="target_id", help_text=_("评价对象编号"))
    organization = serializers.IntegerField(source="organization_id", help_text=_("组织编号"))
    label = serializers.CharField(help_text=_("评价对象名称"))
    state = serializers.CharField(help_text=_("missing：缺数；partial：数据不全"))
    detail = serializers.CharField(help_text=_("缺什么（中文）"))


class DataDecisionSerializer(serializers.Serializer):
    indicator = serializers.CharField(help_text=_("指标代码"))
    indicator_name = serializers.CharField(help_text=_("指标名称"))
    decision = serializers.CharField(help_text=_("exclude：全员剔除该指标；wait：等待数据"))
    decision_display = serializers.CharField(source="get_decision_display")
    note = serializers.CharField(allow_blank=True)
    decided_by = serializers.CharField(help_text=_("决定人"))
    decided_at = serializers.DateTimeField()


class IndicatorGapsSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=_("指标代码"))
    name = serializers.CharField(help_text=_("指标名称"))
    source = serializers.CharField(help_text=_("数据来源"))
    missing_count = serializers.IntegerField(help_text=_("缺数的评价对象数"))
    partial_count = serializers.IntegerField(help_text=_("数据不全的评价对象数"))
    decision = DataDecisionSerializer(allow_null=True, help_text=_("已记录的处理决定"))
    gaps = DataGapSerializer(many=True, help_text=_("您有权查看的缺数对象"))


class ReadinessSerializer(serializers.Serializer):
    complete = serializers.BooleanField(help_text=_("各数据项的数据是否齐全"))
    publishable = serializers.BooleanField(
        help_text=_("缺数的指标是否都已决定全员剔除（数据方面可以发布）")
    )
    message = serializers.CharField(allow_blank=True, help_text=_("尚阻止发布的原因（中文）"))
    indicators = IndicatorGapsSerializer(many=True, help_text=_("有缺数的数据项指标"))


def readiness_data(readiness, shown=None) -> dict:
    """What ``ReadinessSerializer`` reads: publishing is judged on ``readiness`` (all targets),
    the gaps listed are those of ``shown`` (the requester's targets) when given."""
    return {
        "complete": readiness.complete,
        "publishable": not readiness.blocking,
        "message": readiness.blocking_message(),
        "indicators": (shown or readiness).with_gaps,
    }


class DataDecideSerializer(serializers.Serializer):
    indicator = serializers.CharField(max_length=40, help_text=_("有缺数的指标代码"))
    decision = serializers.CharField(
        max_length=10, help_text=_("exclude：全员剔除该指标（重新计算后生效）；wait：等待数据")
    )
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
