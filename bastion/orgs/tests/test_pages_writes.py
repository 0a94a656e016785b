"""Writing through the pages: services, scope checks, audit history."""

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from bastion.orgs.models import CommitteeMember, Organization, Person, Role, RoleAssignment
from bastion.orgs.tests.factories import make_id_number


def person_post(organization, **overrides):
    data = {
        "name": "孙八",
        "gender": "",
        "id_number": "",
        "employee_no": "E900001",
        "organization": organization.pk,
        "party_group": "",
        "work_unit": "",
        "post": "",
        "membership_status": "none",
        "status": "active",
        "applied_on": "",
        "admitted_on": "",
        "confirmed_on": "",
        "phone": "",
        "email": "",
    }
    data.update(overrides)
    return data


def test_secretary_adds_a_person_to_their_branch(client, personas, tree):
    client.force_login(personas.secretary_a)
    response = client.post(reverse("orgs:person_create"), person_post(tree.station_a1))
    person = Person.objects.get(employee_no="E900001")
    assert response.status_code == 302
    assert person.organization == tree.station_a1
    assert person.name_initials == "sb"
    entry = LogEntry.objects.get_for_object(person).get()
    assert entry.actor == personas.secretary_a


def test_secretary_cannot_add_a_person_to_another_branch(client, personas, tree):
    client.force_login(personas.secretary_a)
    response = client.post(reverse("orgs:person_create"), person_post(tree.station_b1))
    assert response.status_code == 200
    assert "organization" in response.context["form"].errors
    assert not Person.objects.filter(employee_no="E900001").exists()


def test_bad_id_number_is_refused_with_a_chinese_message(client, personas, tree):
    client.force_login(personas.secretary_a)
    bad = make_id_number(1)[:-1] + ("0" if make_id_number(1)[-1] != "0" else "1")
    response = client.post(
        reverse("orgs:person_create"), person_post(tree.station_a1, id_number=bad)
    )
    assert "校验位" in str(response.context["form"].errors["id_number"])
    response = client.post(
        reverse("orgs:person_create"), person_post(tree.station_a1, id_number="440902851315123")
    )
    assert "15位" in str(response.context["form"].errors["id_number"])
    assert not Person.objects.filter(employee_no="E900001").exists()


def test_membership_dates_must_be_in_order(client, personas, tree):
    client.force_login(personas.secretary_a)
    response = client.post(
        reverse("orgs:person_create"),
        person_post(
            tree.station_a1,
            membership_status="full",
            applied_on="2015-01-01",
            admitted_on="2014-01-01",
            confirmed_on="2016-01-01",
        ),
    )
    assert "admitted_on" in response.context["form"].errors
    assert not Person.objects.filter(employee_no="E900001").exists()


def test_editing_a_person_is_recorded_with_before_and_after(client, personas, people):
    client.force_login(personas.county)
    person = people.li_si
    data = person_post(
        person.organization, name="李四", employee_no=person.employee_no, phone="13800000000"
    )
    client.post(reverse("orgs:person_edit", args=[person.pk]), data)
    response = client.get(reverse("orgs:person_history", args=[person.pk]))
    html = response.content.decode()
    assert "13800000000" in html
    assert "p_county" in html


def test_id_numbers_are_masked_for_roles_without_the_right(client, personas, tree, people):
    from bastion.orgs.tests.factories import UserFactory, grant

    number = make_id_number(7)
    Person.objects.filter(pk=people.zhao_liu.pk).update(id_number=number)
    inspector = UserFactory(username="p_discipline")
    grant(inspector, "discipline", tree.company)
    client.force_login(inspector)
    html = client.get(reverse("orgs:person_detail", args=[people.zhao_liu.pk])).content.decode()
    assert number not in html
    assert number[:6] + "********" + number[-4:] in html
    client.force_login(personas.secretary_b)
    html = client.get(reverse("orgs:person_detail", args=[people.zhao_liu.pk])).content.decode()
    assert number in html


def test_county_moves_a_station_within_its_county(client, personas, tree):
    client.force_login(personas.county)
    response = client.post(
        reverse("orgs:org_move", args=[tree.group_a1.pk]), {"new_parent": tree.station_a2.pk}
    )
    assert response.status_code == 302
    tree.group_a1.refresh_from_db()
    assert tree.group_a1.path.startswith(Organization.objects.get(pk=tree.station_a2.pk).path)


def test_county_cannot_move_a_node_into_another_county(client, personas, tree):
    client.force_login(personas.county)
    response = client.post(
        reverse("orgs:org_move", args=[tree.station_a2.pk]), {"new_parent": tree.county_b.pk}
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    tree.station_a2.refresh_from_db()
    assert Organization.objects.get_parent(tree.station_a2) == tree.county_a


def test_company_creates_a_child_organization(client, personas, tree):
    client.force_login(personas.company)
    response = client.post(
        reverse("orgs:org_create", args=[tree.county_b.pk]),
        {
            "name": "B2供电所党支部",
            "short_name": "",
            "code": "C-B-2",
            "kind": "branch",
            "unit_kind": "station",
            "established_on": "2020-07-01",
            "term_started_on": "",
            "term_ends_on": "",
            "phone": "",
            "address": "",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    created = Organization.objects.get(code="C-B-2")
    assert Organization.objects.get_parent(created) == tree.county_b
    assert LogEntry.objects.get_for_object(created).exists()


def test_term_end_before_start_is_refused(client, personas, tree):
    client.force_login(personas.county)
    response = client.post(
        reverse("orgs:org_edit", args=[tree.station_a1.pk]),
        {
            "name": tree.station_a1.name,
            "short_name": "",
            "code": tree.station_a1.code,
            "kind": "branch",
            "unit_kind": "station",
            "established_on": "",
            "term_started_on": "2024-01-01",
            "term_ends_on": "2023-01-01",
            "phone": "",
            "address": "",
            "is_active": "on",
        },
    )
    assert "term_ends_on" in response.context["form"].errors


def test_new_secretary_replaces_the_old_one(client, personas, tree, people):
    client.force_login(personas.secretary_a)
    url = reverse("orgs:committee_add", args=[tree.station_a1.pk])
    client.post(url, {"person": people.zhang_san.pk, "position": "secretary"})
    # 李四 is not a party member, so cannot sit on the committee.
    response = client.post(url, {"person": people.li_si.pk, "position": "secretary"})
    assert response.status_code == 200
    seat = CommitteeMember.objects.get(organization=tree.station_a1, position="secretary")
    assert seat.person == people.zhang_san


def give_account(person, user):
    person.user = user
    person.save(update_fields=["user"])


def test_company_grants_and_revokes_a_role(client, personas, tree, people):
    give_account(people.zhao_liu, personas.outsider)
    client.force_login(personas.company)
    client.post(
        reverse("orgs:role_grant"),
        {
            "person": people.zhao_liu.pk,
            "role": Role.objects.get(code="branch_secretary").pk,
            "organization": tree.station_b1.pk,
        },
    )
    assignment = RoleAssignment.objects.get(user=personas.outsider)
    assert assignment.organization == tree.station_b1
    client.post(reverse("orgs:role_revoke", args=[assignment.pk]))
    assert not RoleAssignment.objects.filter(user=personas.outsider).exists()


def test_county_cannot_grant_outside_its_county(client, personas, tree, people):
    give_account(people.li_si, personas.outsider)
    client.force_login(personas.county)
    response = client.post(
        reverse("orgs:role_grant"),
        {
            "person": people.li_si.pk,
            "role": Role.objects.get(code="branch_secretary").pk,
            "organization": tree.station_b1.pk,
        },
    )
    assert "organization" in response.context["form"].errors
    assert not RoleAssignment.objects.filter(user=personas.outsider).exists()


@pytest.mark.parametrize("persona", ["secretary_b", "member", "outsider"])
def test_out_of_scope_writes_are_404_and_change_nothing(client, personas, people, persona):
    client.force_login(getattr(personas, persona))
    person = people.li_si
    response = client.post(
        reverse("orgs:person_edit", args=[person.pk]), person_post(person.organization, name="改名")
    )
    assert response.status_code == 404
    response = client.post(reverse("orgs:person_delete", args=[person.pk]))
    assert response.status_code == 404
    person.refresh_from_db()
    assert person.name == "李四"


def test_grant_history_is_scoped_and_survives_revoke(client, personas, tree, people):
    give_account(people.zhao_liu, personas.outsider)
    client.force_login(personas.company)
    role = Role.objects.get(code="member")
    client.post(
        reverse("orgs:role_grant"),
        {"person": people.zhao_liu.pk, "role": role.pk, "organization": tree.station_b1.pk},
    )
    assignment = RoleAssignment.objects.get(user=personas.outsider)
    client.post(reverse("orgs:role_revoke", args=[assignment.pk]))
    html = client.get(reverse("orgs:role_history")).content.decode()
    # The grantee by name and organization, the username beside, on the grant and the revoke.
    assert html.count("p_outsider") == 2
    assert html.count("赵六") == 2
    client.force_login(personas.county)
    html = client.get(reverse("orgs:role_history")).content.decode()
    assert "p_outsider" not in html
