"""Task events reach the people who must act: one message per person and event."""

import pytest
from django.urls import reverse
from django.utils import timezone

from bastion.core.notifications.models import Notification, NotificationSubject
from bastion.core.notifications.services import notification_mark_read
from bastion.orgs.tests.factories import UserFactory, grant
from bastion.tasks.services import flow
from bastion.tasks.services.notify import (
    EVENT_ACCEPTED,
    EVENT_DISPATCHED,
    EVENT_DUE_SOON,
    EVENT_RETURNED,
    task_remind_due,
)

from .progress_helpers import make_task

pytestmark = pytest.mark.django_db


def inbox(event, **filters):
    return Notification.objects.filter(event=event, **filters)


def dispatched(user):
    return inbox(EVENT_DISPATCHED, recipient=user)


def orgs_listed(note):
    return [line["org"] for line in note.items[0]["lines"]]


def test_a_dispatch_tells_each_answerer_once_listing_what_they_answer_for(personas, tree):
    task = make_task(tree.company, personas.company, title="报送党员培训情况")
    stations = [tree.station_a1, tree.station_a2, tree.station_b1]

    flow.task_dispatch(task=task, actor=personas.company, recipients=[s.pk for s in stations])

    [county] = dispatched(personas.county)
    assert orgs_listed(county) == [tree.station_a1.name, tree.station_a2.name]
    assert county.title == "新工作单：报送党员培训情况"
    assert "请为以下 2 个组织办理并反馈" in county.body
    assert county.url == reverse("tasks:assignment_inbox")
    assert county.actor == personas.company and county.read_at is None
    [secretary] = dispatched(personas.secretary_a)
    assert orgs_listed(secretary) == [tree.station_a1.name]
    a1 = task.assignments.get(organization=tree.station_a1)
    assert secretary.url == a1.get_absolute_url()
    assert orgs_listed(dispatched(personas.secretary_b).get()) == [tree.station_b1.name]
    # the issuer's side and people without the answering permission are not told
    assert not dispatched(personas.company).exists()
    assert not dispatched(personas.member).exists()
    subjects = NotificationSubject.objects.filter(notification=county)
    assert {s.object_id for s in subjects} == set(
        task.assignments.filter(organization__in=stations[:2]).values_list("pk", flat=True)
    )


def test_a_second_dispatch_tells_only_people_not_told_yet(personas, tree):
    task = make_task(tree.company, personas.company)
    flow.task_dispatch(task=task, actor=personas.company, recipients=[tree.station_a1.pk])
    newcomer = UserFactory(username="p_newcomer")
    grant(newcomer, "branch_secretary", tree.station_b1)

    flow.task_dispatch(
        task=task, actor=personas.company, recipients=[tree.station_a2.pk, tree.station_b1.pk]
    )

    assert dispatched(personas.county).count() == 1
    assert dispatched(personas.secretary_a).count() == 1
    assert orgs_listed(dispatched(newcomer).get()) == [tree.station_b1.name]


def test_passing_down_tells_the_answerers_below_not_the_passer(personas, tree):
    leader = UserFactory(username="p_group_leader")
    grant(leader, "branch_secretary", tree.group_a1)
    task = make_task(tree.county_a, personas.county)
    flow.task_dispatch(task=task, actor=personas.county, recipients=[tree.station_a1.pk])
    assignment = task.assignments.get()

    child = flow.assignment_pass_down(
        assignment=assignment, actor=personas.secretary_a, recipients=[tree.group_a1.pk]
    )

    [note] = dispatched(leader)
    assert orgs_listed(note) == [tree.group_a1.name]
    assert note.dedupe_key == f"{EVENT_DISPATCHED}:{child.pk}"
    assert dispatched(personas.secretary_a).count() == 1  # the parent sheet's message only


def test_a_returned_answer_tells_its_answerers_why(personas, tree):
    task = make_task(tree.company, personas.company)
    flow.task_dispatch(task=task, actor=personas.company, recipients=[tree.station_a1.pk])
    assignment = task.assignments.get()
    flow.assignment_submit(assignment=assignment, actor=personas.secretary_a, feedback="已完成")

    flow.assignment_return(assignment=assignment, actor=personas.company, reason="请补充照片")

    notes = inbox(EVENT_RETURNED)
    assert set(notes.values_list("recipient_id", flat=True)) == {
        personas.secretary_a.pk,
        personas.county.pk,
    }
    note = notes.get(recipient=personas.secretary_a)
    assert note.body == "原因：请补充照片" and note.level == "yellow"
    assert note.url == assignment.get_absolute_url()


def test_an_accepted_answer_is_told_once(personas, tree):
    task = make_task(tree.company, personas.company, title="统计党员人数")
    flow.task_dispatch(task=task, actor=personas.company, recipients=[tree.station_b1.pk])
    assignment = task.assignments.get()
    flow.assignment_submit(assignment=assignment, actor=personas.secretary_b, feedback="已完成")

    flow.assignment_accept(assignment=assignment, actor=personas.company)

    [note] = inbox(EVENT_ACCEPTED)
    assert note.recipient == personas.secretary_b
    assert note.title == "工作单反馈已采纳：统计党员人数"
    assert note.level == "green"


def test_a_reminder_before_the_deadline_goes_to_who_has_not_answered(personas, tree):
    task = make_task(tree.company, personas.company, due_in=3)
    flow.task_dispatch(
        task=task, actor=personas.company, recipients=[tree.station_a1.pk, tree.station_b1.pk]
    )
    flow.assignment_submit(
        assignment=task.assignments.get(organization=tree.station_b1), actor=personas.secretary_b
    )

    assert task_remind_due(actor=personas.company, task=task) == 1
    notes = inbox(EVENT_DUE_SOON)
    assert set(notes.values_list("recipient_id", flat=True)) == {
        personas.secretary_a.pk,
        personas.county.pk,
    }
    note = notes.get(recipient=personas.secretary_a)
    assert note.title == f"提醒：{task.title}" and "还剩 3 天" in note.body
    assert task.assignments.get(organization=tree.station_a1).reminded_at is not None

    assert task_remind_due(actor=personas.company, task=task) == 1  # stamped again …
    assert inbox(EVENT_DUE_SOON).count() == 2  # … but nobody is told twice a day


def test_only_the_issuer_side_may_send_the_reminder(personas, tree):
    from django.core.exceptions import PermissionDenied

    task = make_task(tree.company, personas.company)
    flow.task_dispatch(task=task, actor=personas.company, recipients=[tree.station_a1.pk])
    with pytest.raises(PermissionDenied):
        task_remind_due(actor=personas.secretary_b, task=task)


def test_the_progress_page_shows_who_read_the_dispatch(client, personas, tree):
    task = make_task(tree.company, personas.company)
    recipients = [tree.station_a1, tree.station_b1, tree.county_b]
    flow.task_dispatch(task=task, actor=personas.company, recipients=[o.pk for o in recipients])
    note = dispatched(personas.secretary_a).get()
    notification_mark_read(actor=personas.secretary_a, notification=note)
    note.refresh_from_db()
    client.force_login(personas.company)

    page = client.get(reverse("tasks:progress", args=[task.pk]))

    rows = {row.organization_id: row.receipt for row in page.context["page"]}
    assert rows[tree.station_a1.pk].read == 1  # secretary_a read it; the county did not
    assert rows[tree.station_a1.pk].told == 2
    assert rows[tree.station_a1.pk].first_read_at == note.read_at
    assert rows[tree.station_b1.pk].read == 0
    assert rows[tree.county_b.pk] is None  # nobody answers for county_b
    html = page.content.decode()
    assert html.count('data-testid="receipt"') == 3
    assert "已读" in html and "未读" in html
    local = timezone.localtime(note.read_at)
    assert local.strftime("%Y-%m-%d %H:%M") in html


def test_the_nudge_button_reminds_before_the_deadline(client, personas, tree):
    task = make_task(tree.company, personas.company)
    flow.task_dispatch(task=task, actor=personas.company, recipients=[tree.station_a1.pk])
    client.force_login(personas.company)
    url = reverse("tasks:progress", args=[task.pk])
    assert 'data-testid="nudge-button"' in client.get(url).content.decode()

    response = client.post(
        reverse("tasks:progress_remind", args=[task.pk]), {"kind": "due"}, follow=True
    )

    assert "已向 1 个未反馈组织发送提醒" in response.content.decode()
    assert inbox(EVENT_DUE_SOON, recipient=personas.secretary_a).exists()
