"""Sending the daily digests: once per person and day, by e-mail and to a chat robot."""

import json
import logging
import smtplib
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest
from django.core import mail
from django.core.mail.backends import locmem

from bastion.agenda.services.notify import notify_meeting_returned
from bastion.core.notifications import digest
from bastion.core.notifications.channels import digest_markdown, webhook_payload
from bastion.core.notifications.digest import send_daily_digests
from bastion.core.notifications.models import Notification

from .notify_scenario import TODAY, build_scenario, submitted_meeting

pytestmark = pytest.mark.usefixtures("month_end_calendar")  # written in month ends, see conftest

ACTING = {"p_company", "p_county", "p_secretary_a", "p_secretary_b"}


class RefusingBackend(locmem.EmailBackend):
    """Delivers like locmem, except to addresses with "broken" in them; counts closes."""

    closes = 0

    def close(self):
        type(self).closes += 1

    def send_messages(self, messages):
        for message in messages:
            if any("broken" in address for address in message.to):
                raise smtplib.SMTPRecipientsRefused({message.to[0]: (550, b"no such user")})
        return super().send_messages(messages)


@pytest.fixture
def scenario(tree, personas, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.BASTION_WEBHOOK_URL = ""
    build_scenario(tree)
    for user, email in (
        (personas.company, "company@example.cn"),
        (personas.county, "county@example.cn"),
        (personas.secretary_a, "secretary_a@example.cn"),
    ):  # secretary_b has no address
        user.email = email
        user.save()
    return tree


@pytest.fixture
def robot():
    """A chat robot on 127.0.0.1 that records what it receives."""
    received, answer = [], {"body": b'{"errcode": 0, "errmsg": "ok"}'}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            raw = self.rfile.read(int(self.headers["Content-Length"]))
            received.append(
                {"path": self.path, "type": self.headers["Content-Type"], "body": json.loads(raw)}
            )
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(answer["body"])

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}/cgi-bin/webhook/send?key=test"
    yield SimpleNamespace(url=url, received=received, answer=answer)
    server.shutdown()
    server.server_close()
    thread.join(5)


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/robot"


def test_each_person_gets_one_digest_and_one_email(scenario, personas):
    run = send_daily_digests(TODAY)

    assert (run.created, run.emailed, run.posted, run.failures) == (4, 3, 0, [])
    digests = Notification.objects.filter(digest_on=TODAY).select_related("recipient")
    assert {n.recipient.username for n in digests} == ACTING
    assert sorted(m.to[0] for m in mail.outbox) == [
        "company@example.cn",
        "county@example.cn",
        "secretary_a@example.cn",
    ]
    by_user = {n.recipient.username: n for n in digests}
    assert by_user["p_secretary_b"].emailed_at is None  # no address
    assert all(by_user[u].emailed_at for u in ("p_company", "p_county", "p_secretary_a"))
    assert by_user["p_secretary_a"].level == "red"
    assert by_user["p_secretary_a"].body == "红色告警 2 项，黄色提醒 1 项，今日绿色通知 1 项"


def test_the_email_has_plain_text_and_html_with_the_items(scenario, personas, settings):
    settings.BASTION_SITE_URL = "https://bastion.example.cn/"
    send_daily_digests(TODAY)

    message = next(m for m in mail.outbox if m.to == ["secretary_a@example.cn"])
    assert message.subject == "每日工作提醒（2025-03-21）"
    assert "支委会（2025-01）" in message.body and "已逾期 49 天" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert "支部党员大会（2025Q1）" in html
    assert f'href="https://bastion.example.cn/agenda/board/?org={scenario.station_a1.pk}"' in html
    note = Notification.objects.get(recipient=personas.secretary_a)
    assert f"https://bastion.example.cn/inbox/{note.pk}/" in message.body


def test_a_second_run_the_same_day_creates_and_sends_nothing(scenario, robot, settings):
    settings.BASTION_WEBHOOK_URL = robot.url
    send_daily_digests(TODAY)
    sent, posted = len(mail.outbox), len(robot.received)

    run = send_daily_digests(TODAY)

    assert (run.created, run.emailed, run.posted) == (0, 0, 0)
    assert (len(mail.outbox), len(robot.received)) == (sent, posted) == (3, 4)
    assert Notification.objects.filter(digest_on=TODAY).count() == 4


def test_the_webhook_gets_one_markdown_message_per_person(scenario, personas, robot, settings):
    settings.BASTION_WEBHOOK_URL = robot.url

    run = send_daily_digests(TODAY)

    assert run.posted == 4 and not run.failures
    assert {r["path"] for r in robot.received} == {"/cgi-bin/webhook/send?key=test"}
    assert robot.received[0]["type"] == "application/json; charset=utf-8"
    bodies = [r["body"] for r in robot.received]
    assert all(set(b) == {"msgtype", "markdown"} and b["msgtype"] == "markdown" for b in bodies)
    content = next(b["markdown"]["content"] for b in bodies if "p_secretary_a" in str(b))
    assert content.startswith("### 每日工作提醒（2025-03-21）")
    assert "A1供电所党支部：支委会（2025-01），2025-01-31，已逾期 49 天" in content
    assert "B1" not in content
    assert Notification.objects.filter(digest_on=TODAY, webhook_at__isnull=True).count() == 0


def test_a_dead_webhook_still_sends_email_and_records_the_failure(
    scenario, robot, settings, caplog
):
    settings.BASTION_WEBHOOK_URL = closed_port_url()
    settings.BASTION_WEBHOOK_TIMEOUT = 2

    with caplog.at_level(logging.WARNING, logger="bastion.core.notifications.delivery"):
        run = send_daily_digests(TODAY)

    assert (run.created, run.emailed, run.posted) == (4, 3, 0)
    assert len(mail.outbox) == 3
    assert len(run.failures) == 4 and all(": webhook: " in f for f in run.failures)
    assert Notification.objects.filter(webhook_at__isnull=False).count() == 0
    assert sum("webhook" in record.getMessage() for record in caplog.records) == 4

    settings.BASTION_WEBHOOK_URL = robot.url  # the robot is back: only the webhook is retried
    retry = send_daily_digests(TODAY)
    assert (retry.created, retry.emailed, retry.posted) == (0, 0, 4)
    assert len(mail.outbox) == 3


def test_a_robot_that_answers_an_error_code_is_a_failure(scenario, robot, settings):
    settings.BASTION_WEBHOOK_URL = robot.url
    robot.answer["body"] = b'{"errcode": 93000, "errmsg": "invalid webhook url"}'

    run = send_daily_digests(TODAY)

    assert run.posted == 0 and len(run.failures) == 4 and "93000" in run.failures[0]
    assert Notification.objects.filter(webhook_at__isnull=False).count() == 0


def test_one_refused_address_does_not_stop_the_others(scenario, personas, robot, settings):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    RefusingBackend.closes = 0
    settings.BASTION_WEBHOOK_URL = robot.url
    personas.secretary_a.email = "broken@example.cn"
    personas.secretary_a.save()

    run = send_daily_digests(TODAY)

    assert (run.emailed, run.posted) == (2, 4)
    assert RefusingBackend.closes == 2  # after the refusal (a fresh session next) and at the end
    assert run.failures == ["p_secretary_a: email: {'broken@example.cn': (550, b'no such user')}"]
    note = Notification.objects.get(recipient=personas.secretary_a)
    assert note.emailed_at is None and note.webhook_at is not None


def test_one_persons_broken_digest_does_not_stop_the_others(scenario, personas, monkeypatch):
    real = digest.build_digest

    def flaky(user, today):
        if user.username == "p_county":
            raise RuntimeError("boom")
        return real(user, today)

    monkeypatch.setattr(digest, "build_digest", flaky)
    run = send_daily_digests(TODAY)

    assert run.created == 3 and run.failures == ["p_county: digest: boom"]
    assert not Notification.objects.filter(recipient=personas.county).exists()


def test_the_robot_message_is_cut_to_its_size_limit(scenario, personas, settings):
    send_daily_digests(TODAY)
    note = Notification.objects.get(recipient=personas.company)

    content = digest_markdown(note, max_bytes=400)

    assert len(content.encode("utf-8")) <= 400
    assert "另有" in content and "行未显示" in content
    assert content.rstrip().endswith(f"/inbox/{note.pk}/)")
    assert "另有" not in digest_markdown(note, max_bytes=4000)


def test_dingtalk_robots_get_their_own_payload_shape(scenario, personas, settings):
    settings.BASTION_WEBHOOK_KIND = "dingtalk"
    send_daily_digests(TODAY)
    note = Notification.objects.get(recipient=personas.secretary_b)

    payload = webhook_payload(note)

    assert payload["msgtype"] == "markdown"
    assert payload["markdown"]["title"] == note.title
    assert "B1供电所党支部" in payload["markdown"]["text"]


def test_a_returned_meeting_tells_its_recorder_why(scenario, personas):
    meeting = submitted_meeting(
        scenario.station_a1,
        "三月支委会",
        status="returned",
        recorded_by=personas.secretary_a,
        review_note="缺少签到表",
    )

    note = notify_meeting_returned(meeting)

    assert (note.recipient, note.level, note.digest_on) == (personas.secretary_a, "info", None)
    assert note.title == "会议记录被退回：三月支委会"
    assert note.body == "原因：缺少签到表"
    assert note.url
    assert mail.outbox == []
    orphan = submitted_meeting(scenario.station_a1, "无记录人", status="returned")
    assert notify_meeting_returned(orphan) is None


def test_a_returned_meeting_does_not_block_that_days_digest(scenario, personas):
    meeting = submitted_meeting(scenario.station_a1, "三月支委会", recorded_by=personas.secretary_a)
    notify_meeting_returned(meeting)

    run = send_daily_digests(TODAY)

    assert run.created == 4
    assert Notification.objects.filter(recipient=personas.secretary_a).count() == 2
