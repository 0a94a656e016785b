"""The shared test helpers: the persona matrix fails on a wrong declaration, counts are ints."""

import pytest
from django.test import Client
from django.urls import reverse

from bastion.core.testing import (
    PERSONAS,
    Opens,
    Scope,
    Url,
    count_queries,
    login,
    persona_matrix,
    seen_by_persona,
)

pytestmark = pytest.mark.django_db

STATIONS = Scope(
    seen_by={
        "station_a1": {"company", "county", "secretary_a", "member"},
        "station_b1": {"company", "secretary_b"},
    },
    detail=["orgs:org_detail", "api:org-detail"],
    rows=["api:org-list"],
)


def case_of(declaration, url: str, persona: str):
    return next(c for c in declaration.cases() if c.url.name == url and c.persona == persona)


def test_a_scope_makes_one_case_per_url_and_persona():
    cases = STATIONS.cases()
    assert len(cases) == 3 * len(PERSONAS)
    assert cases[0].id == "orgs:org_detail-company"
    assert [c.lists for c in cases].count(True) == len(PERSONAS)


def test_a_persona_seeing_what_the_declaration_hides_fails_naming_the_object(request, personas):
    wrong = Scope(seen_by={"station_a1": set()}, detail=["orgs:org_detail"])
    with pytest.raises(AssertionError, match="station_a1: GET /orgs/.* is 200, not 404"):
        case_of(wrong, "orgs:org_detail", "secretary_a").run(request)


def test_a_persona_refused_what_the_declaration_shows_fails(request, personas):
    wrong = Scope(seen_by={"station_b1": {"secretary_a"}}, detail=["api:org-detail"])
    with pytest.raises(AssertionError, match="is 404, not 200"):
        case_of(wrong, "api:org-detail", "secretary_a").run(request)


def test_a_list_holding_other_rows_than_declared_fails(request, personas):
    # The county also sees county_a, station_a2 and group_a1: the list is not exactly these.
    with pytest.raises(AssertionError, match="county: GET /api/v1/orgs/"):
        case_of(STATIONS, "api:org-list", "county").run(request)


def test_a_list_compared_among_the_declared_objects_only(request, personas):
    among = Scope(seen_by=STATIONS.seen_by, rows=["api:org-list"], exact=False)
    for persona in PERSONAS:
        case_of(among, "api:org-list", persona).run(request)


def test_opens_fails_when_a_page_answers_other_than_declared(request, personas):
    wrong = Opens(["orgs:role_list"], by={"member"})
    with pytest.raises(AssertionError, match="member: GET /orgs/roles/ is 404, not 200"):
        case_of(wrong, "orgs:role_list", "member").run(request)


def test_a_url_takes_the_object_in_the_path_or_the_query(tree):
    assert Url("orgs:org_detail").request(tree.station_a1) == (
        reverse("orgs:org_detail", args=[tree.station_a1.pk]),
        {},
    )
    board = Url("agenda:board", param="org", query={"year": 2025})
    assert board.request(tree.county_a) == (
        reverse("agenda:board"),
        {"year": 2025, "org": tree.county_a.pk},
    )
    assert str(board) == "agenda:board?org=…&year=2025"


def test_seen_by_persona_turns_the_table_around():
    visible = {"company": {"a", "b"}, "member": {"a"}, "outsider": set()}
    assert seen_by_persona(visible) == {"a": {"company", "member"}, "b": {"company"}}
    assert seen_by_persona(visible, ["a", "c"])["c"] == set()


def test_the_generated_test_runs_every_case():
    test = persona_matrix(STATIONS, Opens(["home"], by=PERSONAS))
    (mark,) = [m for m in test.pytestmark if m.name == "parametrize"]
    assert len(mark.args[1]) == 4 * len(PERSONAS)


def test_count_queries_is_a_number_that_keeps_the_response(personas):
    client = login(Client(), personas.member)
    count = count_queries(client, reverse("orgs:tree"))
    assert count > 0 and count == int(count)
    assert count.response.status_code == 200
    with pytest.raises(AssertionError):
        count_queries(client, reverse("orgs:role_list"))
    assert count_queries(client, reverse("orgs:role_list"), status=404).response.status_code == 404


def test_login_switches_an_api_client_to_another_user(api, personas):
    login(api, personas.company)
    assert api.get(reverse("api:me")).json()["username"] == "p_company"
    login(api, personas.member)
    assert api.get(reverse("api:me")).json()["username"] == "p_member"
