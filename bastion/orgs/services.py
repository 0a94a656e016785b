"""Writes to organizations, people and role grants. Views, API, imports and commands call these."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from bastion.core.scope import allows, ensure_in_scope
from bastion.core.services import service

from .counts import subtree_moved
from .grants import forget_grants
from .models import CommitteeMember, Organization, Person, Role, RoleAssignment
from .models.signals import organization_moved
from .selectors import keeps_root_administrable

ORG_FIELDS = (
    "name",
    "short_name",
    "code",
    "kind",
    "unit_kind",
    "established_on",
    "term_started_on",
    "term_ends_on",
    "phone",
    "address",
    "is_active",
)
PERSON_FIELDS = (
    "name",
    "gender",
    "birth_date",
    "id_number",
    "employee_no",
    "organization",
    "party_group",
    "work_unit",
    "post",
    "membership_status",
    "status",
    "applied_on",
    "admitted_on",
    "confirmed_on",
    "phone",
    "email",
)


def _require(actor, queryset, obj, action: str) -> None:
    if not queryset.restrict(actor, action).filter(pk=obj.pk).exists():
        raise PermissionDenied(_("该对象不在您的管理范围内。"))


def _assign(obj, fields: tuple[str, ...], data: dict[str, Any]) -> None:
    unknown = set(data) - set(fields)
    if unknown:
        raise ValueError(f"unknown fields: {sorted(unknown)}")
    for name, value in data.items():
        setattr(obj, name, value)


@service
def organization_create(*, actor, parent: Organization | None, data: dict) -> Organization:
    """Add a node under ``parent`` (a root needs a superuser)."""
    if parent is None:
        if not actor.is_superuser:
            raise PermissionDenied(_("只有系统管理员可以创建顶级组织。"))
    else:
        _require(actor, Organization.objects, parent, "add")
    org = Organization()
    _assign(org, ORG_FIELDS, data)
    org.full_clean(exclude=["path", "depth", "numchild"])
    if parent is None:
        org = Organization.objects.add_root(instance=org)
    else:
        org = Organization.objects.add_child(parent, instance=org)
    ensure_in_scope(actor, org, "view")
    return org


@service
def organization_update(*, actor, organization: Organization, data: dict) -> Organization:
    _require(actor, Organization.objects, organization, "change")
    _assign(organization, ORG_FIELDS, data)
    organization.full_clean(exclude=["path", "depth", "numchild"])
    organization.save()
    return organization


@service
def organization_move(*, actor, organization: Organization, new_parent: Organization):
    """Move a node and its whole subtree under ``new_parent``; both must be in scope."""
    _require(actor, Organization.objects, organization, "move")
    _require(actor, Organization.objects, new_parent, "add")
    if new_parent.path.startswith(organization.path):
        raise ValidationError(_("不能把组织移动到它自己或它的下级组织之下。"))
    if organization.is_root():
        raise ValidationError(_("顶级组织不能移动。"))
    old_parent = Organization.objects.get_parent(organization)
    Organization.objects.move(organization, new_parent, pos="sorted-child")
    organization.refresh_from_db()
    subtree_moved(
        organization=organization, old_parent_id=old_parent.pk, new_parent_id=new_parent.pk
    )
    organization_moved.send(Organization, organization=organization, old_parent=old_parent)
    from auditlog.models import LogEntry

    LogEntry.objects.log_create(
        organization,
        action=LogEntry.Action.UPDATE,
        force_log=True,
        changes={"parent": [str(old_parent), str(new_parent)]},
    )
    ensure_in_scope(actor, organization, "view")
    return organization


@service
def organization_delete(*, actor, organization: Organization) -> None:
    _require(actor, Organization.objects, organization, "delete")
    if Organization.objects.get_children_count(organization) or organization.people.exists():
        raise ValidationError(_("该组织下还有下级组织或人员，不能删除。"))
    try:
        organization.delete()
    except ProtectedError:
        # Meetings, dues and elections are the organization's history: they are never dropped.
        raise ValidationError(
            _("该组织已有会议、党费或换届等记录，不能删除；如已撤销，请将其设为停用。")
        ) from None


def _check_person_scope(actor, person: Person) -> None:
    """The person's organization (and party group) must be in the actor's scope."""
    allowed = Organization.objects.restrict(actor, "view")
    if not allowed.filter(pk=person.organization_id).exists():
        raise ValidationError({"organization": _("所选党组织不在您的管理范围内。")})


@service
def person_create(*, actor, data: dict) -> Person:
    person = Person()
    _assign(person, PERSON_FIELDS, data)
    person.full_clean()
    _check_person_scope(actor, person)
    person.save()
    ensure_in_scope(actor, person, "add")
    return person


@service
def person_update(*, actor, person: Person, data: dict) -> Person:
    _require(actor, Person.objects, person, "change")
    _assign(person, PERSON_FIELDS, data)
    person.full_clean()
    _check_person_scope(actor, person)
    person.save()
    ensure_in_scope(actor, person, "change")
    return person


@service
def person_delete(*, actor, person: Person) -> None:
    _require(actor, Person.objects, person, "delete")
    try:
        person.delete()
    except ProtectedError:
        raise ValidationError(
            _("该人员已有参会、党费或换届等记录，不能删除；如已调离，请修改其所在组织或党员状态。")
        ) from None


@service
def committee_member_set(
    *, actor, organization: Organization, person: Person, position: str, started_on=None
) -> CommitteeMember:
    """Seat ``person`` on the committee; a new secretary replaces the old one."""
    _require(actor, Organization.objects, organization, "change")
    _require(actor, Person.objects, person, "view")
    if position == "secretary":
        # Saved one by one (there is at most one) so the demotion is audited like any seat change.
        former = CommitteeMember.objects.filter(
            organization=organization, position="secretary"
        ).exclude(person=person)
        for seat in former:
            seat.position = "member"
            seat.save(update_fields=["position"])
    seat, _created = CommitteeMember.objects.update_or_create(
        organization=organization,
        person=person,
        defaults={"position": position, "started_on": started_on},
    )
    seat.full_clean()
    return seat


@service
def committee_member_remove(*, actor, seat: CommitteeMember) -> None:
    _require(actor, Organization.objects, seat.organization, "change")
    seat.delete()


@service
def role_assign(*, actor, user, role: Role, organization: Organization) -> RoleAssignment:
    """Grant ``role`` on ``organization``; nobody grants more than they hold themselves."""
    _require(actor, Organization.objects, organization, "view")
    if not actor.is_superuser:
        _require_can_grant(actor, organization, role)
    assignment, _created = RoleAssignment.objects.get_or_create(
        user=user, role=role, organization=organization
    )
    forget_grants(user)
    ensure_in_scope(actor, assignment, "add")
    return assignment


def _require_can_grant(actor, organization: Organization, role: Role) -> None:
    if not allows(actor, "orgs.add_roleassignment", organization):
        raise PermissionDenied(_("您无权在该组织授予角色。"))
    for permission in role.permissions:
        if not allows(actor, permission, organization):
            raise PermissionDenied(_("不能授予超出您自身权限的角色。"))


@service
def role_revoke(*, actor, assignment: RoleAssignment) -> None:
    _require(actor, RoleAssignment.objects, assignment, "delete")
    if not keeps_root_administrable(without_assignment=assignment):
        raise ValidationError(
            _("这是顶级组织最后一个可授予角色的授权，撤销后将无人能管理，不能撤销。")
        )
    user = assignment.user
    assignment.delete()
    forget_grants(user)
