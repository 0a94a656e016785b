"""The daily digest lists the task sheets a person owes: overdue (red) and due soon (yellow)."""

import datetime as dt

import pytest
from django.apps import apps

from bastion.core.notifications.digest import build_digest, digest_create
from bastion.tasks.digest import items
from bastion.tasks.models import Assignment
from bastion.tasks.services import flow

from .progress_helpers import crafted_fixture, make_task, move_due_date, today  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def with_source(monkeypatch):
    """The tasks' digest source, as ``TasksConfig.digest_sources`` declares it."""
    config = apps.get_app_config("tasks")
    monkeypatch.setattr(config, "digest_sources", ["bastion.tasks.digest.items"], raising=False)


def by_group(sections):
    return {section["group"]: section for section in sections}


def test_a_secretary_sees_the_overdue_sheet_of_her_station(personas, tree):
    task = make_task(tree.company, personas.company, title="报送党员培训情况")
    flow.task_dispatch(
        task=task, actor=personas.company, recipients=[tree.station_a1.pk, tree.station_b1.pk]
    )
    move_due_date(task, 4)
    sections = by_group(items(personas.secretary_a, today()))
    assert list(sections) == ["tasks_overdue"]
    red = sections["tasks_overdue"]
    assert red["level"] == "red" and red["total"] == 1 and red["more"] == 0
    [line] = red["lines"]
    assert line["org"] == tree.station_a1.name
    assert line["text"] == "工作单：报送党员培训情况"
    assert line["note"] == "已逾期 4 天"
    assert line["date"] == task.due_on.isoformat()
    assert [line["org"] for line in items(personas.secretary_b, today())[0]["lines"]] == [
        tree.station_b1.name
    ]


def test_due_soon_is_yellow_and_later_is_not_listed(personas, tree):
    soon = make_task(tree.company, personas.company, title="两天后截止", due_in=2)
    later = make_task(tree.company, personas.company, title="十天后截止", due_in=10)
    for task in (soon, later):
        flow.task_dispatch(task=task, actor=personas.company, recipients=[tree.station_a1.pk])
    sections = by_group(items(personas.secretary_a, today()))
    assert list(sections) == ["tasks_due"]
    [line] = sections["tasks_due"]["lines"]
    assert line["level"] == "yellow" and line["note"] == "还剩 2 天"
    assert "两天后截止" in line["text"]


def test_answered_sheets_are_not_listed_returned_ones_are(crafted, personas, tree):
    """crafted: station_a1 accepted, group_a1 submitted, station_b1 returned (overdue)."""
    assert items(personas.secretary_a, today()) == []
    [line] = items(personas.secretary_b, today())[0]["lines"]
    assert line["org"] == tree.station_b1.name
    assert "已退回" in line["note"]


def test_the_issuer_side_is_not_reminded_of_its_own_task(crafted, personas, tree):
    assert items(personas.company, today()) == []  # the issuer reviews, it does not owe
    # the county answers for its subtree: its own sheet is open, its stations answered
    [line] = items(personas.county, today())[0]["lines"]
    assert line["org"] == tree.county_a.name
    assert items(personas.member, today()) == []
    assert items(personas.outsider, today()) == []


def test_the_county_sees_its_stations_late_sheets_as_its_inbox_does(crafted, personas, tree):
    Assignment.objects.filter(pk=crafted.assignment["station_a2"].pk).update(state="returned")
    orgs = [line["org"] for line in items(personas.county, today())[0]["lines"]]
    assert orgs == [tree.county_a.name, tree.station_a2.name]


def test_a_sheet_passed_down_is_reviewed_not_owed_by_the_branch(personas, tree):
    task = make_task(tree.county_a, personas.county)
    flow.task_dispatch(task=task, actor=personas.county, recipients=[tree.station_a1.pk])
    assignment = Assignment.objects.get(task=task)
    child = flow.assignment_pass_down(
        assignment=assignment, actor=personas.secretary_a, recipients=[tree.group_a1.pk]
    )
    move_due_date(task, 1)
    move_due_date(child, 1)
    orgs = {line["org"] for line in items(personas.secretary_a, today())[0]["lines"]}
    assert orgs == {tree.station_a1.name}


def test_closed_tasks_are_not_listed(crafted, personas):
    crafted.task.status = "closed"
    crafted.task.save(update_fields=["status"])
    assert items(personas.secretary_b, today()) == []


def test_the_agenda_digest_includes_the_task_sections(with_source, crafted, personas, tree):
    sections = by_group(build_digest(personas.secretary_b, today()))
    assert "tasks_overdue" in sections
    note = digest_create(user=personas.secretary_b, today=today())
    assert note is not None
    assert any(section["group"] == "tasks_overdue" for section in note.items)


def test_lines_are_capped_and_the_rest_counted(settings, personas, tree):
    settings.BASTION_DIGEST_MAX_LINES = 2
    for n in range(3):
        task = make_task(tree.company, personas.company, title=f"工作单{n}", fields=False)
        flow.task_dispatch(task=task, actor=personas.company, recipients=[tree.station_a1.pk])
        move_due_date(task, n + 1)
    [red] = items(personas.secretary_a, today())
    assert red["total"] == 3 and len(red["lines"]) == 2 and red["more"] == 1
    assert red["lines"][0]["note"] == "已逾期 3 天"  # oldest first


def test_today_is_the_due_date(personas, tree):
    task = make_task(tree.company, personas.company, due_in=0)
    flow.task_dispatch(task=task, actor=personas.company, recipients=[tree.station_a1.pk])
    [line] = items(personas.secretary_a, today())[0]["lines"]
    assert line["note"] == "今天截止"
    assert items(personas.secretary_a, today() + dt.timedelta(days=1))[0]["group"] == (
        "tasks_overdue"
    )


def test_a_digest_of_tasks_only_takes_their_colour_and_counts():
    from bastion.core.notifications.digest import digest_summary

    level, text = digest_summary(
        [
            {
                "group": "tasks_overdue",
                "title": "逾期未反馈的工作单",
                "count_text": "2 项",
                "level": "red",
                "total": 2,
                "lines": [],
            }
        ]
    )
    assert level == "red"
    assert text == "逾期未反馈的工作单 2 项"
