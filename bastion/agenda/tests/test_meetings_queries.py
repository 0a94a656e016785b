"""Constant queries per page: the meeting pages cost the same for a few rows and for many."""

import pytest
from django.urls import reverse

from bastion.agenda.services.meetings import meeting_attach
from bastion.core.testing import count_queries
from bastion.orgs.tests.factories import PersonFactory, make_org

from .meetings_factories import day, photo, record


def grow(actor, tree, stations: int, people: int, meetings: int, tag: str):
    """Stations under county A, each with people and meetings that record all of them."""
    for i in range(stations):
        station = make_org(tree.county_a, name=f"扩展供电所{tag}{i}", code=f"C-A-{tag}{i:03d}")
        staff = PersonFactory.create_batch(people, organization=station, membership_status="full")
        for n in range(meetings):
            record(
                actor,
                station,
                kind="committee",
                held_on=day(1 + n % 12, 5),
                host=staff[0],
                attendance=[
                    (p, "present" if k % 3 else "leave", "出差") for k, p in enumerate(staff)
                ],
            )


@pytest.mark.parametrize(
    "url_name,params",
    [
        ("agenda:meeting_list", {"all": "1"}),
        ("agenda:meeting_list", {"mine": "1", "status": "submitted"}),
        ("agenda:attendance_rates", {"show": "branches"}),
        ("agenda:attendance_rates", {"show": "members"}),
    ],
)
def test_list_pages_do_not_grow_with_rows(client, personas, tree, url_name, params):
    client.force_login(personas.company)
    url = reverse(url_name)
    params = {**params, "org": tree.company.pk} if "rates" in url_name else params
    params = {**params, "year": day(1, 1).year} if "rates" in url_name else params
    grow(personas.company, tree, 1, 2, 1, "S")
    small = count_queries(client, url, params)
    grow(personas.company, tree, 6, 6, 4, "L")
    large = count_queries(client, url, params)
    assert small == large


def test_detail_page_does_not_grow_with_attendance_and_files(client, personas, tree):
    client.force_login(personas.county)
    few = PersonFactory.create_batch(2, organization=tree.station_a1, membership_status="full")
    small_meeting = record(
        personas.secretary_a,
        tree.station_a1,
        attendance=[(p, "present", "") for p in few],
        files=[photo()],
    )
    station = make_org(tree.county_a, name="大所", code="C-A-BIG")
    many = PersonFactory.create_batch(25, organization=station, membership_status="full")
    big_meeting = record(
        personas.county,
        station,
        attendance=[(p, "present", "") for p in many],
        files=[photo(f"{i}.png") for i in range(5)],
    )
    meeting_attach(meeting=big_meeting, actor=personas.county, files=[photo("补.png")])
    small = count_queries(client, reverse("agenda:meeting_detail", args=[small_meeting.pk]))
    large = count_queries(client, reverse("agenda:meeting_detail", args=[big_meeting.pk]))
    assert small == large


def test_form_pages_do_not_grow_with_the_roster(client, personas, tree):
    client.force_login(personas.county)
    small_station = make_org(tree.county_a, name="小所", code="C-A-SM")
    big_station = make_org(tree.county_a, name="大所", code="C-A-BG")
    small_staff = PersonFactory.create_batch(2, organization=small_station)
    big_staff = PersonFactory.create_batch(30, organization=big_station, membership_status="full")
    url = reverse("agenda:meeting_create")
    assert count_queries(client, url, {"org": small_station.pk}) == count_queries(
        client, url, {"org": big_station.pk}
    )
    small_meeting = record(
        personas.county, small_station, attendance=[(p, "present", "") for p in small_staff]
    )
    big_meeting = record(
        personas.county, big_station, attendance=[(p, "absent", "") for p in big_staff]
    )
    assert count_queries(client, reverse("agenda:meeting_edit", args=[small_meeting.pk])) == (
        count_queries(client, reverse("agenda:meeting_edit", args=[big_meeting.pk]))
    )
