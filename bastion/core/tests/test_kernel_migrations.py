"""Models that moved from the agenda to the kernel keep every row: the inbox (core.0002,
agenda.0007) and the alert thresholds (core.0003, agenda.0010)."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("agenda", "0006_problem_thresholds"), ("core", "0001_initial")]
BEFORE_THRESHOLDS = [("agenda", "0009_problem_escalate_threshold"), ("core", "0002_notification")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


@pytest.mark.xdist_group("migrations")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_moving_the_inbox_to_core_keeps_every_row():
    old_apps = migrate(BEFORE)
    User = old_apps.get_model("core", "User")
    OldNotification = old_apps.get_model("agenda", "Notification")
    alice = User.objects.create(username="alice")
    bob = User.objects.create(username="bob")
    read = dt.datetime(2025, 3, 21, 9, 30, tzinfo=dt.UTC)
    digest = {"items": [{"group": "red", "title": "红色告警", "lines": []}]}
    rows = [
        OldNotification.objects.create(
            recipient=alice,
            level="red",
            title="每日工作提醒",
            digest_on=dt.date(2025, 3, 21),
            **digest,
        ),
        OldNotification.objects.create(
            recipient=alice, level="info", title="会议记录被退回", read_at=read, url="/agenda/"
        ),
        OldNotification.objects.create(recipient=bob, level="yellow", title="催办：报送材料"),
    ]
    before = {
        row.pk: (row.recipient_id, row.level, row.title, row.items, row.digest_on, row.read_at)
        for row in rows
    }

    new_apps = migrate(latest())

    Notification = new_apps.get_model("core", "Notification")
    after = {
        row.pk: (row.recipient_id, row.level, row.title, row.items, row.digest_on, row.read_at)
        for row in Notification.objects.all()
    }
    assert after == before
    assert Notification._meta.db_table == "core_notification"
    assert "agenda_notification" not in connection.introspection.table_names()
    # The rows keep working: the new fields have their defaults, a new row takes the next id.
    assert set(Notification.objects.values_list("event", "dedupe_key")) == {("", "")}
    fresh = Notification.objects.create(
        recipient_id=before[rows[0].pk][0], level="info", title="新"
    )
    assert fresh.pk > max(before)


@pytest.mark.xdist_group("migrations")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_moving_the_thresholds_to_core_keeps_every_row():
    old_apps = migrate(BEFORE_THRESHOLDS)
    OldThreshold = old_apps.get_model("agenda", "Threshold")
    OldThreshold.objects.create(
        code="inactive_days", value=45, effective_from=dt.date(2026, 7, 1), source="县公司通知"
    )
    OldThreshold.objects.create(
        code="dues_missed_months", value=4, effective_from=dt.date(2026, 9, 1), source="党委决定"
    )
    fields = ("pk", "code", "value", "effective_from", "source")
    before = set(OldThreshold.objects.values_list(*fields))
    # The two just added, and the seeded rules unless a browser test's flush took them (the
    # order of a parallel run decides): every row there is must come through.
    assert len(before) >= 2

    new_apps = migrate(latest())

    Threshold = new_apps.get_model("core", "Threshold")
    assert set(Threshold.objects.values_list(*fields)) == before
    assert Threshold._meta.db_table == "core_threshold"
    assert "agenda_threshold" not in connection.introspection.table_names()
