import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from .helpers import discipline, make_problem

pytestmark = pytest.mark.django_db


@pytest.fixture
def problems(tree, personas):
    return {
        "branch_a1": make_problem(personas.county, tree.station_a1, tier=1),
        "county_a": make_problem(personas.county, tree.station_a1, tier=3, category="integrity"),
        "company": make_problem(personas.county, tree.station_a2, tier=4),
        "branch_b1": make_problem(personas.company, tree.station_b1, tier=2),
    }


def ids(client, user, level, **params):
    client.force_login(user)
    response = client.get(reverse("problems:library", args=[level]), params)
    assert response.status_code == 200
    return {p.pk for p in response.context["page"].object_list}


def test_levels_by_owner_scope(client, tree, personas, problems):
    p = {k: v.pk for k, v in problems.items()}
    assert ids(client, personas.company, "branch") == {p["branch_a1"], p["branch_b1"]}
    assert ids(client, personas.company, "county") == {p["county_a"]}
    assert ids(client, personas.company, "company") == {p["company"]}
    assert ids(client, personas.county, "county") == {p["county_a"]}
    assert ids(client, personas.county, "company") == set()
    assert ids(client, personas.secretary_a, "branch") == {p["branch_a1"]}
    assert ids(client, personas.secretary_a, "county") == set()
    assert ids(client, personas.secretary_b, "branch") == {p["branch_b1"]}
    assert ids(client, discipline(tree), "branch") == {p["branch_a1"]}


def test_library_filters_and_search(client, tree, personas, problems):
    p = {k: v.pk for k, v in problems.items()}
    assert ids(client, personas.company, "branch", tier="2") == {p["branch_b1"]}
    assert ids(client, personas.company, "branch", within=tree.county_a.pk) == {p["branch_a1"]}
    assert ids(client, personas.company, "branch", q="不存在的词") == set()


def test_library_refusals(client, personas, problems):
    client.force_login(personas.outsider)
    assert client.get(reverse("problems:library", args=["branch"])).status_code == 404
    client.force_login(personas.company)
    assert client.get(reverse("problems:library", args=["nowhere"])).status_code == 404
    response = client.get(reverse("problems:library"))
    assert response.status_code == 200 and response.context["level"] == "company"
    client.force_login(personas.secretary_a)
    assert client.get(reverse("problems:library")).context["level"] == "branch"


def test_library_constant_queries(client, tree, personas, problems):
    client.force_login(personas.company)
    url = reverse("problems:library", args=["branch"])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(5):
        make_problem(personas.company, tree.station_b1, description=f"库{i}", category="service")
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)
