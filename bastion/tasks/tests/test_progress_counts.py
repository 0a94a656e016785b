"""The headline counts of the progress page on a crafted set: every state, on-time rate,
overdue recipients, the subtree filter, the per-child breakdown."""

import pytest
from django.urls import reverse

from .progress_helpers import crafted_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


def page(client, task, **params):
    response = client.get(reverse("tasks:progress", args=[task.pk]), params)
    assert response.status_code == 200
    return response


def test_counts_per_state_and_on_time_rate(client, personas, crafted):
    client.force_login(personas.company)
    response = page(client, crafted.task)
    progress = response.context["progress"]
    assert progress.total == 6
    assert progress.by_state == {
        "unread": 1,
        "read": 1,
        "accepted": 1,
        "submitted": 2,
        "returned": 1,
    }
    assert progress.answered == 3
    assert progress.late_submitted == 1
    assert progress.on_time == 2
    assert progress.on_time_rate == 33.3
    assert progress.overdue_open == 3  # unread, read and returned, past the due date
    html = response.content.decode()
    assert 'data-testid="answered">3 / 6<' in html
    assert "33.3%" in html
    cards = {c["state"]: c["count"] for c in response.context["state_cards"]}
    assert cards == {"unread": 1, "read": 1, "submitted": 2, "returned": 1, "accepted": 1}


def test_the_counts_fragment_gives_the_same_numbers(client, personas, crafted, tree):
    client.force_login(personas.company)
    url = reverse("tasks:progress_counts", args=[crafted.task.pk])
    response = client.get(url, {"within": tree.county_a.pk})
    assert response.status_code == 200
    assert response.context["progress"].total == 4
    html = response.content.decode()
    assert 'hx-trigger="every 30s"' in html
    assert f"within={tree.county_a.pk}" in html  # the next poll keeps the filter
    assert "<html" not in html  # a fragment, not a page


def test_within_narrows_counts_table_and_late_list(client, personas, crafted, tree):
    client.force_login(personas.company)
    response = page(client, crafted.task, within=tree.county_a.pk)
    progress = response.context["progress"]
    assert progress.total == 4
    assert progress.answered == 3
    assert progress.overdue_open == 1
    assert progress.on_time_rate == 50.0
    rows = {row.organization_id for row in response.context["page"]}
    assert rows == {tree.county_a.pk, tree.station_a1.pk, tree.station_a2.pk, tree.group_a1.pk}
    assert [row.organization_id for row in response.context["late"]] == [tree.county_a.pk]


def test_state_filter_and_overdue_filter(client, personas, crafted, tree):
    client.force_login(personas.company)
    submitted = page(client, crafted.task, state="submitted").context["page"]
    assert {r.organization_id for r in submitted} == {tree.station_a2.pk, tree.group_a1.pk}
    overdue = page(client, crafted.task, state="overdue").context["page"]
    assert {r.organization_id for r in overdue} == {
        tree.county_a.pk,
        tree.county_b.pk,
        tree.station_b1.pk,
    }
    late = page(client, crafted.task, state="late").context["page"]
    assert [r.organization_id for r in late] == [tree.station_a2.pk]
    # the headline counts stay those of the whole scope
    assert page(client, crafted.task, state="late").context["progress"].total == 6


def test_an_unknown_state_shows_everything(client, personas, crafted):
    client.force_login(personas.company)
    response = page(client, crafted.task, state="nonsense", sort="nonsense")
    assert response.context["page"].paginator.count == 6


def test_breakdown_per_child_subtree_with_drill_down(client, personas, crafted, tree):
    client.force_login(personas.company)
    parts = {p.org.pk: p for p in page(client, crafted.task).context["breakdown"]}
    assert set(parts) == {tree.county_a.pk, tree.county_b.pk}
    county_a = parts[tree.county_a.pk]
    assert county_a.total == 4
    assert county_a.counts == {
        "unread": 1,
        "read": 0,
        "submitted": 2,
        "returned": 0,
        "accepted": 1,
    }
    assert county_a.overdue == 1
    assert county_a.late == 1
    assert county_a.answered_rate == 75.0
    assert parts[tree.county_b.pk].overdue == 2
    assert f"within={tree.county_a.pk}" in county_a.drill_url

    inner = page(client, crafted.task, within=tree.county_a.pk).context["breakdown"]
    by_org = {p.org.pk: p for p in inner}
    assert by_org[tree.county_a.pk].own and by_org[tree.county_a.pk].total == 1
    assert by_org[tree.station_a1.pk].total == 2  # the station and its party group
    assert by_org[tree.station_a2.pk].total == 1


def test_before_the_due_date_nobody_is_overdue(client, personas, tree):
    from bastion.tasks.services import flow

    from .progress_helpers import make_task

    task = make_task(tree.company, personas.company)
    flow.task_dispatch(task=task, actor=personas.company, recipients=[tree.station_a1.pk])
    client.force_login(personas.company)
    response = page(client, task)
    assert response.context["progress"].overdue_open == 0
    assert response.context["late"] == []
    assert "尚未到反馈截止日期" in response.content.decode()
    assert 'data-testid="remind-button"' not in response.content.decode()


def test_a_party_group_is_named_with_its_branch(client, personas, crafted, tree):
    client.force_login(personas.company)
    rows = {r.organization_id: r for r in page(client, crafted.task).context["page"]}
    group = rows[tree.group_a1.pk]
    assert group.is_group and group.parent_name == tree.station_a1.name
    assert rows[tree.station_a1.pk].parent_name == tree.county_a.name
    html = page(client, crafted.task).content.decode()
    assert f"{tree.station_a1.name} · </span>{tree.group_a1.name}" in html


def test_a_draft_task_shows_an_empty_progress(client, personas, tree):
    from .progress_helpers import make_task

    task = make_task(tree.company, personas.company)
    client.force_login(personas.company)
    response = page(client, task)
    assert response.context["progress"].total == 0
    assert response.context["breakdown"] == []
    assert "尚未派发到任何组织" in response.content.decode()
