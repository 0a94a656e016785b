import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from bastion.problems.models import Inspection, Problem, State

from .helpers import make_inspection, make_problem, png, today

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(tree, personas):
    inspection = make_inspection(personas.county, tree.county_a, [tree.station_a1])
    a1 = make_problem(personas.county, tree.station_a1, inspection=inspection)
    b1 = make_problem(personas.company, tree.station_b1)
    return inspection, a1, b1


def get(client, user, url):
    client.force_login(user)
    return client.get(url)


def test_problem_list_scoped(client, personas, data):
    _inspection, pa1, pb1 = data
    page = get(client, personas.secretary_a, reverse("problems:problem_list"))
    assert page.status_code == 200
    ids = {p.pk for p in page.context["page"].object_list}
    assert ids == {pa1.pk}
    assert get(client, personas.outsider, reverse("problems:problem_list")).status_code == 404


def test_problem_list_filters(client, tree, personas, data):
    _inspection, pa1, pb1 = data
    late = make_problem(
        personas.county,
        tree.station_a2,
        found_on=today() - dt.timedelta(days=40),
        deadline=today() - dt.timedelta(days=1),
        description="逾期的问题",
    )
    client.force_login(personas.company)
    url = reverse("problems:problem_list")
    ids = lambda r: {p.pk for p in r.context["page"].object_list}  # noqa: E731
    assert ids(client.get(url, {"overdue": "on"})) == {late.pk}
    assert ids(client.get(url, {"q": "逾期"})) == {late.pk}
    assert ids(client.get(url, {"within": tree.county_b.pk})) == {pb1.pk}
    assert ids(client.get(url, {"state": "closed"})) == set()
    body = client.get(url).content.decode()
    assert 'data-testid="colour-red"' in body
    assert ids(client.get(url, {"overdue": "on", "within": tree.county_a.pk})) == {late.pk}


@pytest.mark.parametrize(
    "name,args",
    [
        ("problems:problem_list", []),
        ("problems:library", ["county"]),
        ("problems:problem_export", []),
        ("problems:inspection_list", []),
    ],
)
@pytest.mark.parametrize("value", ["county_b", "station_b1", "x", "999999"])
def test_a_list_within_an_organization_outside_the_scope_is_404(
    client, tree, personas, data, name, args, value
):
    client.force_login(personas.secretary_a)
    url = reverse(name, args=args)
    within = getattr(tree, value).pk if hasattr(tree, value) else value
    assert client.get(url, {"within": within}).status_code == 404
    assert client.get(url, {"within": tree.station_a1.pk}).status_code == 200


def test_page_api_and_export_list_the_same_problems(client, api, tree, personas, data):
    """One FilterSet: the page, ``GET /api/v1/problems/`` and the export read the same rows."""
    _inspection, pa1, pb1 = data
    again = make_problem(personas.company, tree.station_a1, description="又一次发现的问题")
    params = {"q": "问题", "recurring": "1", "within": tree.county_a.pk}
    client.force_login(personas.company)
    page = client.get(reverse("problems:problem_list"), params)
    on_page = {p.pk for p in page.context["page"].object_list}
    api.force_authenticate(personas.company)
    listed = {row["id"] for row in api.get("/api/v1/problems/", params).json()["results"]}
    export = client.get(reverse("problems:problem_export"), params)
    sheet = load_workbook(io.BytesIO(export.content)).worksheets[0]
    exported = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert on_page == listed == exported == {again.pk}
    assert pa1.pk not in on_page and pb1.pk not in on_page


def test_problem_list_constant_queries(client, tree, personas, data):
    client.force_login(personas.company)
    url = reverse("problems:problem_list")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(6):
        make_problem(personas.company, tree.station_b1, description=f"问题{i}")
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_inspection_pages(client, tree, personas, data):
    inspection, pa1, _ = data
    client.force_login(personas.county)
    assert client.get(reverse("problems:inspection_list")).status_code == 200
    page = client.get(reverse("problems:inspection_detail", args=[inspection.pk]))
    assert page.status_code == 200 and pa1.description in page.content.decode()
    assert f"?inspection={inspection.pk}" in page.content.decode()
    client.force_login(personas.secretary_b)
    assert (
        client.get(reverse("problems:inspection_detail", args=[inspection.pk])).status_code == 404
    )


def test_inspection_create_page(client, tree, personas):
    client.force_login(personas.county)
    url = reverse("problems:inspection_create")
    assert client.get(url).status_code == 200
    held = today().isoformat()
    base = {"kind": "patrol", "title": "巡查", "inspecting_org": tree.county_a.pk, "held_on": held}
    mutual = {
        **base,
        "kind": "mutual",
        "inspecting_org": tree.station_a1.pk,
        "inspected": [tree.station_a1.pk],
    }
    response = client.post(url, mutual)
    assert response.status_code == 200
    assert "互查时检查组织不能同时是被检查组织" in response.content.decode()
    assert not Inspection.objects.exists()
    response = client.post(url, {**base, "inspected": [tree.station_b1.pk]})
    assert response.status_code == 200 and not Inspection.objects.exists()
    both = [tree.station_a1.pk, tree.station_a2.pk]
    response = client.post(url, {**base, "inspected": both, "checklist": "台账\n制度"})
    inspection = Inspection.objects.get()
    assert response.status_code == 302 and inspection.checklist == ["台账", "制度"]


def test_problem_create_page_from_inspection(client, tree, personas, data):
    inspection, _, _ = data
    client.force_login(personas.county)
    url = reverse("problems:problem_create") + f"?inspection={inspection.pk}"
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["form"]["inspection"].value() == inspection.pk
    post = {
        "description": "三会一课记录缺失",
        "organization": tree.station_a1.pk,
        "inspection": inspection.pk,
        "source": "inspection",
        "category": "organization",
        "tier": "1",
        "found_on": today().isoformat(),
        "responsible_org": tree.station_a1.pk,
        "deadline": (today() - dt.timedelta(days=2)).isoformat(),
    }
    response = client.post(url, post)
    assert response.status_code == 200 and "整改时限不能早于发现日期" in response.content.decode()
    post["deadline"] = (today() + dt.timedelta(days=10)).isoformat()
    assert client.post(url, post).status_code == 302
    assert Problem.objects.filter(description="三会一课记录缺失", inspection=inspection).exists()
    client.force_login(personas.secretary_b)
    assert client.get(url).status_code == 404


def test_problem_edit_scope(client, personas, data):
    _inspection, pa1, _ = data
    url = reverse("problems:problem_edit", args=[pa1.pk])
    assert get(client, personas.secretary_a, url).status_code == 200
    assert get(client, personas.secretary_b, url).status_code == 404
    assert get(client, personas.member, url).status_code == 404


def test_transition_page_flow(client, tree, personas, data):
    _inspection, pa1, _ = data
    url = reverse("problems:problem_transition", args=[pa1.pk])
    client.force_login(personas.secretary_a)
    detail = client.get(reverse("problems:problem_detail", args=[pa1.pk])).content.decode()
    assert 'data-testid="move-in_progress"' in detail
    assert client.post(url, {"to": "in_progress"}).status_code == 302
    response = client.post(url, {"to": "submitted"})
    assert response.status_code == 400 and "佐证" in response.content.decode()
    assert client.post(url, {"to": "submitted", "files": [png()]}).status_code == 302
    response = client.post(url, {"to": "verified"})
    assert response.status_code == 400 and "您无权执行该操作" in response.content.decode()
    client.force_login(personas.county)
    response = client.post(url, {"to": "rejected", "reason": ""})
    assert response.status_code == 400 and "请填写原因" in response.content.decode()
    assert client.post(url, {"to": "rejected", "reason": "不合格"}).status_code == 302
    pa1.refresh_from_db()
    assert pa1.state == State.REJECTED
    client.force_login(personas.secretary_b)
    assert client.post(url, {"to": "in_progress"}).status_code == 404


def test_evidence_download_scope(client, tree, personas, data):
    from bastion.problems.services import rectify

    _inspection, pa1, _ = data
    rectify.problem_transition(problem=pa1, actor=personas.secretary_a, to="in_progress")
    rectify.problem_transition(
        problem=pa1, actor=personas.secretary_a, to="submitted", files=[png("现场.png")]
    )
    evidence = pa1.evidence.get()
    url = reverse("problems:evidence_file", args=[evidence.pk])
    response = get(client, personas.secretary_a, url)
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert get(client, personas.secretary_b, url).status_code == 404
    detail = get(client, personas.county, reverse("problems:problem_detail", args=[pa1.pk]))
    assert "现场.png" in detail.content.decode()


def test_problem_detail_constant_queries(client, tree, personas, data):
    from bastion.problems.services import rectify

    _inspection, pa1, _ = data
    client.force_login(personas.county)
    url = reverse("problems:problem_detail", args=[pa1.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    rectify.problem_transition(problem=pa1, actor=personas.secretary_a, to="in_progress")
    rectify.problem_transition(
        problem=pa1, actor=personas.secretary_a, to="submitted", files=[png(), png("b.png")]
    )
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_the_source_inspection_links_only_for_who_may_open_it(client, personas, tree):
    from django.urls import reverse

    from .helpers import make_inspection, make_problem

    inspection = make_inspection(personas.county, tree.county_a, [tree.station_a1], title="县巡查")
    problem = make_problem(
        personas.county, tree.station_a1, inspection=inspection, source="inspection"
    )
    url = reverse("problems:problem_detail", args=[problem.pk])
    link = f'href="{reverse("problems:inspection_detail", args=[inspection.pk])}"'
    client.force_login(personas.secretary_a)
    page = client.get(url).content.decode()
    assert "县巡查" in page and link not in page
    client.force_login(personas.county)
    assert link in client.get(url).content.decode()
