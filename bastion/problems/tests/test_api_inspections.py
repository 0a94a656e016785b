"""``/api/v1/inspections/`` (scoped by the inspecting organization) and recording inspections
and problems through the filing services: scope, 400s in Chinese, 403 without the right."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bastion.core.testing import Scope, login, persona_matrix
from bastion.problems.models import Inspection, Problem

from .api_helpers import (
    PERSONAS,
    data_fixture,  # noqa: F401
    days,
    discipline_fixture,  # noqa: F401
    make_inspection,
)

URL = reverse("api:inspection-list")
PROBLEMS_URL = reverse("api:problem-list")


def titles(rows):
    return {row["title"] for row in rows}


INSPECTION_SCOPE = Scope(
    objects="data.inspections",
    seen_by={
        "patrol": {"company"},
        "visit": {"company", "county", "discipline"},
        "own": {"company", "county", "discipline", "secretary_a"},
    },
    detail=["problems:inspection_detail", "api:inspection-detail"],
    rows=["api:inspection-list"],
    personas=PERSONAS,
)

test_inspections_are_read_inside_the_scope_only = persona_matrix(INSPECTION_SCOPE)


def test_row_and_filters(api, personas, discipline, data, tree):
    login(api, personas.company)
    rows = {row["title"]: row for row in api.get(URL).json()["results"]}
    patrol = rows["公司党委巡查"]
    assert (patrol["kind"], patrol["kind_display"]) == ("patrol", "巡查")
    assert {o["id"] for o in patrol["inspected"]} == {tree.station_a1.pk, tree.station_b1.pk}
    assert patrol["problem_count"] == 3
    assert titles(api.get(URL, {"kind": "self"}).json()["results"]) == {"A1自查"}
    assert titles(api.get(URL, {"within": tree.county_a.pk}).json()["results"]) == {
        "A县督导访谈",
        "A1自查",
    }
    bad = api.get(URL, {"kind": "audit"})
    assert bad.status_code == 400 and "可选" in bad.json()["kind"][0]


def test_list_queries_do_not_grow(api, personas, discipline, data, tree):
    login(api, personas.company)
    with CaptureQueriesContext(connection) as small:
        api.get(URL)
    for index in range(8):
        make_inspection(
            "flying", tree.company, [tree.station_a1, tree.station_a2], title=f"飞行 {index}"
        )
    with CaptureQueriesContext(connection) as large:
        assert api.get(URL).json()["count"] == 11
    assert len(large) == len(small)


def test_a_secretary_records_a_self_inspection(api, personas, discipline, data, tree):
    login(api, personas.secretary_a)
    body = {
        "kind": "self",
        "title": "四季度自查",
        "inspecting_org": tree.station_a1.pk,
        "inspected": [tree.station_a1.pk],
        "held_on": days(-1).isoformat(),
        "checklist": ["三会一课", "党费"],
    }
    response = api.post(URL, body, format="json")
    assert response.status_code == 201, response.content
    row = response.json()
    assert (row["title"], row["problem_count"], row["checklist"]) == (
        "四季度自查",
        0,
        ["三会一课", "党费"],
    )
    assert Inspection.objects.filter(title="四季度自查", created_by=personas.secretary_a).exists()


def test_recording_refusals(api, personas, discipline, data, tree):
    login(api, personas.secretary_a)
    body = {
        "kind": "self",
        "title": "越权检查",
        "inspecting_org": tree.station_b1.pk,
        "inspected": [tree.station_b1.pk],
        "held_on": days(-1).isoformat(),
    }
    response = api.post(URL, body, format="json")
    assert response.status_code == 400
    assert "不存在或不在您的管理范围内" in response.json()["inspecting_org"][0]
    assert "不存在或不在您的管理范围内" in response.json()["inspected"][0]
    body.update(
        inspecting_org=tree.station_a1.pk,
        inspected=[tree.station_a1.pk],
        held_on=days(3).isoformat(),
    )
    response = api.post(URL, body, format="json")
    assert response.status_code == 400
    assert response.json()["held_on"] == ["检查日期不能晚于今天。"]
    login(api, personas.member)
    assert api.post(URL, body, format="json").status_code == 403
    assert not Inspection.objects.filter(title="越权检查").exists()


def test_filing_a_problem(api, personas, discipline, data, tree):
    login(api, personas.company)
    body = {
        "description": "台区线损率偏高",
        "organization": tree.station_a1.pk,
        "inspection": data.inspections.patrol.pk,
        "category": "business",
        "tier": 1,
        "found_on": days(-1).isoformat(),
        "responsible_org": tree.station_a1.pk,
        "deadline": days(20).isoformat(),
        "measures": "逐户排查",
    }
    response = api.post(PROBLEMS_URL, body, format="json")
    assert response.status_code == 201, response.content
    row = response.json()
    # The same category at the same station within a year: recurring, so at least tier 2.
    assert (row["recurring"], row["tier"], row["library"]) == (True, 2, "branch")
    assert (row["state"], row["source"]) == ("planned", "inspection")
    assert [e["to_state"] for e in row["events"]] == ["planned"]

    body.update(tier=4, category="safety", description="需上级研究的问题")
    row = api.post(PROBLEMS_URL, body, format="json").json()
    assert row["escalated_at"] is not None and row["tier"] == 4

    bad = api.post(PROBLEMS_URL, {**body, "deadline": days(-5).isoformat()}, format="json")
    assert bad.status_code == 400
    assert bad.json()["deadline"] == ["整改时限不能早于发现日期。"]

    login(api, personas.secretary_b)
    response = api.post(PROBLEMS_URL, {**body, "inspection": None}, format="json")
    assert response.status_code == 400
    assert "organization" in response.json()
    login(api, personas.member)
    assert api.post(PROBLEMS_URL, body, format="json").status_code == 403
    assert Problem.objects.filter(description="台区线损率偏高").count() == 1
