"""Every background job once with two workers (issue 15, "scale out"): nothing is sent twice.

Two task workers each claim a queued job with ``SELECT … FOR UPDATE SKIP LOCKED`` (SQLite: an
exclusive transaction), so a queued job runs once; but cron on two machines queues the daily run
twice, and a job may be delivered again. What keeps each message single is the database: unique
keys on messages and digests, and a claim (a conditional ``UPDATE``, or a locked re-read) before
each e-mail, robot post, escalation, import commit and bulletin. These tests run two workers at
once on real connections (threads, each with its own), and replay the worst interleavings
deterministically: a second run starting in the middle of the first one's send.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from bastion.agenda.jobs import daily_agenda
from bastion.core import jobs as import_jobs
from bastion.core.jobs import commit_import_job, import_job_create
from bastion.core.models import ImportJob
from bastion.core.notifications import delivery, digest
from bastion.core.notifications.digest import send_daily_digests
from bastion.core.notifications.models import Notification
from bastion.core.notifications.services import notification_send
from bastion.core.testing_seeds import seed_default_roles
from bastion.orgs.models import Person
from bastion.problems import jobs as bulletin_jobs
from bastion.problems.models import Bulletin, BulletinStatus, Problem, ProblemEvent
from bastion.problems.services.notify import EVENT_ESCALATED, EVENT_OVERDUE
from bastion.problems.services.overdue import _escalate
from bastion.problems.tests.helpers import make_problem

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def migrated_roles(transactional_db):
    """An earlier transactional test on this worker may have flushed the roles, rules and
    thresholds the migrations seeded: they are replayed first. (No serialized rollback: its
    reload collides with the content types a plain flush re-creates.)"""
    seed_default_roles()


@pytest.fixture
def robot(settings):
    """A chat robot that answers success and keeps every body it got."""
    received: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - the http.server API
            received.append(self.rfile.read(int(self.headers["Content-Length"])).decode())
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b'{"errcode": 0}')

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.BASTION_WEBHOOK_URL = f"http://127.0.0.1:{server.server_port}/robot"
    yield received
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture
def outside(settings, personas, robot):
    """Everyone has an address; mail goes to the locmem outbox, robot posts to ``robot``."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    for user in vars(personas).values():
        user.email = f"{user.username}@example.cn"
        user.save(update_fields=["email"])
    return robot


def at_once(*calls):
    """Run ``calls`` in threads released together, each on its own database connection (two
    workers); their results, or the first error raised.

    On SQLite the threads take turns: the test database is one in-memory database shared
    between connections, where a second writer fails at once ("table is locked") instead of
    waiting. A site on SQLite is one machine whose writes take turns anyway (IMMEDIATE
    transactions); the interleavings that matter there are replayed by the mid-send tests below.
    """
    if connection.vendor == "sqlite":
        return [result for call in calls for result in in_threads([call])]
    return in_threads(calls)


def in_threads(calls) -> list:
    start = threading.Barrier(len(calls))
    results: list = [None] * len(calls)
    errors: list[BaseException] = []

    def run(n, call):
        try:
            start.wait(10)
            results[n] = call()
        except BaseException as error:  # noqa: BLE001 - re-raised in the test's thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n, call)) for n, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    if errors:
        raise errors[0]
    return results


def overdue(actor, org, days: int, **extra) -> Problem:
    today = timezone.localdate()
    found = today - dt.timedelta(days=days + 10)
    return make_problem(
        actor, org, found_on=found, deadline=today - dt.timedelta(days=days), **extra
    )


def assert_each_sent_once(robot, since=None):
    """Every e-mail and robot post (since ``since``) went out once: none twice to the same
    person about the same thing, and as many as the messages' stamps say were sent."""
    since = since or dt.datetime.min.replace(tzinfo=dt.UTC)
    sent = Counter((tuple(m.to), m.subject) for m in mail.outbox)
    assert [key for key, n in sent.items() if n > 1] == []
    assert len(mail.outbox) == Notification.objects.filter(emailed_at__gte=since).count()
    notes = Notification.objects.filter(webhook_at__gte=since)
    posts = notes.filter(digest_on__isnull=False).count()
    posts += notes.filter(digest_on__isnull=True).values("webhook_at").distinct().count()
    assert len(robot) == posts
    assert [body for body, n in Counter(robot).items() if n > 1] == []


def test_two_workers_running_the_daily_run_at_once_tell_each_person_once(tree, personas, outside):
    problem = overdue(personas.company, tree.station_a1, days=35)  # escalates today
    overdue(personas.company, tree.station_a1, days=5, description="未公示")
    mail.outbox.clear()
    outside.clear()
    since = timezone.now()
    today = timezone.localdate().isoformat()

    first, second = at_once(lambda: daily_agenda.call(today), lambda: daily_agenda.call(today))

    digests = Notification.objects.filter(digest_on=timezone.localdate())
    assert digests.count() > 0
    assert first["digests"]["created"] + second["digests"]["created"] == digests.count()
    assert Counter(digests.values_list("recipient_id", flat=True)).most_common(1)[0][1] == 1
    assert Notification.objects.filter(event=EVENT_OVERDUE).count() == 2  # one secretary, twice
    assert Notification.objects.filter(event=EVENT_ESCALATED).count() == 1
    assert ProblemEvent.objects.filter(problem=problem, reason__startswith="逾期").count() == 1
    assert (
        len([m for m in mail.outbox if "每日工作提醒" in m.subject])
        == digests.filter(recipient__email__gt="").count()
    )
    assert_each_sent_once(outside, since)


def create_digests_only(monkeypatch, day):
    """The day's digests stored, none delivered (as a run that died after creating them)."""
    with monkeypatch.context() as paused:
        paused.setattr(digest, "deliver_each", lambda notifications, run: None)
        send_daily_digests(day)


def test_two_workers_delivering_the_same_days_digests_send_each_once(
    tree, personas, outside, monkeypatch
):
    overdue(personas.company, tree.station_a1, days=5)
    day = timezone.localdate()
    create_digests_only(monkeypatch, day)
    assert Notification.objects.filter(digest_on=day, emailed_at__isnull=False).count() == 0
    assert Notification.objects.filter(digest_on=day).count() > 1
    mail.outbox.clear()  # the problem's own message, sent when it was filed
    outside.clear()
    since = timezone.now()

    first, second = at_once(lambda: send_daily_digests(day), lambda: send_daily_digests(day))

    digests = Notification.objects.filter(digest_on=day)
    assert first.emailed + second.emailed == len(mail.outbox) == digests.count()
    assert first.posted + second.posted == len(outside) == digests.count()
    assert_each_sent_once(outside, since)


def test_a_second_run_starting_mid_send_sends_nothing_twice(tree, personas, outside, monkeypatch):
    """The first run has claimed a digest's e-mail and is sending it when another worker runs
    the whole day: that one sends the rest, and the first sends nothing the other did."""
    overdue(personas.company, tree.station_a1, days=5)
    day = timezone.localdate()
    create_digests_only(monkeypatch, day)
    real_send, nested = delivery.MailSession.send, []

    def send(session, note):
        if not nested:
            nested.append(None)
            nested[0] = send_daily_digests(day)  # the other worker, start to finish
        return real_send(session, note)

    monkeypatch.setattr(delivery.MailSession, "send", send)
    first = send_daily_digests(day)

    digests = Notification.objects.filter(digest_on=day).count()
    assert first.emailed == 1 and nested[0].emailed == digests - 1
    assert first.posted + nested[0].posted == digests
    assert_each_sent_once(outside)


def test_an_events_robot_message_is_posted_once_by_two_deliveries(personas, outside, monkeypatch):
    notes = notification_send(
        actor=None,
        recipients=[personas.member, personas.county],
        event="tests.event",
        title="新工作单",
        channels=(),
    )
    ids = [note.pk for note in notes]
    real_post, nested = delivery.post_webhook, []

    def post(url, payload, timeout=None):
        if not nested:  # the same event delivered again while this post is under way
            nested.append(None)
            nested[0] = delivery.deliver_event(ids, email=True, webhook=True)
        real_post(url, payload, timeout)

    monkeypatch.setattr(delivery, "post_webhook", post)
    first = delivery.deliver_event(ids, email=True, webhook=True)

    assert first.posted + nested[0].posted == 1 == len(outside)
    assert first.emailed + nested[0].emailed == 2 == len(mail.outbox)
    assert_each_sent_once(outside)


def test_an_escalation_read_by_two_runs_happens_once(tree, personas):
    problem = overdue(personas.company, tree.station_a1, days=35)
    mine, theirs = (Problem.objects.select_related("owner").get(pk=problem.pk) for _ in "ab")
    today = timezone.localdate()

    assert _escalate(theirs, today, days=35) == 1
    assert _escalate(mine, today, days=35) == 0  # read before the other run's step: stale

    assert ProblemEvent.objects.filter(problem=problem, reason__startswith="逾期").count() == 1
    assert Notification.objects.filter(event=EVENT_ESCALATED).count() == 1
    problem.refresh_from_db()
    assert problem.owner == tree.county_a


def test_an_import_commit_delivered_twice_writes_once(personas, monkeypatch):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from bastion.orgs.tests.test_excel_people import row, workbook

    upload = SimpleUploadedFile(
        "名册.xlsx", workbook([row(工号="N1"), row(姓名="赵七", 工号="N2")])
    )
    job = import_job_create(actor=personas.secretary_a, kind="people", uploaded_file=upload)
    assert job.status == ImportJob.Status.READY
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.QUEUED, stage=ImportJob.Stage.COMMIT, attempt=job.attempt + 1
    )
    job.refresh_from_db()
    people = Person.objects.count()
    real_run, again = import_jobs._run, []

    def run(job_id, *, dry_run):
        if not again:  # the same queued run, picked up again while this one imports
            again.append(None)
            again[0] = commit_import_job.call(job.pk, job.attempt)
        return real_run(job_id, dry_run=dry_run)

    monkeypatch.setattr(import_jobs, "_run", run)

    assert commit_import_job.call(job.pk, job.attempt) == ImportJob.Status.DONE
    assert again == ["superseded"]
    assert Person.objects.count() == people + 2


def test_a_bulletin_delivered_twice_is_generated_once(tree, personas, monkeypatch):
    bulletin = Bulletin.objects.create(
        organization=tree.county_a, quarter="2025Q1", created_by=personas.company
    )
    real_data, again = bulletin_jobs.bulletin_data, []

    def data(organization, quarter):
        if not again:
            again.append(None)
            again[0] = bulletin_jobs.generate_bulletin.call(bulletin.pk)
        return real_data(organization, quarter)

    monkeypatch.setattr(bulletin_jobs, "bulletin_data", data)

    assert bulletin_jobs.generate_bulletin.call(bulletin.pk) == BulletinStatus.DONE
    assert again == ["skipped"]
    bulletin.refresh_from_db()
    assert bulletin.status == BulletinStatus.DONE and bulletin.docx.name.endswith(".docx")
    # A run that comes after the bulletin was given up (failed) does not bring it back.
    expired = Bulletin.objects.create(
        organization=tree.county_a,
        quarter="2025Q1",
        created_by=personas.company,
        status=BulletinStatus.FAILED,
    )
    assert bulletin_jobs.generate_bulletin.call(expired.pk) == "skipped"
