"""The demo company's people sign in themselves: every party member and every secretary has an
account (username = 工号, the documented demo password), so members rate each other in the
arena and star-member rounds, and each branch secretary holds the role of their branch."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db.models import Q
from django.utils.translation import gettext as _

from bastion.core.demo import DEMO_PASSWORD, DemoContext
from bastion.orgs.models import CommitteeMember, Person, Role, RoleAssignment
from bastion.orgs.models.organization import OrganizationKind

from .models import AccountPolicy, UsernameSource
from .usernames import UsernamePicker

DEMO_ORDER = 15  # after the organizations (10), before anything that tells or rates people
SECRETARY_SEATS = ("secretary", "deputy_secretary")
BATCH = 1000
# The role a secretary holds on the organization they lead, by its kind.
SECRETARY_ROLES = {
    OrganizationKind.BRANCH: "branch_secretary",
    OrganizationKind.GENERAL_BRANCH: "branch_secretary",
    OrganizationKind.TEMPORARY_BRANCH: "branch_secretary",
}


def build_demo(ctx: DemoContext) -> None:
    company = ctx.require("orgs")
    seats = CommitteeMember.objects.filter(position__in=SECRETARY_SEATS).select_related(
        "organization"
    )
    secretary_ids = {seat.person_id for seat in seats}
    policy = AccountPolicy.current()
    people = list(
        Person.objects.filter(user__isnull=True)
        .filter(Q(membership_status__in=policy.member_statuses) | Q(pk__in=secretary_ids))
        .exclude(status__in=policy.leaving_statuses)
        .order_by("organization__path", "pk")
    )
    users = _create(people)
    _grant(people, users, seats, policy)
    # Later parts find the members' accounts among the demo accounts, on a second run as well.
    User = get_user_model()
    for user in User.objects.filter(person__isnull=False, is_active=True):
        company.users.setdefault(user.username, user)
    opened = Person.objects.filter(user__isnull=False).count()
    ctx.report(_("人员账号（用户名为工号）"), total=opened, created=len(users))


def _create(people: list[Person]) -> list:
    User = get_user_model()
    password = make_password(DEMO_PASSWORD)  # hashing is slow: once for every demo account
    picker = UsernamePicker(UsernameSource.EMPLOYEE_NO)
    users = User.objects.bulk_create(
        [
            User(username=picker.pick(person), first_name=person.name, password=password)
            for person in people
        ],
        batch_size=BATCH,
    )
    for person, user in zip(people, users, strict=True):
        person.user_id = user.pk
    Person.objects.bulk_update(people, ["user"], batch_size=BATCH)
    return users


def _grant(people: list[Person], users: list, seats, policy: AccountPolicy) -> None:
    user_of = {person.pk: user for person, user in zip(people, users, strict=True)}
    roles = {role.code: role for role in Role.objects.all()}
    grants = [
        RoleAssignment(
            user=user_of[person.pk], role=policy.member_role, organization_id=person.organization_id
        )
        for person in people
        if policy.member_role and person.membership_status in policy.member_statuses
    ]
    for seat in seats:
        code = SECRETARY_ROLES.get(seat.organization.kind)
        user = user_of.get(seat.person_id)
        if code and user and code in roles:
            grants.append(
                RoleAssignment(user=user, role=roles[code], organization=seat.organization)
            )
    RoleAssignment.objects.bulk_create(grants, batch_size=BATCH, ignore_conflicts=True)
