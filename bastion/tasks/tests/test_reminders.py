"""一键催办: one notification per responsible person, for late recipients only, once a day."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from bastion.core.notifications.models import Notification
from bastion.orgs.tests.factories import UserFactory, grant
from bastion.tasks.models import Assignment
from bastion.tasks.services import flow
from bastion.tasks.services.notify import late_reminders_send

from .progress_helpers import crafted_fixture, make_task  # noqa: F401

pytestmark = pytest.mark.django_db


def reminders(task):
    return Notification.objects.filter(title=f"催办：{task.title}")


def test_remind_notifies_each_responsible_person_once(crafted, personas, tree):
    count = flow.task_remind_late(task=crafted.task, actor=personas.company)
    assert count == 3  # county_a (unread), county_b (read), station_b1 (returned)
    notes = {n.recipient_id: n for n in reminders(crafted.task)}
    # county_a's committee answers for county_a; secretary_b for station_b1. Nobody holds a
    # grant on county_b. secretary_a's station answered; the company is the issuer's side.
    assert set(notes) == {personas.county.pk, personas.secretary_b.pk}
    county = notes[personas.county.pk]
    assert county.level == "yellow"
    assert county.read_at is None and county.digest_on is None
    [section] = county.items
    assert section["task"] == crafted.task.pk
    assert [line["org"] for line in section["lines"]] == [tree.county_a.name]
    assert section["lines"][0]["note"] == "已逾期 5 天"
    assert tree.county_a.name not in notes[personas.secretary_b.pk].body
    assert crafted.task.title in county.body
    assignment_page = reverse("tasks:assignment_detail", args=[crafted.assignment["county_a"].pk])
    assert county.url == section["lines"][0]["url"] == assignment_page
    stamped = Assignment.objects.filter(task=crafted.task, reminded_at__isnull=False)
    assert {a.organization_id for a in stamped} == {
        tree.county_a.pk,
        tree.county_b.pk,
        tree.station_b1.pk,
    }


def test_a_grant_above_several_late_recipients_gets_one_notification(crafted, personas, tree):
    """The county's committee answers for both its late stations: one message, two lines."""
    crafted_station = crafted.assignment["station_a1"]
    Assignment.objects.filter(pk=crafted_station.pk).update(state="read", submitted_at=None)
    Assignment.objects.filter(pk=crafted.assignment["station_a2"].pk).update(state="unread")
    late_reminders_send(task=crafted.task, now=timezone.now())
    [note] = reminders(crafted.task).filter(recipient=personas.county)
    orgs = [line["org"] for line in note.items[0]["lines"]]
    assert orgs == [tree.county_a.name, tree.station_a1.name, tree.station_a2.name]
    assert note.items[0]["total"] == 3
    [secretary] = reminders(crafted.task).filter(recipient=personas.secretary_a)
    assert [line["org"] for line in secretary.items[0]["lines"]] == [tree.station_a1.name]


def test_second_click_the_same_day_sends_nothing_new(crafted, personas):
    flow.task_remind_late(task=crafted.task, actor=personas.company)
    flow.task_remind_late(task=crafted.task, actor=personas.company)
    assert reminders(crafted.task).count() == 2
    # a new person responsible for a late recipient is still reminded
    newcomer = UserFactory(username="p_newcomer")
    grant(newcomer, "branch_secretary", crafted.assignment["station_b1"].organization)
    flow.task_remind_late(task=crafted.task, actor=personas.company)
    assert reminders(crafted.task).count() == 3


def test_the_next_day_reminds_again(crafted, personas):
    now = timezone.now()
    assert late_reminders_send(task=crafted.task, now=now) == 2
    assert late_reminders_send(task=crafted.task, now=now + dt.timedelta(days=1)) == 2
    assert reminders(crafted.task).count() == 4


def test_another_task_with_the_same_title_is_its_own_reminder(crafted, personas, tree):
    other = make_task(tree.company, personas.company, title=crafted.task.title)
    flow.task_dispatch(task=other, actor=personas.company, recipients=[tree.county_a.pk])
    other.due_on = crafted.task.due_on
    other.save(update_fields=["due_on"])
    flow.task_remind_late(task=crafted.task, actor=personas.company)
    flow.task_remind_late(task=other, actor=personas.company)
    assert reminders(crafted.task).filter(recipient=personas.county).count() == 2


def test_nobody_is_reminded_before_the_due_date(personas, tree):
    task = make_task(tree.company, personas.company)
    flow.task_dispatch(task=task, actor=personas.company, recipients=[tree.station_a1.pk])
    assert flow.task_remind_late(task=task, actor=personas.company) == 0
    assert not reminders(task).exists()


def test_an_inactive_account_is_not_reminded(crafted, personas):
    personas.secretary_b.is_active = False
    personas.secretary_b.save()
    flow.task_remind_late(task=crafted.task, actor=personas.company)
    assert set(reminders(crafted.task).values_list("recipient_id", flat=True)) == {
        personas.county.pk
    }


def test_the_button_says_how_many_were_reminded(client, crafted, personas, tree):
    client.force_login(personas.company)
    url = reverse("tasks:progress_remind", args=[crafted.task.pk])
    response = client.post(url, {"within": tree.county_a.pk}, follow=True)
    assert response.redirect_chain[-1][0].endswith(f"?within={tree.county_a.pk}")
    assert "已向 3 个逾期组织发送催办" in response.content.decode()


def test_the_button_without_late_recipients_says_so(client, personas, tree):
    task = make_task(tree.company, personas.company)
    flow.task_dispatch(task=task, actor=personas.company, recipients=[tree.station_a1.pk])
    client.force_login(personas.company)
    response = client.post(reverse("tasks:progress_remind", args=[task.pk]), follow=True)
    assert "当前没有逾期未反馈的组织" in response.content.decode()


def test_the_page_shows_the_button_and_the_reminded_time(client, crafted, personas):
    client.force_login(personas.company)
    url = reverse("tasks:progress", args=[crafted.task.pk])
    html = client.get(url).content.decode()
    assert 'data-testid="remind-button"' in html and "未催办" in html
    client.post(reverse("tasks:progress_remind", args=[crafted.task.pk]))
    assert "最近催办" in client.get(url).content.decode()


def test_a_closed_task_is_not_reminded(client, crafted, personas):
    crafted.task.status = "closed"
    crafted.task.save(update_fields=["status"])
    client.force_login(personas.company)
    page = client.get(reverse("tasks:progress", args=[crafted.task.pk]))
    assert not page.context["can_remind"]
    response = client.post(reverse("tasks:progress_remind", args=[crafted.task.pk]), follow=True)
    assert "不能催办" in response.content.decode()
    assert late_reminders_send(task=crafted.task, now=timezone.now()) == 0
    assert not reminders(crafted.task).exists()
    assert not Assignment.objects.filter(task=crafted.task, reminded_at__isnull=False).exists()
