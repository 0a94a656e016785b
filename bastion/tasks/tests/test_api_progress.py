"""``tasks/{id}/progress/`` and ``tasks/{id}/export/``: the numbers on a crafted set (every
state, a late answer, overdue recipients), the subtree filter, the scope matrix, the workbook's
content, and queries that do not follow the number of recipients."""

import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from bastion.core.testing import login
from bastion.orgs.tests.factories import UserFactory, grant, make_org
from bastion.tasks.models import Assignment, Task
from bastion.tasks.services import flow

from .api_helpers import (
    PERSONAS,
    TASKS,
    VISIBLE_TASKS,
    answer,
    make_task,
    task_url,
    tasks_fixture,  # noqa: F401
    today,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def crafted(tree, personas):
    """The company's task to five recipients, one in each state, past its due date:

    station_a1 accepted (on time), station_a2 returned, county_a read, station_b1 submitted
    late, county_b unread.
    """
    task = make_task(tree.company, actor=personas.company, title="党员培训统计")
    recipients = ["station_a1", "station_a2", "county_a", "station_b1", "county_b"]
    flow.task_dispatch(
        task=task, actor=personas.company, recipients=[getattr(tree, r).pk for r in recipients]
    )
    secretary_a2 = UserFactory(username="p_secretary_a2")
    grant(secretary_a2, "branch_secretary", tree.station_a2)

    def of(org):
        return Assignment.objects.select_related("task__issuer", "organization").get(
            task=task, organization=org
        )

    values = {key: value for key, value in answer(task).items() if value != ""}
    flow.assignment_submit(
        assignment=of(tree.station_a1), actor=personas.secretary_a, values=values
    )
    flow.assignment_accept(assignment=of(tree.station_a1), actor=personas.company)
    flow.assignment_submit(assignment=of(tree.station_a2), actor=secretary_a2, values=values)
    flow.assignment_return(assignment=of(tree.station_a2), actor=personas.company, reason="请补充")
    flow.assignment_mark_read(assignment=of(tree.county_a), actor=personas.county)
    Task.objects.filter(pk=task.pk).update(due_on=today() - dt.timedelta(days=1))
    flow.assignment_submit(
        assignment=of(tree.station_b1), actor=personas.secretary_b, values=values
    )
    task.refresh_from_db()
    return task


def progress(api, task, **params):
    response = api.get(task_url(task, "progress"), params)
    assert response.status_code == 200, response.content
    return response.json()


def test_progress_numbers(api, personas, crafted):
    login(api, personas.company)
    assert progress(api, crafted) == {
        "total": 5,
        "by_state": {"unread": 1, "read": 1, "submitted": 1, "returned": 1, "accepted": 1},
        "answered": 2,
        "accepted": 1,
        "on_time": 1,
        "on_time_rate": 20.0,
        "late_submitted": 1,
        "overdue_open": 3,
        "field_totals": [  # the two answers given (station_a2's was sent back)
            {
                "field": crafted.fields.get(label="培训人数").pk,
                "label": "培训人数",
                "kind": "number",
                "answers": 2,
                "total": 70,
                "counts": [],
            },
            {
                "field": crafted.fields.get(label="完成情况").pk,
                "label": "完成情况",
                "kind": "choice",
                "answers": 2,
                "total": None,
                "counts": [{"choice": "已完成", "count": 2}, {"choice": "推进中", "count": 0}],
            },
        ],
    }


def test_progress_within_a_subtree(api, personas, tree, crafted):
    login(api, personas.company)
    county_a = progress(api, crafted, within=tree.county_a.pk)
    assert (county_a["total"], county_a["answered"], county_a["on_time_rate"]) == (3, 1, 33.3)
    assert (county_a["late_submitted"], county_a["overdue_open"]) == (0, 2)
    county_b = progress(api, crafted, within=tree.county_b.pk)
    assert county_b["by_state"] == {
        "unread": 1,
        "read": 0,
        "submitted": 1,
        "returned": 0,
        "accepted": 0,
    }
    assert (county_b["late_submitted"], county_b["on_time"], county_b["on_time_rate"]) == (1, 0, 0)


def test_progress_of_a_draft_has_no_rate(api, personas, tree):
    draft = make_task(tree.company, actor=personas.company)
    login(api, personas.company)
    row = progress(api, draft)
    assert (row["total"], row["on_time_rate"], row["overdue_open"]) == (0, None, 0)
    assert set(row["by_state"].values()) == {0}


@pytest.mark.parametrize("within", ["abc", "999999"])
def test_progress_unknown_within_is_404(api, personas, crafted, within):
    login(api, personas.company)
    response = api.get(task_url(crafted, "progress"), {"within": within})
    assert response.status_code == 404


def test_progress_within_outside_the_scope_is_404(api, personas, tree, tasks):
    login(api, personas.county)
    response = api.get(task_url(tasks["county"], "progress"), {"within": tree.county_b.pk})
    assert response.status_code == 404


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", TASKS)
def test_progress_is_404_outside_scope(api, personas, tasks, persona, name):
    login(api, getattr(personas, persona))
    response = api.get(task_url(tasks[name], "progress"))
    assert response.status_code == (200 if name in VISIBLE_TASKS[persona] else 404)
    if response.status_code == 200:
        assert response.json()["total"] == tasks[name].assignments.count()


def test_progress_queries_do_not_grow_with_recipients(api, personas, tree):
    small, large = (make_task(tree.company, actor=personas.company) for _ in range(2))
    flow.task_dispatch(task=small, actor=personas.company, recipients=[tree.station_a1.pk])
    many = [make_org(tree.county_b, name=f"B所{i}", code=f"C-B-P{i}") for i in range(60)]
    flow.task_dispatch(task=large, actor=personas.company, recipients=[org.pk for org in many])
    Assignment.objects.filter(task=large, organization__in=many[:20]).update(state="read")
    login(api, personas.company)
    for params in ({}, {"within": tree.county_b.pk}):
        with CaptureQueriesContext(connection) as few:
            assert progress(api, small, **params)["total"] in (0, 1)
        with CaptureQueriesContext(connection) as lots:
            assert progress(api, large, **params)["total"] == 60
        assert len(lots) == len(few)


# --- export -------------------------------------------------------------------------------------


def sheet_rows(response) -> list[tuple]:
    assert response["Content-Type"] == XLSX
    assert "attachment" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    return [tuple(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]


def test_export_content(api, personas, crafted):
    login(api, personas.company)
    rows = sheet_rows(api.get(task_url(crafted, "export")))
    header = rows[0]
    assert header[:2] == ("组织编码", "组织名称")
    assert {"培训人数", "完成情况", "备注"} <= set(header)
    by_org = {
        row[header.index("组织名称")]: dict(zip(header, row, strict=False)) for row in rows[1:]
    }
    assert set(by_org) == {
        "A1供电所党支部",
        "A2供电所党支部",
        "A县公司党委",
        "B1供电所党支部",
        "B县公司党委",
    }
    assert by_org["A1供电所党支部"]["状态"] == "已采纳"
    assert by_org["A1供电所党支部"]["培训人数"] == 35
    assert by_org["A1供电所党支部"]["完成情况"] == "已完成"
    assert by_org["B1供电所党支部"]["是否逾期"] == "是"
    assert by_org["A1供电所党支部"]["是否逾期"] == "否"
    assert by_org["B县公司党委"].get("培训人数") is None  # read-only rows stop at the last value


def test_export_within_a_subtree(api, personas, tree, crafted):
    login(api, personas.company)
    rows = sheet_rows(api.get(task_url(crafted, "export"), {"within": tree.county_b.pk}))
    assert sorted(row[1] for row in rows[1:]) == ["B1供电所党支部", "B县公司党委"]


@pytest.mark.parametrize(
    "state,names",
    [
        ("overdue", ["A2供电所党支部", "A县公司党委", "B县公司党委"]),
        ("late", ["B1供电所党支部"]),
        ("accepted", ["A1供电所党支部"]),
    ],
)
def test_api_and_page_exports_filter_alike(api, client, personas, crafted, state, names):
    """One FilterSet (``tasks.filters.ProgressFilter``) for the page, its export and the API."""
    login(api, personas.company)
    by_api = sheet_rows(api.get(task_url(crafted, "export"), {"state": state}))
    client.force_login(personas.company)
    by_page = sheet_rows(
        client.get(reverse("tasks:progress_export", args=[crafted.pk]), {"state": state})
    )
    assert sorted(row[1] for row in by_api[1:]) == sorted(row[1] for row in by_page[1:]) == names


def test_export_outside_the_issuer_subtree_or_with_a_bad_state(api, personas, tree, tasks):
    login(api, personas.county)
    url = task_url(tasks["county"], "export")
    assert api.get(url, {"within": tree.county_b.pk}).status_code == 404
    assert api.get(url, {"within": "x"}).status_code == 404
    assert api.get(url, {"state": "nonsense"}).status_code == 400
    assert api.get(url, {"within": tree.station_a1.pk}).status_code == 200


EXPORT = {
    # persona: status per task; a branch secretary sees its own task but may not export it
    "company": {"company": 200, "county": 200, "station": 200},
    "county": {"company": 404, "county": 200, "station": 200},
    "secretary_a": {"company": 404, "county": 404, "station": 403},
    "secretary_b": {"company": 404, "county": 404, "station": 404},
    "member": {"company": 404, "county": 404, "station": 404},
    "outsider": {"company": 404, "county": 404, "station": 404},
}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", TASKS)
def test_export_matrix(api, personas, tasks, persona, name):
    login(api, getattr(personas, persona))
    response = api.get(task_url(tasks[name], "export"))
    assert response.status_code == EXPORT[persona][name]
    if response.status_code == 200:
        assert len(sheet_rows(response)) == 1 + tasks[name].assignments.count()


def test_export_queries_do_not_grow_with_recipients(api, personas, tree):
    small, large = (make_task(tree.company, actor=personas.company) for _ in range(2))
    flow.task_dispatch(task=small, actor=personas.company, recipients=[tree.station_a1.pk])
    many = [make_org(tree.county_b, name=f"B所{i}", code=f"C-B-E{i}") for i in range(40)]
    flow.task_dispatch(task=large, actor=personas.company, recipients=[org.pk for org in many])
    login(api, personas.company)
    with CaptureQueriesContext(connection) as few:
        assert len(sheet_rows(api.get(task_url(small, "export")))) == 2
    with CaptureQueriesContext(connection) as lots:
        assert len(sheet_rows(api.get(task_url(large, "export")))) == 41
    assert len(lots) == len(few)
