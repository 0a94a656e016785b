from .access import Role, RoleAssignment
from .counts import SubtreeCount
from .organization import CommitteeMember, Organization
from .person import Person

__all__ = ["CommitteeMember", "Organization", "Person", "Role", "RoleAssignment", "SubtreeCount"]
