"""History pages (变更记录): committee seats and people on their organization's page, the action in
Chinese, ID numbers masked 6 + 4 in before/after values like everywhere else."""

import datetime as dt
import io

import openpyxl
import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from bastion.core.history import action_label, shown_value
from bastion.core.idcard import mask_id_number
from bastion.core.testing import count_queries
from bastion.orgs import services
from bastion.orgs.models import CommitteeMember, Person, Role, RoleAssignment
from bastion.orgs.tests.factories import PersonFactory, UserFactory, grant, make_id_number

JOINED = {
    "membership_status": "full",
    "admitted_on": dt.date(2012, 7, 1),
    "confirmed_on": dt.date(2013, 7, 1),
}


def person_post(person, **overrides):
    data = {
        "name": person.name,
        "gender": person.gender,
        "id_number": person.id_number or "",
        "employee_no": person.employee_no or "",
        "organization": person.organization_id,
        "party_group": "",
        "work_unit": "",
        "post": "",
        "membership_status": person.membership_status,
        "status": "active",
        "applied_on": "",
        "admitted_on": person.admitted_on or "",
        "confirmed_on": person.confirmed_on or "",
        "phone": "",
        "email": "",
    }
    data.update(overrides)
    return data


def org_history(client, org) -> str:
    response = client.get(reverse("orgs:org_history", args=[org.pk]))
    assert response.status_code == 200
    return response.content.decode()


# --- committee seats and people on the organization's history ----------------------------------


def test_a_committee_seat_added_and_removed_shows_on_the_organization_history(
    client, personas, tree, people
):
    client.force_login(personas.county)
    org = tree.station_a1
    client.post(
        reverse("orgs:committee_add", args=[org.pk]),
        {"person": people.zhang_san.pk, "position": "propaganda"},
    )
    seat = CommitteeMember.objects.get(organization=org, person=people.zhang_san)
    client.post(reverse("orgs:committee_remove", args=[org.pk, seat.pk]))
    html = org_history(client, org)
    assert "宣传委员" in html
    assert html.count("张三") >= 2
    assert "新增" in html and "删除" in html


def test_replacing_the_secretary_records_the_old_secretary_becoming_a_member(
    client, personas, tree, people
):
    org = tree.station_a1
    newcomer = PersonFactory(name="周九", organization=org, **JOINED)
    services.committee_member_set(
        actor=personas.county, organization=org, person=people.zhang_san, position="secretary"
    )
    services.committee_member_set(
        actor=personas.county, organization=org, person=newcomer, position="secretary"
    )
    old_seat = CommitteeMember.objects.get(person=people.zhang_san)
    assert old_seat.position == "member"
    entry = LogEntry.objects.get_for_object(old_seat).get(action=LogEntry.Action.UPDATE)
    assert entry.changes_dict["position"] == ["secretary", "member"]
    assert entry.actor == personas.county
    client.force_login(personas.county)
    html = org_history(client, org)
    assert "周九" in html and "委员" in html


def test_a_seat_change_shows_on_the_person_history_too(client, personas, tree, people):
    services.committee_member_set(
        actor=personas.county,
        organization=tree.station_a1,
        person=people.zhang_san,
        position="discipline",
    )
    client.force_login(personas.county)
    html = client.get(reverse("orgs:person_history", args=[people.zhang_san.pk])).content.decode()
    assert "纪检委员" in html
    assert "A1供电所党支部" in html


def test_a_person_edit_shows_on_their_organization_history(client, personas, tree, people):
    client.force_login(personas.secretary_a)
    person = people.li_si
    client.post(
        reverse("orgs:person_edit", args=[person.pk]), person_post(person, phone="13912345678")
    )
    assert "13912345678" in org_history(client, tree.station_a1)
    client.force_login(personas.county)
    # The county's own page lists its own changes, not those of its branches.
    assert "13912345678" not in org_history(client, tree.county_a)


def test_the_organization_history_keeps_a_removed_seat_after_the_person_is_gone(
    client, personas, tree
):
    org = tree.station_a1
    person = PersonFactory(name="吴十", organization=org, **JOINED)
    services.committee_member_set(
        actor=personas.county, organization=org, person=person, position="organization"
    )
    person.delete()  # the seat goes with the person (CASCADE)
    client.force_login(personas.county)
    html = org_history(client, org)
    assert "吴十" in html and "组织委员" in html


def test_the_organization_history_costs_the_same_queries_for_few_and_many_entries(
    client, personas, tree
):
    org = tree.station_a1
    client.force_login(personas.county)

    def seat_someone(index):
        person = PersonFactory(name=f"成员{index}", organization=org, **JOINED)
        services.committee_member_set(
            actor=personas.county, organization=org, person=person, position="member"
        )

    seat_someone(0)
    url = reverse("orgs:org_history", args=[org.pk])
    few = count_queries(client, url)
    for index in range(1, 12):
        seat_someone(index)
    many = count_queries(client, url)
    assert "成员11" in many.response.content.decode()
    assert many == few


# --- the action in Chinese ---------------------------------------------------------------------


def test_history_actions_read_in_chinese(client, personas, tree):
    client.force_login(personas.secretary_a)
    person = services.person_create(
        actor=personas.secretary_a,
        data={"name": "陈十一", "organization": tree.station_a1, "employee_no": "E42"},
    )
    services.person_update(actor=personas.secretary_a, person=person, data={"phone": "13700000000"})
    html = client.get(reverse("orgs:person_history", args=[person.pk])).content.decode()
    assert "新增" in html and "修改" in html
    for english in (">create<", ">update<", ">delete<"):
        assert english not in html


def test_action_labels_are_chinese_for_every_action():
    assert str(action_label(LogEntry.Action.CREATE)) == "新增"
    assert str(action_label(LogEntry.Action.UPDATE)) == "修改"
    assert str(action_label(LogEntry.Action.DELETE)) == "删除"


def test_grant_history_names_a_change_in_chinese(client, personas, tree, people):
    people.zhao_liu.user = personas.outsider
    people.zhao_liu.save()
    assignment = services.role_assign(
        actor=personas.company,
        user=personas.outsider,
        role=Role.objects.get(code="member"),
        organization=tree.station_b1,
    )
    LogEntry.objects.log_create(
        assignment, action=LogEntry.Action.UPDATE, force_log=True, changes={}
    )
    client.force_login(personas.company)
    html = client.get(reverse("orgs:role_history")).content.decode()
    assert "修改" in html
    assert ">update<" not in html
    assert RoleAssignment.objects.filter(pk=assignment.pk).exists()


# --- ID numbers masked 6 + 4 everywhere --------------------------------------------------------


def test_an_id_number_change_is_stored_and_shown_masked_6_plus_4(client, personas, people):
    person = people.li_si
    number = make_id_number(21)
    client.force_login(personas.secretary_a)
    client.post(
        reverse("orgs:person_edit", args=[person.pk]), person_post(person, id_number=number)
    )
    person.refresh_from_db()
    assert person.id_number == number
    entry = LogEntry.objects.get_for_object(person).latest("timestamp")
    assert entry.changes_dict["id_number"] == ["None", mask_id_number(number)]
    html = client.get(reverse("orgs:person_history", args=[person.pk])).content.decode()
    assert number[:6] + "********" + number[-4:] in html
    assert number not in html
    assert "**ne" not in html  # an empty number is not masked into nonsense


def test_the_same_id_number_is_masked_identically_on_every_page(client, api, personas, tree):
    number = make_id_number(31)
    masked = number[:6] + "********" + number[-4:]
    person = services.person_create(
        actor=personas.secretary_a,
        data={"name": "林十二", "organization": tree.station_a1, "id_number": number},
    )
    clerk = UserFactory(username="roster_clerk")
    Role.objects.create(
        code="roster_clerk",
        name="名册员",
        permissions=["orgs.view_organization", "orgs.view_person", "orgs.export_person"],
    )
    grant(clerk, "roster_clerk", tree.station_a1)
    client.force_login(clerk)
    detail = client.get(reverse("orgs:person_detail", args=[person.pk])).content.decode()
    assert masked in detail and number not in detail
    api.force_login(clerk)
    assert api.get(reverse("api:person-detail", args=[person.pk])).json()["id_number"] == masked
    export = client.get(reverse("orgs:person_export"))
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).worksheets[0]
    cells = {cell for row in sheet.iter_rows(values_only=True) for cell in row}
    assert masked in cells and number not in cells
    # The history is masked for everyone, even for a reader who may see the full number.
    client.force_login(personas.secretary_a)
    history = client.get(reverse("orgs:person_history", args=[person.pk])).content.decode()
    assert masked in history and number not in history
    assert masked in org_history(client, tree.station_a1)


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("None", "—"),
        ("440902198503150017", "440902********0017"),  # a full number never shows in full
        ("440902********0017", "440902********0017"),
        ("*********503150017", "**************0017"),  # auditlog's own half mask, before
    ],
)
def test_logged_id_numbers_are_shown_6_plus_4_whatever_was_stored(stored, shown):
    assert shown_value(Person, "id_number", stored) == shown


def test_org_history_is_404_outside_the_scope(client, personas, tree):
    for persona, org in (
        (personas.secretary_a, tree.station_b1),
        (personas.county, tree.county_b),
        (personas.member, tree.station_a1),
        (personas.outsider, tree.station_a1),
    ):
        client.force_login(persona)
        assert client.get(reverse("orgs:org_history", args=[org.pk])).status_code == 404


# --- entries written before: named and re-masked by the migration ------------------------------


def backfill_legacy_entries():
    from importlib import import_module

    from django.apps import apps

    import_module("bastion.orgs.migrations.0005_history_names_organization").backfill(apps, None)


def test_the_migration_puts_an_older_seat_entry_on_its_organization_history(
    client, personas, tree, people
):
    seat = services.committee_member_set(
        actor=personas.county,
        organization=tree.station_a1,
        person=people.zhang_san,
        position="propaganda",
    )
    seat_entries = LogEntry.objects.filter(content_type__model="committeemember", object_id=seat.pk)
    seat.delete()
    seat_entries.update(additional_data=None)  # as written before
    client.force_login(personas.county)
    assert "宣传委员" not in org_history(client, tree.station_a1)
    backfill_legacy_entries()
    assert "宣传委员" in org_history(client, tree.station_a1)
    html = client.get(reverse("orgs:person_history", args=[people.zhang_san.pk])).content.decode()
    assert "宣传委员" in html


def test_the_migration_masks_older_id_numbers_6_plus_4(people):
    number = make_id_number(41)
    person = people.li_si
    Person.objects.filter(pk=person.pk).update(id_number=number)
    half_masked = "*" * 9 + number[9:]  # auditlog's own mask, before
    entry = LogEntry.objects.log_create(
        person,
        action=LogEntry.Action.UPDATE,
        changes={"id_number": ["**ne", half_masked]},
        additional_data=None,
    )
    backfill_legacy_entries()
    entry.refresh_from_db()
    assert entry.changes["id_number"] == ["None", mask_id_number(number)]
    assert entry.additional_data == {"organization_id": person.organization_id}


# --- what is audited ------------------------------------------------------------------------


AUDITED = [
    "orgs.Organization",
    "orgs.Person",
    "orgs.CommitteeMember",
    "orgs.RoleAssignment",
    "orgs.Role",
    "agenda.Meeting",
    "agenda.Attendance",
    "agenda.Election",
    "agenda.ElectedMember",
    "agenda.MeetingAttachment",
    "agenda.DuesPayment",
    "tasks.Task",
    "tasks.Assignment",
    "tasks.CascadeItem",
    "tasks.FeedbackFile",
    "problems.Problem",
    "problems.ProblemEvidence",
    "evaluation.Round",
    "evaluation.Score",
    "evaluation.KeyEvent",
    "evaluation.PointsEntry",
    "evaluation.BenchmarkValue",
]


@pytest.mark.parametrize("label", AUDITED)
def test_every_record_an_audit_asks_about_is_audited(label):
    from auditlog.registry import auditlog
    from django.apps import apps

    assert auditlog.contains(apps.get_model(label))


def test_a_bulk_written_person_change_names_its_organization(personas, tree, people):
    from bastion.core.services import audit_bulk

    person = people.li_si
    audit_bulk(
        actor=personas.company,
        model=Person,
        changes_by_object=[(person, {"phone": ("", "13600000000")}, LogEntry.Action.UPDATE)],
    )
    entry = LogEntry.objects.get_for_object(person).latest("id")
    assert entry.additional_data == {"organization_id": tree.station_a1.pk}
