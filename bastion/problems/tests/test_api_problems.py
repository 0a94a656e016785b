"""``/api/v1/problems/``: scoped by the organization the problem was found at, each row with
its state label, deadline colour and the requester's moves; the filters (within, tier, state,
library, overdue) with Chinese 400s; retrieve with history; constant queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bastion.core.testing import Scope, login, persona_matrix, seen_by_persona

from .api_helpers import (
    PERSONAS,
    PROBLEMS,
    VISIBLE,
    data_fixture,  # noqa: F401
    discipline_fixture,  # noqa: F401
    make_problem,
    names,
    problem_url,
    user_of,
)

URL = reverse("api:problem-list")


# Who reads which problem, on its page and through the API (``discipline`` is the problems'
# own persona: a discipline inspection account on county_a).
PROBLEM_SCOPE = Scope(
    objects="data.problems",
    seen_by=seen_by_persona(VISIBLE, PROBLEMS),
    detail=["problems:problem_detail", "api:problem-detail"],
    rows=["api:problem-list"],
    personas=PERSONAS,
)

test_problems_are_read_inside_the_scope_only = persona_matrix(PROBLEM_SCOPE)


def test_anonymous_is_refused(api, data):
    assert api.get(URL).status_code in (401, 403)


def test_row_carries_labels_colour_and_moves(api, personas, discipline, data, tree):
    login(api, personas.secretary_a)
    rows = {row["id"]: row for row in api.get(URL).json()["results"]}
    planned = rows[data.problems.a1.pk]
    assert (planned["state"], planned["state_display"]) == ("planned", "待整改")
    assert (planned["colour"], planned["overdue"]) == ("green", False)
    assert planned["allowed_moves"] == ["in_progress"]
    assert planned["organization"] == {"id": tree.station_a1.pk, "name": "A1供电所党支部"}
    assert planned["inspection"]["title"] == "公司党委巡查"
    assert (planned["tier"], planned["tier_display"]) == (1, "偶发轻微问题")
    assert (planned["library"], planned["owner"]["id"]) == ("branch", tree.station_a1.pk)
    late = rows[data.problems.a1_overdue.pk]
    assert (late["colour"], late["colour_label"], late["overdue"]) == ("red", "已逾期", True)
    assert late["allowed_moves"] == ["submitted"]

    login(api, personas.company)
    rows = {row["id"]: row for row in api.get(URL).json()["results"]}
    assert rows[data.problems.a2.pk]["allowed_moves"] == ["rejected", "verified"]
    assert rows[data.problems.b1.pk]["colour"] == "done"
    assert rows[data.problems.b1.pk]["allowed_moves"] == ["reopen"]

    login(api, discipline)  # verifies, does not rectify
    rows = {row["id"]: row for row in api.get(URL).json()["results"]}
    assert rows[data.problems.a1.pk]["allowed_moves"] == []
    assert rows[data.problems.a2.pk]["allowed_moves"] == ["rejected", "verified"]


def test_detail_has_history_and_evidence(api, personas, discipline, data):
    login(api, personas.county)
    row = api.get(problem_url(data.problems.a2)).json()
    assert [e["to_state"] for e in row["events"]] == ["planned"]
    assert [e["original_name"] for e in row["evidence"]] == ["整改照片.png"]
    assert row["overdue"] is True


def test_filters(api, personas, discipline, data, tree):
    login(api, personas.company)

    def found(**params):
        response = api.get(URL, params)
        assert response.status_code == 200, response.content
        return names(data, response.json()["results"])

    assert found(within=tree.county_b.pk) == {"b1"}
    assert found(within=tree.station_a1.pk) == {"a1", "a1_overdue", "g1"}
    assert found(tier=2) == {"b1"}
    assert found(tier=3) == {"county"}
    assert found(state="submitted") == {"a2"}
    assert found(library="county") == {"county"}
    assert found(library="branch") == set(PROBLEMS) - {"county"}
    assert found(overdue=1) == {"a1_overdue", "a2"}
    assert found(overdue=0) == set(PROBLEMS) - {"a1_overdue", "a2"}
    assert found(overdue="true", within=tree.station_a1.pk) == {"a1_overdue"}
    assert found(category="service") == {"g1"}
    assert found(inspection=data.inspections.visit.pk) == {"a2"}


@pytest.mark.parametrize(
    "params,key,text",
    [
        ({"overdue": "maybe"}, "overdue", "只能为 1 或 0"),
        ({"state": "done"}, "state", "可选"),
        ({"tier": "5"}, "tier", "可选"),
        ({"library": "province"}, "library", "可选"),
    ],
)
def test_bad_filters_are_400_in_chinese(api, personas, discipline, data, params, key, text):
    login(api, personas.company)
    response = api.get(URL, params)
    assert response.status_code == 400
    message = response.json()[key][0]
    assert text in message
    assert any("\u4e00" <= char <= "\u9fff" for char in message)


def test_within_outside_the_scope_is_404(api, personas, discipline, data, tree):
    login(api, personas.secretary_a)
    response = api.get(URL, {"within": tree.station_b1.pk})
    assert response.status_code == 404
    assert api.get(URL, {"within": "x"}).status_code == 404
    assert api.get(URL, {"owner": tree.county_b.pk}).status_code == 404


@pytest.mark.parametrize("persona", ["company", "secretary_a", "discipline"])
def test_list_queries_do_not_grow_with_rows(api, personas, discipline, data, tree, persona):
    login(api, user_of(personas, discipline, persona))
    with CaptureQueriesContext(connection) as small:
        first = api.get(URL, {"page_size": 100}).json()
    for index in range(12):
        make_problem(
            tree.station_a1 if index % 2 else tree.group_a1,
            deadline=index - 6,
            state=["planned", "in_progress", "submitted"][index % 3],
        )
    with CaptureQueriesContext(connection) as large:
        second = api.get(URL, {"page_size": 100}).json()
    assert second["count"] == first["count"] + 12
    assert len(large) == len(small)


def test_detail_queries_do_not_grow_with_history(api, personas, discipline, data):
    from bastion.problems.models import ProblemEvent

    login(api, personas.company)
    problem = data.problems.b1
    problem.events.update(actor=personas.county)  # the actors' prefetch runs in both reads
    with CaptureQueriesContext(connection) as small:
        api.get(problem_url(problem))
    for _i in range(5):
        ProblemEvent.objects.create(
            problem=problem, from_state="closed", to_state="closed", actor=personas.company
        )
    with CaptureQueriesContext(connection) as large:
        row = api.get(problem_url(problem)).json()
    assert len(row["events"]) == 6
    assert len(large) == len(small)
