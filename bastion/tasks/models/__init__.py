from .assignment import OPEN_STATES, Assignment, AssignmentState, FeedbackFile
from .cascade import LEVEL_ORDER, LEVEL_ROLE, CascadeItem, CascadeLevel, CascadeStatus
from .tally import TaskTally
from .task import FeedbackField, FieldKind, Priority, Task, TaskAttachment, TaskStatus

__all__ = [
    "LEVEL_ORDER",
    "LEVEL_ROLE",
    "OPEN_STATES",
    "Assignment",
    "AssignmentState",
    "CascadeItem",
    "CascadeLevel",
    "CascadeStatus",
    "FeedbackField",
    "FeedbackFile",
    "FieldKind",
    "Priority",
    "Task",
    "TaskAttachment",
    "TaskStatus",
    "TaskTally",
]
