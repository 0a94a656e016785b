"""Choice fields whose choice set is one named schema component (``ItemKindEnum``…).

drf-spectacular names an enum after the field (``kind``), and ``kind`` is already the
organization kind: a second choice set under that name would rename the organization enum and
warn. Naming each agenda choice set after its domain keeps both stable.
"""

from django.utils.functional import lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import (
    MEETING_KIND_CHOICES,
    AlertLevel,
    AttachmentKind,
    AttendanceStatus,
    DuesCategory,
    ItemKind,
    MeetingStatus,
    Recurrence,
)


class EnumField(serializers.ChoiceField):
    choice_set: list = []

    def __init__(self, **kwargs):
        kwargs.setdefault("choices", self.choice_set)
        super().__init__(**kwargs)


def _describe(choices) -> str:
    return "\n".join(f"* `{value}` - {label}" for value, label in choices)


def enum_field(name: str, choices) -> type[EnumField]:
    choices = list(choices)
    schema = {
        "type": "string",
        "enum": [value for value, _label in choices],
        "description": lazy(_describe, str)(choices),
    }
    field_class = type(
        f"{name}Field", (EnumField,), {"choice_set": choices, "__module__": __name__}
    )
    return extend_schema_field(schema, component_name=f"{name}Enum")(field_class)


ItemKindField = enum_field("ItemKind", ItemKind.choices)
RecurrenceField = enum_field("Recurrence", Recurrence.choices)
AlertLevelField = enum_field("AlertLevel", AlertLevel.choices)
MeetingKindField = enum_field("MeetingKind", MEETING_KIND_CHOICES)
MeetingStatusField = enum_field("MeetingStatus", MeetingStatus.choices)
AttendanceStatusField = enum_field("AttendanceStatus", AttendanceStatus.choices)
AttachmentKindField = enum_field("AttachmentKind", AttachmentKind.choices)
DuesCategoryField = enum_field("DuesCategory", DuesCategory.choices)
