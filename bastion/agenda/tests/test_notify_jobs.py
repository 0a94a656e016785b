"""The daily job and the ``agenda_daily`` command cron runs."""

import datetime as dt
import json
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from bastion.agenda.jobs import daily_agenda, years_to_generate
from bastion.agenda.models import Obligation
from bastion.core.notifications.models import Notification


@pytest.fixture
def mailbox(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.BASTION_WEBHOOK_URL = ""


def obligation_years():
    return set(Obligation.objects.values_list("period_start__year", flat=True))


def test_the_job_generates_the_year_and_sends_the_digests(personas, mailbox):
    personas.secretary_a.email = "secretary_a@example.cn"
    personas.secretary_a.save()

    result = daily_agenda.call("2025-03-21")

    assert obligation_years() == {2025}
    assert result["generated"]["2025"]["created"] > 0
    assert result["digests"]["created"] == 4
    assert json.loads(json.dumps(result)) == result  # a task result must be JSON
    assert [m.to for m in mail.outbox] == [["secretary_a@example.cn"]]


def test_from_december_the_job_also_generates_next_year(personas, mailbox):
    daily_agenda.call("2025-12-01")

    assert obligation_years() == {2025, 2026}
    assert years_to_generate(dt.date(2025, 11, 30)) == [2025]


def test_the_job_run_twice_a_day_creates_no_second_digest(personas, mailbox):
    daily_agenda.call("2025-03-21")
    first = Notification.objects.count()  # the digests and the day's alarms
    again = daily_agenda.call("2025-03-21")

    assert again["digests"]["created"] == 0
    assert again["generated"]["2025"]["created"] == 0
    assert again["jobs"]["bastion.agenda.services.alarms.agenda_alarms_handle"] == {
        "terms": 0,
        "dues": 0,
    }
    assert Notification.objects.count() == first
    assert Notification.objects.filter(digest_on__isnull=False).count() == 4


def test_the_command_runs_inline_with_now(personas, mailbox):
    out = StringIO()

    call_command("agenda_daily", "--now", "--date", "2025-03-21", stdout=out)

    assert json.loads(out.getvalue())["digests"]["day"] == "2025-03-21"
    assert Notification.objects.filter(digest_on=dt.date(2025, 3, 21)).count() == 4


def test_the_command_queues_the_job_by_default(personas, mailbox):
    out = StringIO()

    call_command("agenda_daily", "--date", "2025-03-21", stdout=out)  # immediate backend in tests

    assert "已加入任务队列" in out.getvalue()
    assert Notification.objects.filter(digest_on=dt.date(2025, 3, 21)).count() == 4


def test_the_command_rejects_a_bad_date_in_chinese(db):
    with pytest.raises(CommandError, match="日期格式不正确"):
        call_command("agenda_daily", "--now", "--date", "2025-13-01")
