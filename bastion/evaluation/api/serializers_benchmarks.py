"""Serializers of the 同业对标 API: indicators, monthly values and the upload of values."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from bastion.core.api_fields import EnumField

from ..models import BenchmarkIndicator, BenchmarkValue, Direction


class BenchmarkIndicatorSerializer(serializers.ModelSerializer):
    direction = EnumField(Direction, read_only=True)
    direction_display = serializers.CharField(source="get_direction_display", read_only=True)

    class Meta:
        model = BenchmarkIndicator
        fields = [
            "code",
            "name",
            "name_en",
            "unit",
            "direction",
            "direction_display",
            "source",
            "order",
        ]
        read_only_fields = fields


class BenchmarkIndicatorRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    unit = serializers.CharField()
    direction = EnumField(Direction)


class StationRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class BenchmarkValueSerializer(serializers.ModelSerializer):
    indicator = BenchmarkIndicatorRefSerializer(read_only=True)
    organization = StationRefSerializer(read_only=True, help_text=_("供电所"))
    month = serializers.DateField(format="%Y-%m", read_only=True, help_text=_("月份，如 2026-10"))

    class Meta:
        model = BenchmarkValue
        fields = ["id", "indicator", "organization", "month", "value", "recorded_at"]
        read_only_fields = fields


class BenchmarkRowSerializer(serializers.Serializer):
    # Every key optional here: the service names the row and the column of what is missing.
    indicator = serializers.CharField(
        required=False, allow_blank=True, default="", help_text=_("指标代码，如 fee_recovery")
    )
    organization = serializers.CharField(
        required=False, allow_blank=True, default="", help_text=_("供电所的组织编码")
    )
    month = serializers.CharField(
        required=False, allow_blank=True, default="", help_text=_("月份，如 2026-10")
    )
    value = serializers.CharField(
        required=False, allow_blank=True, default="", help_text=_("指标值，如 99.2")
    )


class BenchmarkUploadSerializer(serializers.Serializer):
    rows = BenchmarkRowSerializer(many=True, allow_empty=False, label=_("指标值"))


class BenchmarkUploadResultSerializer(serializers.Serializer):
    created = serializers.IntegerField(help_text=_("新增条数"))
    updated = serializers.IntegerField(help_text=_("更新条数"))
    unchanged = serializers.IntegerField(help_text=_("与已保存的值相同、未改动的条数"))
