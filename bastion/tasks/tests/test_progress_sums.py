"""The answers added up (一键统计): number fields summed, choices counted, over the answers given
(已反馈、已采纳), the same on the progress page (headline and per-organization rows), its API and
the Excel export."""

import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from bastion.core.testing import login
from bastion.tasks.models import Assignment
from bastion.tasks.selectors_totals import field_totals, totalled_fields
from bastion.tasks.services.tally import task_tally_rebuild

from .progress_helpers import crafted_fixture, grow_stations  # noqa: F401

pytestmark = pytest.mark.django_db

# station_b1's answer was sent back: it does not count; unread/read ones have no answer.
ANSWERS = {
    "station_a1": ("35", "已完成"),  # accepted
    "station_a2": ("12.5", "推进中"),  # submitted
    "group_a1": ("3", "已完成"),  # submitted
    "station_b1": ("100", "已完成"),  # returned
}


def fill(crafted):
    ids = {f.label: str(f.pk) for f in crafted.task.fields.all()}
    for name, (people, done) in ANSWERS.items():
        values = {ids["培训人数"]: people, ids["完成情况"]: done}
        Assignment.objects.filter(pk=crafted.assignment[name].pk).update(values=values)
    task_tally_rebuild(crafted.task.pk)  # the shortcut writes past the services
    return ids


def test_selector_sums_numbers_and_counts_choices_of_given_answers(crafted):
    fill(crafted)
    task = crafted.task
    totals = {t.label: t for t in field_totals(task.assignments.all(), totalled_fields(task))}
    assert set(totals) == {"培训人数", "完成情况"}  # dates, files and text are not totalled
    assert totals["培训人数"].total == Decimal("50.5")
    assert totals["培训人数"].answers == 3
    assert totals["完成情况"].counts == [("已完成", 2), ("推进中", 1)]
    assert totals["完成情况"].total is None


def test_selector_ignores_an_answer_that_is_not_a_number(crafted):
    ids = fill(crafted)
    bad = crafted.assignment["group_a1"]
    Assignment.objects.filter(pk=bad.pk).update(values={ids["培训人数"]: "三十"})
    task = crafted.task
    [people] = [
        t for t in field_totals(task.assignments.all(), totalled_fields(task)) if t.is_number
    ]
    assert people.total == Decimal("47.5")


def test_progress_page_shows_totals_and_per_organization_rows(client, crafted, personas, tree):
    fill(crafted)
    client.force_login(personas.company)
    response = client.get(reverse("tasks:progress", args=[crafted.task.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="field-totals"' in body
    assert "合计 50.5" in body
    totals = {t.label: t for t in response.context["field_totals"]}
    assert totals["完成情况"].counts == [("已完成", 2), ("推进中", 1)]
    rows = {part.org.pk: part for part in response.context["breakdown"]}
    county_a = {t.label: t for t in rows[tree.county_a.pk].totals}
    county_b = {t.label: t for t in rows[tree.county_b.pk].totals}
    # county A's subtree holds station_a1, station_a2 and group_a1; B's answer was sent back
    assert county_a["培训人数"].total == Decimal("50.5")
    assert county_a["完成情况"].counts_text == "已完成 2；推进中 1"
    assert county_b["培训人数"].total == 0


def test_progress_page_totals_follow_the_subtree(client, crafted, personas, tree):
    fill(crafted)
    client.force_login(personas.company)
    url = reverse("tasks:progress", args=[crafted.task.pk]) + f"?within={tree.station_a2.pk}"
    totals = {t.label: t for t in client.get(url).context["field_totals"]}
    assert totals["培训人数"].total == Decimal("12.5")


def test_api_progress_reports_field_totals(client, crafted, personas):
    fill(crafted)
    login(client, personas.company)
    response = client.get(f"/api/v1/tasks/{crafted.task.pk}/progress/")
    assert response.status_code == 200, response.content
    totals = {item["label"]: item for item in response.json()["field_totals"]}
    assert totals["培训人数"]["total"] == 50.5
    assert totals["培训人数"]["answers"] == 3
    assert totals["完成情况"]["total"] is None
    assert totals["完成情况"]["counts"] == [
        {"choice": "已完成", "count": 2},
        {"choice": "推进中", "count": 1},
    ]


def test_export_has_a_totals_sheet_with_numbers(client, crafted, personas):
    fill(crafted)
    client.force_login(personas.company)
    response = client.get(reverse("tasks:progress_export", args=[crafted.task.pk]))
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[:2] == ["反馈汇总", "字段汇总"]
    rows = list(book["字段汇总"].iter_rows(values_only=True))
    assert rows[0] == ("反馈字段", "汇总项", "数值")
    found = {(label, item): value for label, item, value in rows[1:]}
    assert found[("培训人数", "合计")] == 50.5
    assert found[("完成情况", "已完成")] == 2
    assert found[("完成情况", "推进中")] == 1
    assert found[("培训人数", "填报组织数")] == 3
    assert len(list(book["反馈汇总"].iter_rows())) == 7  # still one row per recipient


def test_page_queries_do_not_follow_recipients(client, crafted, personas, tree):
    fill(crafted)
    client.force_login(personas.company)
    url = reverse("tasks:progress", args=[crafted.task.pk])
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    from bastion.tasks.services import flow

    more = grow_stations(tree.county_a, 30, "S")
    flow.task_dispatch(task=crafted.task, actor=personas.company, recipients=[o.pk for o in more])
    with CaptureQueriesContext(connection) as lots:
        client.get(url)
    assert len(lots) == len(few)
