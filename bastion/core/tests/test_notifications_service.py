"""The one notification service: one message per person and event, in bulk, then channels."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bastion.core.notifications.models import Notification, NotificationSubject
from bastion.core.notifications.selectors import receipts
from bastion.core.notifications.services import (
    Recipient,
    notification_mark_read,
    notification_send,
    notifications_mark_all_read,
    notifications_muted,
)
from bastion.orgs.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def send(recipients, **fields):
    fields.setdefault("actor", None)
    fields.setdefault("event", "tests.happened")
    fields.setdefault("title", "发生了一件事")
    fields.setdefault("channels", ())
    return notification_send(recipients=recipients, **fields)


def test_each_person_gets_one_message_even_when_named_twice(personas):
    notes = send([personas.member, personas.member.pk, personas.county])

    assert len(notes) == 2
    assert sorted(Notification.objects.values_list("recipient__username", flat=True)) == [
        "p_county",
        "p_member",
    ]


def test_the_same_key_never_reaches_the_same_person_twice(personas):
    send([personas.member], dedupe_key="tests.happened:1")
    again = send([personas.member, personas.county], dedupe_key="tests.happened:1")

    assert [note.recipient_id for note in again] == [personas.county.pk]
    assert Notification.objects.filter(recipient=personas.member).count() == 1
    send([personas.member], dedupe_key="tests.happened:2")
    assert Notification.objects.filter(recipient=personas.member).count() == 2


def test_inactive_accounts_get_nothing(personas):
    personas.member.is_active = False
    personas.member.save()

    notes = send([personas.member, personas.member.pk, personas.county.pk])

    assert [note.recipient_id for note in notes] == [personas.county.pk]


def test_a_recipient_carries_their_own_content_and_subjects(personas, tree):
    own = Recipient(
        personas.secretary_a.pk, body="只给A1", items=[{"title": "A1"}], subjects=[tree.station_a1]
    )
    notes = send(
        [personas.county, own], body="通用内容", url="/somewhere/", subjects=[("tests.thing", 7)]
    )

    by_user = {note.recipient_id: note for note in notes}
    assert by_user[personas.county.pk].body == "通用内容"
    assert by_user[personas.secretary_a.pk].body == "只给A1"
    assert by_user[personas.secretary_a.pk].items == [{"title": "A1"}]
    assert by_user[personas.secretary_a.pk].url == "/somewhere/"
    subjects = set(
        NotificationSubject.objects.values_list("notification__recipient_id", "kind", "object_id")
    )
    assert subjects == {
        (personas.county.pk, "tests.thing", 7),
        (personas.secretary_a.pk, "tests.thing", 7),
        (personas.secretary_a.pk, "orgs.organization", tree.station_a1.pk),
    }


def test_sending_costs_the_same_queries_for_3_or_60_people(db, monkeypatch):
    monkeypatch.setattr(connection.features, "max_query_params", 32766)  # SQLite's real limit
    small = [UserFactory() for _ in range(3)]
    large = [UserFactory() for _ in range(60)]

    def queries(users, key):
        subjects = [("tests.thing", 1), ("tests.thing", 2)]
        with CaptureQueriesContext(connection) as ctx:
            send(users, dedupe_key=key, subjects=subjects)
        return len(ctx.captured_queries)

    assert queries(small, "a") == queries(large, "b")
    assert Notification.objects.count() == 63
    assert NotificationSubject.objects.count() == 126


def test_reading_marks_only_my_own_message_once(personas):
    [note] = send([personas.member])

    notification_mark_read(actor=personas.county, notification=note)
    note.refresh_from_db()
    assert note.read_at is None
    notification_mark_read(actor=personas.member, notification=note)
    note.refresh_from_db()
    first = note.read_at
    notification_mark_read(actor=personas.member, notification=note)
    note.refresh_from_db()
    assert first is not None and note.read_at == first


def test_mark_all_read_touches_only_mine(personas):
    send([personas.member, personas.county])
    send([personas.member])

    assert notifications_mark_all_read(actor=personas.member) == 2
    assert Notification.objects.filter(read_at__isnull=True).count() == 1


def test_receipts_count_who_was_told_and_who_read(personas):
    notes = send([personas.member, personas.county], subjects=[("tests.thing", 5)])
    send([personas.outsider], subjects=[("tests.thing", 6)], event="tests.other")
    [mine] = [note for note in notes if note.recipient_id == personas.member.pk]
    notification_mark_read(actor=personas.member, notification=mine)

    found = receipts(event="tests.happened", kind="tests.thing", object_ids=[5, 6])

    assert set(found) == {5}
    assert (found[5].told, found[5].read, found[5].all_read) == (2, 1, False)
    assert found[5].first_read_at is not None


def test_an_unknown_channel_is_refused(personas):
    with pytest.raises(ValueError):
        send([personas.member], channels=("fax",))


def test_email_goes_after_commit_to_each_person_with_an_address(
    personas, django_capture_on_commit_callbacks, settings
):
    settings.BASTION_WEBHOOK_URL = ""
    personas.member.email = "member@example.cn"
    personas.member.save()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        send([personas.member, personas.county], channels=("email",), body="请查收")
        assert mail.outbox == []  # nothing leaves before the write commits
    for callback in callbacks:
        callback()

    assert [message.to for message in mail.outbox] == [["member@example.cn"]]
    assert "请查收" in mail.outbox[0].body
    assert Notification.objects.get(recipient=personas.member).emailed_at is not None


def test_nothing_is_queued_when_the_inbox_is_all(personas, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        send([personas.member], channels=())
    assert callbacks == []


@pytest.fixture
def robot():
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b'{"errcode": 0}')

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/robot", received
    server.shutdown()
    server.server_close()
    thread.join(5)


def test_the_robot_gets_one_message_per_event_not_per_person(
    personas, robot, settings, django_capture_on_commit_callbacks
):
    url, received = robot
    settings.BASTION_WEBHOOK_URL = url

    with django_capture_on_commit_callbacks(execute=True):
        send(
            [personas.member, personas.county, personas.secretary_a],
            title="新工作单：报送材料",
            channels=("webhook",),
        )

    assert len(received) == 1
    content = received[0]["markdown"]["content"]
    assert content.startswith("### 新工作单：报送材料")
    assert "已通知 3 人" in content
    assert Notification.objects.filter(webhook_at__isnull=True).count() == 0


def test_history_recorded_while_muted_tells_nobody(personas):
    with notifications_muted():
        assert send([personas.member, personas.county]) == []
    assert not Notification.objects.exists()
    assert len(send([personas.member])) == 1  # muting ends with the block
