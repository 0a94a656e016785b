"""The head counts per subtree stay equal to a fresh count through every way people change:
the services (create, move, change of status, leaving, delete), the import, a subtree moved,
and the rebuild the aggregate registry runs."""

import datetime as dt
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from bastion.core.aggregates import rebuild_aggregates
from bastion.orgs import services
from bastion.orgs.counts import fresh_counts
from bastion.orgs.importers import run_import
from bastion.orgs.models import Person, SubtreeCount
from bastion.orgs.tests.factories import PersonFactory, make_org

from .test_excel_people import PEOPLE_HEADERS

JOINED = {
    "membership_status": "full",
    "admitted_on": dt.date(2010, 7, 1),
    "confirmed_on": dt.date(2011, 7, 1),
}


def stored() -> dict[int, tuple[int, int]]:
    rows = SubtreeCount.objects.values_list("organization_id", "people", "members")
    found = {pk: (people, members) for pk, people, members in rows}
    return {pk: found.get(pk, (0, 0)) for pk in fresh_counts()}


def assert_in_line():
    assert stored() == fresh_counts()


def person_data(person: Person, **changes) -> dict:
    fields = services.PERSON_FIELDS
    return {name: changes.get(name, getattr(person, name)) for name in fields}


def test_services_keep_the_counts_in_line(personas, tree, people):
    admin = personas.company
    assert_in_line()
    assert stored()[tree.company.pk] == (5, 3)
    assert stored()[tree.county_a.pk] == (4, 2)

    created = services.person_create(
        actor=admin,
        data={"name": "新人", "organization": tree.station_b1, "membership_status": "none"},
    )
    assert_in_line()
    assert stored()[tree.county_b.pk] == (2, 1)

    # moved to another county: off county A's way up, onto county B's; the root keeps its total
    wang = people.wang_wu
    services.person_update(
        actor=admin, person=wang, data=person_data(wang, organization=tree.station_b1)
    )
    assert_in_line()
    assert stored()[tree.county_a.pk] == (3, 1)
    assert stored()[tree.company.pk] == (6, 3)

    # admitted as a probationary member: a member more all the way up
    services.person_update(
        actor=admin,
        person=created,
        data=person_data(
            created, membership_status="probationary", admitted_on=dt.date(2024, 7, 1)
        ),
    )
    assert_in_line()
    assert stored()[tree.company.pk] == (6, 4)

    # leaving the roll (转出) changes nothing the tree counts; deleting a person does
    zhao = people.zhao_liu
    services.person_update(actor=admin, person=zhao, data=person_data(zhao, status="transferred"))
    assert_in_line()
    services.person_delete(actor=admin, person=people.li_si)
    assert_in_line()
    assert stored()[tree.company.pk] == (5, 4)


def test_a_person_saved_without_being_loaded_first_still_counts(tree, people):
    """A row changed through an instance that was never read (no loaded state) is read back."""
    stale = Person(pk=people.zhao_liu.pk)
    stale.__dict__.update(
        {k: v for k, v in people.zhao_liu.__dict__.items() if k not in ("_state", "_counted_as")}
    )
    stale._state.adding = False
    stale.organization = tree.station_a2
    stale.save()
    assert_in_line()


def test_moving_a_subtree_moves_its_counts(personas, tree, people):
    PersonFactory.create_batch(3, organization=tree.group_a1, **JOINED)
    assert_in_line()
    services.organization_move(
        actor=personas.company, organization=tree.station_a1, new_parent=tree.county_b
    )
    assert_in_line()
    # station A1 (张三, 李四 and the group's three) now counts under county B
    assert stored()[tree.county_b.pk] == (6, 5)
    assert stored()[tree.county_a.pk] == (2, 1)


def roster(rows) -> SimpleUploadedFile:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(PEOPLE_HEADERS)
    for values in rows:
        sheet.append([values.get(h.rstrip("*")) for h in PEOPLE_HEADERS])
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("roster.xlsx", buffer.getvalue())


def test_the_import_keeps_the_counts_in_line(personas, tree, people):
    zhang = people.zhang_san
    rows = [
        {"姓名": "王明", "工号": "N001", "组织编码": "C-B-1", "政治面貌": "群众"},
        {
            "姓名": "刘芳",
            "工号": "N002",
            "组织编码": "C-A-2",
            "政治面貌": "预备党员",
            "入党日期": dt.date(2024, 7, 1),
        },
        # an existing person moved to county B by the roster (matched by the employee number)
        {
            "姓名": zhang.name,
            "工号": zhang.employee_no,
            "身份证号码": zhang.id_number,
            "组织编码": "C-B-1",
            "政治面貌": "正式党员",
            "入党日期": zhang.admitted_on,
            "转正日期": zhang.confirmed_on,
        },
    ]
    with translation.override("zh-hans"):
        result = run_import(kind="people", actor=personas.company, file=roster(rows))
    assert result.ok, result.errors
    assert Person.objects.get(pk=zhang.pk).organization == tree.station_b1
    assert_in_line()
    assert stored()[tree.county_b.pk] == (3, 2)


def test_rebuild_repairs_drift(tree, people):
    SubtreeCount.objects.filter(organization=tree.company).update(people=999)
    SubtreeCount.objects.filter(organization=tree.county_b).delete()
    reports = rebuild_aggregates()
    assert reports["bastion.orgs.counts.member_counts_rebuild"]["people"] == 5
    assert_in_line()


def test_a_new_organization_counts_its_first_person(personas, tree):
    station = make_org(tree.county_b, name="新供电所党支部", code="C-B-9")
    SubtreeCount.objects.filter(organization=station).delete()  # created before any count
    PersonFactory(organization=station)
    assert_in_line()


@pytest.mark.parametrize("persona", ["company", "county", "secretary_a"])
def test_the_tree_shows_the_stored_counts(client, personas, tree, people, persona):
    client.force_login(getattr(personas, persona))
    response = client.get(reverse("orgs:tree_children", args=[tree.county_a.pk]))
    if persona == "secretary_a":  # county A lies outside a branch secretary's scope
        assert response.status_code == 404
        return
    nodes = {node.pk: node for node in response.context["nodes"]}
    assert (nodes[tree.station_a1.pk].member_count, nodes[tree.station_a1.pk].people_count) == (
        1,
        2,
    )


def test_roster_total_matches_a_count(client, personas, tree, people):
    """The roster's total comes from the head counts for a whole subtree, and from a count
    when another filter narrows it; both agree with the rows."""
    client.force_login(personas.county)
    url = reverse("orgs:person_list")
    whole = client.get(url, {"within": tree.county_a.pk})
    assert whole.context["page"].paginator.count == 4
    narrowed = client.get(url, {"within": tree.county_a.pk, "membership_status": "full"})
    assert narrowed.context["page"].paginator.count == 2
    member = client.get(url, {"all": 1})
    assert member.context["page"].paginator.count == 4


def test_people_api_total_matches_the_rows(client, personas, tree, people):
    client.force_login(personas.company)
    whole = client.get("/api/v1/people/").json()
    assert whole["count"] == 5 == len(whole["results"])
    county = client.get("/api/v1/people/", {"within": tree.county_b.pk}).json()
    assert county["count"] == 1
    client.force_login(personas.member)  # sees only their own record, outside any grant
    own = client.get("/api/v1/people/").json()
    assert own["count"] == len(own["results"])
