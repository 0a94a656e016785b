"""The persona × page matrix of the meeting pages: allowed inside the scope, 404 outside it."""

from types import SimpleNamespace

import pytest
from django.urls import reverse

from bastion.agenda.models import Meeting
from bastion.agenda.services.meetings import meeting_review
from bastion.core.testing import PERSONAS, Opens, Scope, Url, persona_matrix

from .meetings_factories import photo, record

READERS_A1 = {"company", "county", "secretary_a", "member"}
WRITERS_A1 = {"company", "county", "secretary_a"}


@pytest.fixture
def meetings(personas, tree, people):
    a1 = record(
        personas.secretary_a,
        tree.station_a1,
        attendance=[(people.zhang_san, "present", "")],
        files=[photo()],
    )
    b1 = record(personas.secretary_b, tree.station_b1, files=[photo()])
    county = record(personas.county, tree.county_a, kind="lecture")
    return SimpleNamespace(
        a1=a1,
        b1=b1,
        county=county,
        a1_file=a1.attachments.get(),
        b1_file=b1.attachments.get(),
    )


B1_READERS = {"company", "secretary_b"}
# Who opens which meeting's pages and files; everyone else gets 404.
MEETING_PAGES = [
    Scope(
        objects="meetings",
        seen_by={"a1": READERS_A1, "b1": B1_READERS, "county": {"company", "county"}},
        detail=["agenda:meeting_detail"],
    ),
    Scope(
        objects="meetings",
        seen_by={"a1": WRITERS_A1, "b1": B1_READERS},
        detail=["agenda:meeting_edit", "agenda:meeting_history"],
    ),
    Scope(
        objects="meetings",
        seen_by={"a1_file": READERS_A1, "b1_file": B1_READERS},
        detail=["agenda:meeting_attachment"],
    ),
]
# The attendance rates of an organization, and the form recording a meeting for one.
FOR_AN_ORGANIZATION = [
    Scope(
        seen_by={"station_a1": READERS_A1},
        detail=[
            Url("agenda:attendance_rates", param="org", query={"show": show})
            for show in ("branches", "members")
        ],
        fixtures=["meetings"],
    ),
    Scope(
        seen_by={"station_a1": WRITERS_A1},
        detail=[Url("agenda:meeting_create", param="org")],
        fixtures=["meetings"],
    ),
    Opens(
        ["agenda:meeting_create"], by=set(PERSONAS) - {"member", "outsider"}, fixtures=["meetings"]
    ),
]

test_page_is_404_outside_scope = persona_matrix(*MEETING_PAGES, *FOR_AN_ORGANIZATION)


@pytest.mark.parametrize("persona", PERSONAS)
def test_list_and_rates_open_for_everyone_but_show_only_the_scope(
    client, personas, meetings, persona
):
    client.force_login(getattr(personas, persona))
    response = client.get(reverse("agenda:meeting_list"), {"all": "1"})
    assert response.status_code == 200
    shown = {m.pk for m in response.context["page"]}
    expected = {
        "company": {meetings.a1.pk, meetings.b1.pk, meetings.county.pk},
        "county": {meetings.a1.pk, meetings.county.pk},
        "secretary_a": {meetings.a1.pk},
        "secretary_b": {meetings.b1.pk},
        "member": {meetings.a1.pk},
        "outsider": set(),
    }[persona]
    assert shown == expected
    assert client.get(reverse("agenda:attendance_rates")).status_code == 200


POST_MATRIX = [
    ("agenda:meeting_review", "a1", {"company", "county"}),
    ("agenda:meeting_review", "county", {"company"}),
    ("agenda:meeting_attach", "a1", WRITERS_A1),
    ("agenda:meeting_attachment_delete", "a1_file", WRITERS_A1),
    ("agenda:meeting_delete", "a1", WRITERS_A1),
]


@pytest.mark.parametrize("url_name,target,allowed", POST_MATRIX)
@pytest.mark.parametrize("persona", PERSONAS)
def test_writes_are_404_outside_scope(
    client, personas, meetings, url_name, target, allowed, persona
):
    client.force_login(getattr(personas, persona))
    data = {"decision": "approve", "note": "", "files": photo()}
    response = client.post(reverse(url_name, args=[getattr(meetings, target).pk]), data)
    assert response.status_code == (302 if persona in allowed else 404)


def test_the_review_box_shows_only_to_reviewers_from_above(client, personas, meetings):
    url = reverse("agenda:meeting_detail", args=[meetings.a1.pk])
    client.force_login(personas.county)
    assert client.get(url).context["can_review"] is True
    client.force_login(personas.secretary_a)
    response = client.get(url)
    assert response.context["can_review"] is False
    assert 'data-testid="review-box"' not in response.content.decode()


def test_review_queue_lists_what_the_user_may_review(client, personas, meetings):
    url = reverse("agenda:meeting_list")
    client.force_login(personas.county)
    response = client.get(url, {"mine": "1", "status": "submitted"})
    assert {m.pk for m in response.context["page"]} == {meetings.a1.pk}
    assert response.context["queue_count"] == 1
    client.force_login(personas.company)
    response = client.get(url, {"mine": "1", "status": "submitted"})
    assert {m.pk for m in response.context["page"]} == {
        meetings.a1.pk,
        meetings.b1.pk,
        meetings.county.pk,
    }
    meeting_review(meeting=meetings.b1, actor=personas.company, approve=True)
    response = client.get(url, {"mine": "1", "status": "submitted"})
    assert meetings.b1.pk not in {m.pk for m in response.context["page"]}
    client.force_login(personas.secretary_a)
    response = client.get(url, {"mine": "1"})
    assert list(response.context["page"]) == []
    assert 'data-testid="review-tab"' not in response.content.decode()


def test_filters_narrow_the_list(client, personas, tree, meetings):
    client.force_login(personas.company)
    url = reverse("agenda:meeting_list")
    by_kind = client.get(url, {"all": "1", "kind": "lecture"})
    assert [m.pk for m in by_kind.context["page"]] == [meetings.county.pk]
    within = client.get(url, {"within": tree.county_b.pk})
    assert [m.pk for m in within.context["page"]] == [meetings.b1.pk]
    year = meetings.a1.held_on.year
    assert client.get(url, {"all": "1", "year": year}).context["page"].paginator.count == 3
    assert client.get(url, {"all": "1", "status": "approved"}).context["page"].paginator.count == 0


@pytest.mark.parametrize("name", ["within", "org"])
def test_filtering_on_another_branch_is_404(client, personas, tree, meetings, name):
    client.force_login(personas.secretary_a)
    response = client.get(reverse("agenda:meeting_list"), {name: tree.station_b1.pk})
    assert response.status_code == 404


def test_the_within_picker_offers_only_the_scope(client, personas, tree, meetings):
    client.force_login(personas.secretary_a)
    response = client.get(reverse("agenda:meeting_list"))
    offered = {o.pk for o in response.context["within_options"]}
    assert tree.station_a1.pk in offered
    assert tree.station_b1.pk not in offered


def test_pagination_links_keep_the_filters(client, personas, tree, meetings, monkeypatch):
    monkeypatch.setattr("bastion.agenda.views.meetings.PAGE_SIZE", 1)
    client.force_login(personas.company)
    response = client.get(reverse("agenda:meeting_list"), {"all": "1", "kind": "branch_assembly"})
    assert response.context["page"].paginator.num_pages == 2
    assert "?all=1&amp;kind=branch_assembly&amp;page=2" in response.content.decode()


def test_create_picker_offers_only_organizations_one_may_record_for(client, personas, tree):
    client.force_login(personas.secretary_a)
    response = client.get(reverse("agenda:meeting_create"))
    assert {o.pk for o in response.context["org_options"]} == {
        tree.station_a1.pk,
        tree.group_a1.pk,
    }


def test_photo_is_shown_inline_and_documents_are_downloads(client, personas, meetings):
    client.force_login(personas.member)
    url = reverse("agenda:meeting_attachment", args=[meetings.a1_file.pk])
    inline = client.get(url, {"inline": "1"})
    assert inline["Content-Type"] == "image/png"
    assert inline["Content-Disposition"].startswith("inline")
    assert b"".join(inline.streaming_content).startswith(b"\x89PNG")
    download = client.get(url)
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"


def test_anonymous_is_sent_to_login(client, meetings):
    response = client.get(reverse("agenda:meeting_detail", args=[meetings.a1.pk]))
    assert response.status_code == 302
    assert Meeting.objects.count() == 3
