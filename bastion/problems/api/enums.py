"""The problem API's choice sets, each one named schema component (``ProblemStateEnum``…).

drf-spectacular names an enum after its field (``state``, ``kind``, ``category``), and those
names are taken by other apps' choice sets; the agenda's ``enum_field`` gives each set its own.
"""

from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from bastion.agenda.api.enums import EnumField, _describe, enum_field

from ..models import Category, InspectionKind, Library, Source, State, Tier

MOVE_CHOICES = [(value, label) for value, label in State.choices if value != State.PLANNED] + [
    ("reopen", _("重新打开（回到整改中）"))
]
FORMAT_CHOICES = [("docx", _("Word 通报")), ("xlsx", _("Excel 清单"))]

InspectionKindField = enum_field("InspectionKind", InspectionKind.choices)
ProblemSourceField = enum_field("ProblemSource", Source.choices)
ProblemCategoryField = enum_field("ProblemCategory", Category.choices)
ProblemLibraryField = enum_field("ProblemLibrary", Library.choices)
ProblemStateField = enum_field("ProblemState", State.choices)
ProblemMoveField = enum_field("ProblemMove", MOVE_CHOICES)
BulletinFormatField = enum_field("BulletinFormat", FORMAT_CHOICES)


def _int_enum_field(name: str, choices) -> type[EnumField]:
    choices = list(choices)
    schema = {
        "type": "integer",
        "enum": [value for value, _label in choices],
        "description": lazy(_describe, str)(choices),
    }
    field_class = type(
        f"{name}Field", (EnumField,), {"choice_set": choices, "__module__": __name__}
    )
    return extend_schema_field(schema, component_name=f"{name}Enum")(field_class)


ProblemTierField = _int_enum_field("ProblemTier", Tier.choices)
