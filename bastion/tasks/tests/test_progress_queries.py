"""Constant queries: the progress page, its counts, the export and the reminder cost the same
for 5 recipients and for 60 (the bench measures 3,000)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bastion.core.testing import count_queries
from bastion.orgs.tests.factories import UserFactory, grant
from bastion.tasks.services import flow

from .progress_helpers import grow_stations, make_task, move_due_date, spread_states

pytestmark = pytest.mark.django_db


def build(tree, personas, size: int):
    """A county task to ``size`` new stations, every state present, past its due date; each
    station has a secretary account (the reminder writes one notification each)."""
    stations = grow_stations(tree.county_a, size, f"N{size}")
    for station in stations:
        grant(UserFactory(), "branch_secretary", station)
    task = make_task(tree.county_a, personas.county, title=f"任务{size}")
    flow.task_dispatch(task=task, actor=personas.county, recipients=[s.pk for s in stations])
    move_due_date(task, 3)
    spread_states(task, task.due_on)
    return task


PAGES = [
    ("tasks:progress", {}),
    ("tasks:progress", {"state": "overdue", "sort": "-state"}),
    ("tasks:progress", {"sort": "submitted", "page": "2"}),
    ("tasks:progress", {"within": "county_a"}),
    ("tasks:progress_counts", {}),
    ("tasks:progress_export", {}),
]


@pytest.mark.parametrize("url_name,params", PAGES)
def test_pages_cost_the_same_for_5_and_60_recipients(client, personas, tree, url_name, params):
    client.force_login(personas.county)
    counts = []
    for size in (5, 60):
        task = build(tree, personas, size)
        query = {k: getattr(tree, v).pk if k == "within" else v for k, v in params.items()}
        url = reverse(url_name, args=[task.pk])
        if query:
            url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
        counts.append(count_queries(client, url))
    assert counts[0] == counts[1], counts


def test_the_page_lists_fifty_recipients_a_page(client, personas, tree):
    task = build(tree, personas, 60)
    client.force_login(personas.county)
    url = reverse("tasks:progress", args=[task.pk])
    first = client.get(url).context["page"]
    assert len(first) == 50 and first.paginator.count == 60
    second = client.get(url, {"page": 2}).context["page"]
    assert len(second) == 10
    states = [row.state for row in client.get(url, {"sort": "state"}).context["page"]]
    order = ["unread", "read", "returned", "submitted", "accepted"]
    assert states == sorted(states, key=order.index)
    late = client.get(url).context["late"]
    assert len(late) == 20  # the late list shows the first twenty, the filter shows them all
    assert client.get(url).context["progress"].overdue_open == 36


def test_the_reminder_costs_the_same_for_5_and_60_late_recipients(personas, tree):
    counts = []
    for size in (5, 60):
        task = build(tree, personas, size)
        with CaptureQueriesContext(connection) as ctx:
            flow.task_remind_late(task=task, actor=personas.county)
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts
