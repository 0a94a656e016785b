"""The acceptance test of the kernel issue: a sheet dispatched to 86 stations puts exactly one
unread message in each station secretary's inbox, for a fixed number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bastion.core.notifications.models import Notification
from bastion.orgs.tests.factories import UserFactory, grant
from bastion.tasks.services import flow

from .progress_helpers import grow_stations, make_task

pytestmark = pytest.mark.django_db


def stations_with_secretaries(parent, count: int, tag: str):
    stations = grow_stations(parent, count, tag)
    secretaries = []
    for station in stations:
        secretary = UserFactory(username=f"sec_{tag}_{station.pk}")
        grant(secretary, "branch_secretary", station)
        secretaries.append(secretary)
    return stations, secretaries


def dispatch_counting(task, actor, stations) -> int:
    with CaptureQueriesContext(connection) as ctx:
        flow.task_dispatch(task=task, actor=actor, recipients=[s.pk for s in stations])
    return len(ctx.captured_queries)


def test_dispatching_to_86_stations_puts_one_unread_message_in_each_inbox(
    personas, tree, monkeypatch
):
    # SQLite accepts 32,766 parameters per statement; Django 5.2 assumes 999 and splits bulk
    # inserts into more statements as rows grow. With the real limit, one statement each.
    monkeypatch.setattr(connection.features, "max_query_params", 32766)
    few, _few_secretaries = stations_with_secretaries(tree.county_b, 5, "F")
    stations, secretaries = stations_with_secretaries(tree.county_a, 86, "S")
    warm_up = make_task(tree.company, personas.company)  # fills the content-type cache
    dispatch_counting(warm_up, personas.company, [tree.station_a1])
    small = dispatch_counting(make_task(tree.company, personas.company), personas.company, few)
    task = make_task(tree.company, personas.company, title="报送党员发展情况")

    queries = dispatch_counting(task, personas.company, stations)

    assert queries == small  # the same cost for 5 or 86 recipients: bulk inserts
    mine = Notification.objects.filter(recipient__in=secretaries, event="tasks.dispatched")
    assert mine.count() == 86
    assert mine.filter(read_at__isnull=True).count() == 86
    for secretary in secretaries:
        assert Notification.objects.filter(recipient=secretary).count() == 1
        assert Notification.objects.filter(recipient=secretary, read_at__isnull=True).count() == 1
    # the county committee covering them all gets ONE message listing the 86, not 86 messages
    key = f"tasks.dispatched:{task.pk}"
    [county] = Notification.objects.filter(recipient=personas.county, dedupe_key=key)
    assert county.items[0]["total"] == 86 and len(county.items[0]["lines"]) == 50
    assert county.items[0]["more"] == 36
