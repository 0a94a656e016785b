"""factory-boy factories for organizations, people and accounts."""

import factory
from django.contrib.auth import get_user_model

from bastion.core.idcard import check_code
from bastion.orgs.models import Organization, Person, Role, RoleAssignment


def make_id_number(serial: int, birth: str = "19850315", region: str = "440902") -> str:
    """A valid 18-digit resident ID with a correct checksum."""
    first17 = f"{region}{birth}{serial % 1000:03d}"
    return first17 + check_code(first17)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("bastion-test")


def make_org(parent=None, **fields) -> Organization:
    defaults = {"kind": "branch", "unit_kind": "station"}
    defaults.update(fields)
    org = Organization(**defaults)
    if parent is None:
        return Organization.objects.add_root(instance=org)
    return Organization.objects.add_child(parent, instance=org)


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"测试{n}")
    employee_no = factory.Sequence(lambda n: f"E{n:06d}")
    membership_status = "none"


def grant(user, role_code: str, organization: Organization) -> RoleAssignment:
    return RoleAssignment.objects.create(
        user=user, role=Role.objects.get(code=role_code), organization=organization
    )
