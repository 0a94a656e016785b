"""API writes: through the services, refused outside the scope, errors in Chinese by field."""

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from rest_framework.test import APIClient

from bastion.core.testing import PERSONAS, login
from bastion.orgs.models import Organization, Person, Role, RoleAssignment
from bastion.orgs.tests.factories import UserFactory, grant, make_id_number

# --- people -------------------------------------------------------------------------------------

# persona → status of PATCH/DELETE on 李四 (station A1). Visible-but-not-allowed is 403.
PERSON_WRITE = {
    "company": 200,
    "county": 200,
    "secretary_a": 200,
    "secretary_b": 404,
    "member": 404,
    "outsider": 404,
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_person_update_follows_the_scope(api, personas, people, persona):
    login(api, getattr(personas, persona))
    url = reverse("api:person-detail", args=[people.li_si.pk])
    response = api.patch(url, {"phone": "13800000000"}, format="json")
    assert response.status_code == PERSON_WRITE[persona]
    people.li_si.refresh_from_db()
    assert (people.li_si.phone == "13800000000") == (response.status_code == 200)


@pytest.mark.parametrize("persona", PERSONAS)
def test_person_delete_follows_the_scope(api, personas, people, persona):
    login(api, getattr(personas, persona))
    response = api.delete(reverse("api:person-detail", args=[people.li_si.pk]))
    expected = 204 if PERSON_WRITE[persona] == 200 else PERSON_WRITE[persona]
    assert response.status_code == expected
    assert Person.objects.filter(pk=people.li_si.pk).exists() == (expected != 204)


def test_member_may_read_but_not_edit_their_own_record(api, personas, people):
    login(api, personas.member)
    url = reverse("api:person-detail", args=[people.zhang_san.pk])
    assert api.get(url).status_code == 200
    response = api.patch(url, {"phone": "13900000000"}, format="json")
    assert response.status_code == 403
    assert response.json()["detail"] == "您无权对该对象执行此操作。"
    assert api.delete(url).status_code == 403


def person_payload(org, **extra):
    return {"name": "孙八", "organization": org.pk, "membership_status": "none", **extra}


@pytest.mark.parametrize(
    "persona,org,expected",
    [
        ("company", "station_b1", 201),
        ("county", "station_a2", 201),
        ("secretary_a", "station_a1", 201),
        ("secretary_b", "station_b1", 201),
        ("secretary_a", "station_b1", 400),
        ("county", "station_b1", 400),
        ("member", "station_a1", 403),
        ("outsider", "station_a1", 403),
    ],
)
def test_person_create_follows_the_scope(api, personas, tree, persona, org, expected):
    login(api, getattr(personas, persona))
    payload = person_payload(getattr(tree, org), id_number=make_id_number(7))
    response = api.post(reverse("api:person-list"), payload, format="json")
    assert response.status_code == expected, response.content
    assert Person.objects.filter(name="孙八").exists() == (expected == 201)


def test_person_created_outside_scope_names_the_organization_field(api, personas, tree):
    login(api, personas.secretary_a)
    response = api.post(reverse("api:person-list"), person_payload(tree.station_b1), format="json")
    assert response.status_code == 400
    errors = response.json()
    assert list(errors) == ["organization"]
    assert "不在您的管理范围内" in errors["organization"][0]


def test_person_create_goes_through_the_service_and_the_audit(api, personas, tree):
    login(api, personas.secretary_a)
    payload = person_payload(tree.station_a1, id_number=make_id_number(8), post="area_manager")
    response = api.post(reverse("api:person-list"), payload, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["id_number"] == make_id_number(8)  # the secretary may see it
    assert body["post_display"] == "台区经理"
    assert body["name_initials"] == "sb"
    person = Person.objects.get(pk=body["id"])
    assert person.birth_date.isoformat() == "1985-03-15"  # derived by the model's clean()
    entry = LogEntry.objects.get_for_object(person).get()
    assert entry.actor == personas.secretary_a


def test_person_validation_errors_are_chinese_and_per_field(api, personas, tree):
    login(api, personas.county)
    payload = person_payload(tree.station_a1, id_number="440902851315123", membership_status="full")
    response = api.post(reverse("api:person-list"), payload, format="json")
    assert response.status_code == 400
    errors = response.json()
    assert "15位" in errors["id_number"][0]
    assert "入党日期" in errors["admitted_on"][0]
    assert not Person.objects.filter(name="孙八").exists()


def test_duplicate_employee_number_is_refused_by_the_model(api, personas, people, tree):
    login(api, personas.county)
    payload = person_payload(tree.station_a1, employee_no=people.li_si.employee_no)
    response = api.post(reverse("api:person-list"), payload, format="json")
    assert response.status_code == 400
    assert "工号" in response.json()["employee_no"][0]


def test_party_group_outside_the_unit_is_refused(api, personas, tree):
    login(api, personas.county)
    payload = person_payload(tree.station_a2, party_group=tree.group_a1.pk)
    response = api.post(reverse("api:person-list"), payload, format="json")
    assert response.status_code == 400
    assert "党小组" in response.json()["party_group"][0]


def test_moving_a_person_out_of_scope_is_refused(api, personas, people, tree):
    login(api, personas.secretary_a)
    url = reverse("api:person-detail", args=[people.li_si.pk])
    response = api.patch(url, {"organization": tree.station_a2.pk}, format="json")
    assert response.status_code == 400
    assert "organization" in response.json()
    people.li_si.refresh_from_db()
    assert people.li_si.organization == tree.station_a1


def test_sending_back_a_masked_number_leaves_it_unchanged(api, tree, people):
    people.li_si.id_number = make_id_number(9)
    people.li_si.save()
    # A role that may edit people but not see their numbers: it reads masked ones.
    Role.objects.create(
        code="editor_no_sensitive",
        name="编辑",
        permissions=["orgs.view_organization", "orgs.view_person", "orgs.change_person"],
    )
    editor = UserFactory(username="editor")
    grant(editor, "editor_no_sensitive", tree.station_a1)
    api.force_login(editor)
    url = reverse("api:person-detail", args=[people.li_si.pk])
    shown = api.get(url).json()
    assert "*" in shown["id_number"]
    body = {k: v for k, v in shown.items() if v is not None}
    body["phone"] = "13700000000"
    response = api.put(url, body, format="json")
    assert response.status_code == 200, response.content
    people.li_si.refresh_from_db()
    assert people.li_si.id_number == make_id_number(9)
    assert people.li_si.phone == "13700000000"


def test_full_put_replaces_the_record(api, personas, people, tree):
    login(api, personas.county)
    url = reverse("api:person-detail", args=[people.li_si.pk])
    payload = person_payload(tree.station_a2, name="李四新")
    response = api.put(url, payload, format="json")
    assert response.status_code == 200
    assert response.json()["organization_name"] == "A2供电所党支部"
    people.li_si.refresh_from_db()
    assert people.li_si.name == "李四新"


# --- organizations ------------------------------------------------------------------------------

ORG_UPDATE = {  # PATCH station A1
    "company": 200,
    "county": 200,
    "secretary_a": 200,
    "secretary_b": 404,
    "member": 403,
    "outsider": 404,
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_org_update_follows_the_scope(api, personas, tree, persona):
    login(api, getattr(personas, persona))
    url = reverse("api:org-detail", args=[tree.station_a1.pk])
    response = api.patch(url, {"phone": "0750-1234567"}, format="json")
    assert response.status_code == ORG_UPDATE[persona]
    tree.station_a1.refresh_from_db()
    assert (tree.station_a1.phone == "0750-1234567") == (response.status_code == 200)


ORG_CREATE = {  # POST under station A1
    "company": 201,
    "county": 201,
    "secretary_a": 403,  # sees the parent, may not add below it
    "secretary_b": 400,  # the parent does not exist for them
    "member": 403,
    "outsider": 400,
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_org_create_follows_the_scope(api, personas, tree, persona):
    login(api, getattr(personas, persona))
    payload = {
        "parent": tree.station_a1.pk,
        "name": "第二党小组",
        "code": "C-A-1-G2",
        "kind": "group",
        "unit_kind": "station",
    }
    response = api.post(reverse("api:org-list"), payload, format="json")
    assert response.status_code == ORG_CREATE[persona], response.content
    created = Organization.objects.filter(code="C-A-1-G2").first()
    assert (created is not None) == (response.status_code == 201)
    if created:
        assert response.json()["parent"] == tree.station_a1.pk
        assert Organization.objects.get_parent(created) == tree.station_a1
    if response.status_code == 400:
        assert list(response.json()) == ["parent"]


def test_org_create_needs_a_parent(api, personas, tree):
    login(api, personas.company)
    payload = {"name": "新党委", "code": "N", "kind": "committee", "unit_kind": "company"}
    response = api.post(reverse("api:org-list"), payload, format="json")
    assert response.status_code == 400
    assert "parent" in response.json()


def test_only_a_superuser_creates_a_root(api, personas, tree):
    payload = {
        "parent": None,
        "name": "新党委",
        "code": "N",
        "kind": "committee",
        "unit_kind": "company",
    }
    login(api, personas.company)
    refused = api.post(reverse("api:org-list"), payload, format="json")
    assert refused.status_code == 403
    assert refused.json()["detail"] == "只有系统管理员可以创建顶级组织。"
    api.force_login(UserFactory(username="root", is_superuser=True))
    created = api.post(reverse("api:org-list"), payload, format="json")
    assert created.status_code == 201
    assert created.json()["parent"] is None
    assert created.json()["depth"] == 1


def test_org_validation_errors_are_chinese(api, personas, tree):
    login(api, personas.county)
    url = reverse("api:org-detail", args=[tree.station_a1.pk])
    response = api.patch(
        url, {"term_started_on": "2024-01-01", "term_ends_on": "2023-01-01"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["term_ends_on"] == ["任期届满日期应晚于任期开始日期。"]
    duplicate = api.patch(url, {"code": "C-A-2"}, format="json")
    assert duplicate.status_code == 400
    assert "组织编码" in duplicate.json()["code"][0]


ORG_MOVE = {  # move station A2 under station A1
    "company": 200,
    "county": 200,
    "secretary_a": 404,  # cannot see station A2
    "secretary_b": 404,
    "member": 404,
    "outsider": 404,
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_org_move_follows_the_scope(api, personas, tree, persona):
    login(api, getattr(personas, persona))
    url = reverse("api:org-move", args=[tree.station_a2.pk])
    response = api.post(url, {"parent": tree.station_a1.pk}, format="json")
    assert response.status_code == ORG_MOVE[persona], response.content
    tree.station_a2.refresh_from_db()
    moved = Organization.objects.get_parent(tree.station_a2) == tree.station_a1
    assert moved == (response.status_code == 200)
    if moved:
        assert response.json()["parent"] == tree.station_a1.pk
        assert response.json()["depth"] == 4


def test_org_move_is_403_when_visible_but_not_movable(api, personas, tree):
    login(api, personas.secretary_a)
    url = reverse("api:org-move", args=[tree.group_a1.pk])
    response = api.post(url, {"parent": tree.station_a1.pk}, format="json")
    assert response.status_code == 403


def test_org_move_to_a_parent_outside_scope_is_400(api, personas, tree):
    login(api, personas.county)
    url = reverse("api:org-move", args=[tree.station_a1.pk])
    response = api.post(url, {"parent": tree.station_b1.pk}, format="json")
    assert response.status_code == 400
    assert "不在您的管理范围内" in response.json()["parent"][0]
    tree.station_a1.refresh_from_db()
    assert Organization.objects.get_parent(tree.station_a1) == tree.county_a


def test_org_move_under_itself_is_400_on_parent(api, personas, tree):
    login(api, personas.company)
    url = reverse("api:org-move", args=[tree.county_a.pk])
    response = api.post(url, {"parent": tree.station_a1.pk}, format="json")
    assert response.status_code == 400
    assert response.json()["parent"] == ["不能把组织移动到它自己或它的下级组织之下。"]


def test_org_delete_refuses_a_node_with_people(api, personas, tree, people):
    login(api, personas.company)
    response = api.delete(reverse("api:org-detail", args=[tree.station_b1.pk]))
    assert response.status_code == 400
    assert "不能删除" in response.json()["non_field_errors"][0]
    empty = api.delete(reverse("api:org-detail", args=[tree.group_a1.pk]))
    assert empty.status_code == 204


# --- role grants --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona,expected",
    [
        ("company", {"p_company", "p_county", "p_secretary_a", "p_secretary_b", "p_member"}),
        ("county", {"p_county", "p_secretary_a", "p_member"}),
        ("secretary_a", {"p_secretary_a", "p_member"}),  # the grants inside their branch
        ("secretary_b", {"p_secretary_b"}),
        ("member", set()),
        ("outsider", set()),
    ],
)
def test_role_assignment_list_holds_the_scope(api, personas, persona, expected):
    login(api, getattr(personas, persona))
    rows = api.get(reverse("api:role-assignment-list")).json()["results"]
    assert {row["username"] for row in rows} == expected


def test_role_assignment_row_names_role_and_organization(api, personas, tree):
    login(api, personas.county)
    rows = api.get(reverse("api:role-assignment-list"), {"role": "branch_secretary"}).json()
    (row,) = rows["results"]
    assert row["username"] == "p_secretary_a"
    assert row["role"] == "branch_secretary"
    assert row["role_name"] == "支部书记"
    assert row["organization"] == tree.station_a1.pk
    assert row["organization_name"] == "A1供电所党支部"


@pytest.mark.parametrize(
    "persona,org,expected",
    [
        ("company", "station_b1", 201),
        ("county", "station_a2", 201),
        ("county", "station_b1", 400),
        ("secretary_a", "station_a1", 201),  # no more than they hold, inside their branch
        ("secretary_a", "station_b1", 400),
        ("outsider", "station_a1", 400),
    ],
)
def test_role_assign_follows_the_scope(api, personas, tree, persona, org, expected):
    login(api, getattr(personas, persona))
    payload = {
        "user": personas.outsider.pk,
        "role": "branch_secretary",
        "organization": getattr(tree, org).pk,
    }
    response = api.post(reverse("api:role-assignment-list"), payload, format="json")
    assert response.status_code == expected, response.content
    granted = RoleAssignment.objects.filter(user=personas.outsider).exists()
    assert granted == (expected == 201)


def test_a_new_grant_opens_the_scope_at_once(api, personas, tree):
    login(api, personas.county)
    payload = {
        "user": personas.outsider.pk,
        "role": "branch_secretary",
        "organization": tree.station_a2.pk,
    }
    assert api.post(reverse("api:role-assignment-list"), payload, format="json").status_code == 201
    other = APIClient()
    other.force_login(personas.outsider)
    rows = other.get(reverse("api:person-list")).json()["results"]
    assert [row["name"] for row in rows] == ["王五"]


def test_role_revoke_follows_the_scope(api, personas):
    members = RoleAssignment.objects.get(user=personas.member)
    login(api, personas.secretary_b)
    assert api.delete(reverse("api:role-assignment-detail", args=[members.pk])).status_code == 404
    login(api, personas.secretary_a)  # their own member's role, inside their branch
    assert api.delete(reverse("api:role-assignment-detail", args=[members.pk])).status_code == 204
    assignment = RoleAssignment.objects.get(user=personas.secretary_a)
    url = reverse("api:role-assignment-detail", args=[assignment.pk])
    login(api, personas.secretary_b)
    assert api.delete(url).status_code == 404
    login(api, personas.county)
    assert api.delete(url).status_code == 204
    assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()
