"""The task API's choice sets, each one named schema component (``TaskStatusEnum``…).

drf-spectacular names an enum after its field (``status``, ``kind``, ``state``), and those names
are taken by other apps' choice sets; a second set under the same name would rename theirs and
warn. The agenda's ``enum_field`` gives each set its own component name.
"""

from bastion.agenda.api.enums import enum_field
from bastion.orgs.models.organization import OrganizationKind, UnitKind

from ..models import AssignmentState, FieldKind, Priority, TaskStatus

TaskStatusField = enum_field("TaskStatus", TaskStatus.choices)
TaskPriorityField = enum_field("TaskPriority", Priority.choices)
FeedbackFieldKindField = enum_field("FeedbackFieldKind", FieldKind.choices)
AssignmentStateField = enum_field("AssignmentState", AssignmentState.choices)
RecipientUnitKindField = enum_field("RecipientUnitKind", UnitKind.choices)
RecipientOrgKindField = enum_field("RecipientOrgKind", OrganizationKind.choices)
