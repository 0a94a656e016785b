from .bulletin import Bulletin, BulletinStatus
from .inspection import Inspection, InspectionKind
from .problem import (
    OPEN_STATES,
    Category,
    Library,
    Problem,
    ProblemEvent,
    ProblemEvidence,
    Source,
    State,
    Tier,
)

__all__ = [
    "OPEN_STATES",
    "Bulletin",
    "BulletinStatus",
    "Category",
    "Inspection",
    "InspectionKind",
    "Library",
    "Problem",
    "ProblemEvent",
    "ProblemEvidence",
    "Source",
    "State",
    "Tier",
]
