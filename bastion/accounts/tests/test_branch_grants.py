"""A branch secretary gives the roles of their branch (党员, 党小组长, 党务工作者) to their own
members' accounts inside the branch, never outside or above it, and never a role beyond their
own rights; a county committee does the same for its county."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from bastion.accounts import services
from bastion.orgs.models import Role, RoleAssignment
from bastion.orgs.services import role_assign

BRANCH_ROLES = ("member", "group_leader", "party_worker")


@pytest.fixture(name="li_si")
def li_si_fixture(personas, people):
    """李四 of station A1, with an account his secretary opened."""
    return services.account_open(actor=personas.secretary_a, person=people.li_si).user


@pytest.mark.parametrize("code", BRANCH_ROLES)
def test_a_secretary_grants_the_branch_roles_inside_the_branch(personas, tree, li_si, code):
    role = Role.objects.get(code=code)
    assignment = role_assign(
        actor=personas.secretary_a, user=li_si, role=role, organization=tree.station_a1
    )
    assert (assignment.user, assignment.organization) == (li_si, tree.station_a1)


@pytest.mark.parametrize("where", ["station_b1", "county_a"])
def test_a_secretary_grants_nothing_outside_or_above_the_branch(personas, tree, li_si, where):
    with pytest.raises(PermissionDenied):
        role_assign(
            actor=personas.secretary_a,
            user=li_si,
            role=Role.objects.get(code="member"),
            organization=getattr(tree, where),
        )
    assert (
        not RoleAssignment.objects.filter(user=li_si, role__code="member")
        .exclude(organization=tree.station_a1)
        .exists()
    )


def test_a_secretary_cannot_grant_a_role_beyond_their_own_rights(personas, tree, li_si):
    with pytest.raises(PermissionDenied, match="超出您自身权限"):
        role_assign(
            actor=personas.secretary_a,
            user=li_si,
            role=Role.objects.get(code="county_committee"),
            organization=tree.station_a1,
        )


def test_the_grant_page_offers_only_the_roles_one_may_grant(client, personas):
    client.force_login(personas.secretary_a)
    offered = {
        role.code
        for role in client.get(reverse("orgs:role_grant")).context["form"].fields["role"].queryset
    }
    assert set(BRANCH_ROLES) <= offered
    assert not offered & {"county_committee", "party_department"}
    client.force_login(personas.county)
    county = client.get(reverse("orgs:role_grant")).context["form"].fields["role"].queryset
    assert {"county_committee", *BRANCH_ROLES} <= {role.code for role in county}
    assert "party_department" not in {role.code for role in county}


def test_a_secretary_grants_a_group_leader_through_the_page(client, personas, tree, li_si):
    client.force_login(personas.secretary_a)
    response = client.post(
        reverse("orgs:role_grant"),
        {
            "person": li_si.person.pk,
            "role": Role.objects.get(code="group_leader").pk,
            "organization": tree.station_a1.pk,
        },
    )
    assert response.status_code == 302
    assert RoleAssignment.objects.filter(
        user=li_si, role__code="group_leader", organization=tree.station_a1
    ).exists()


def test_a_county_committee_opens_and_grants_across_its_county(personas, tree, people):
    wang_wu = services.account_open(actor=personas.county, person=people.wang_wu).user
    role_assign(
        actor=personas.county,
        user=wang_wu,
        role=Role.objects.get(code="party_worker"),
        organization=tree.station_a2,
    )
    with pytest.raises(PermissionDenied):
        services.account_open(actor=personas.county, person=people.zhao_liu)  # county B
