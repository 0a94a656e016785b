"""催办 that cannot reach someone says so: recipients where no account holds a role that answers
the task are named on the page and in the API ("以下单位没有可接收催办的账号：…")."""

import pytest
from django.urls import reverse

from bastion.core.testing import login
from bastion.orgs.tests.factories import UserFactory, grant
from bastion.tasks.services import flow, notify

from .progress_helpers import crafted_fixture, move_due_date  # noqa: F401

pytestmark = pytest.mark.django_db


def test_selector_names_recipients_nobody_can_answer_for(crafted, tree):
    # Late: county_a (its committee answers), county_b (nobody), station_b1 (secretary_b).
    late = flow.late_assignments(crafted.task)
    assert notify.unreachable_recipients(crafted.task, late) == [
        (tree.county_b.pk, tree.county_b.name)
    ]


def test_a_role_on_the_recipient_makes_it_reachable(crafted, tree):
    grant(UserFactory(username="p_county_b"), "county_committee", tree.county_b)
    late = flow.late_assignments(crafted.task)
    assert notify.unreachable_recipients(crafted.task, late) == []


def test_a_role_held_by_the_issuer_side_does_not_count(crafted, tree, personas):
    """The company (the issuer) covers county_b, but the issuer is never told of its own sheet."""
    late = flow.late_assignments(crafted.task).filter(organization=tree.county_b)
    assert notify.unreachable_recipients(crafted.task, late) == [
        (tree.county_b.pk, tree.county_b.name)
    ]


def test_an_inactive_account_does_not_count(crafted, tree):
    user = UserFactory(username="p_county_b_gone")
    grant(user, "county_committee", tree.county_b)
    user.is_active = False
    user.save(update_fields=["is_active"])
    late = flow.late_assignments(crafted.task)
    assert [name for _id, name in notify.unreachable_recipients(crafted.task, late)] == [
        tree.county_b.name
    ]


def test_page_remind_names_unreachable_recipients(client, crafted, personas, tree):
    client.force_login(personas.company)
    url = reverse("tasks:progress_remind", args=[crafted.task.pk])
    body = client.post(url, follow=True).content.decode()
    assert "已向 3 个逾期组织发送催办" in body
    assert f"以下单位没有可接收催办的账号：{tree.county_b.name}" in body
    assert tree.county_a.name + "。" not in body  # reachable ones are not listed


def test_page_nudge_before_deadline_names_unreachable_recipients(client, crafted, personas, tree):
    move_due_date(crafted.task, -3)  # due in three days: 一键提醒
    client.force_login(personas.company)
    url = reverse("tasks:progress_remind", args=[crafted.task.pk])
    body = client.post(url, {"kind": "due"}, follow=True).content.decode()
    assert "以下单位没有可接收催办的账号" in body
    assert tree.county_b.name in body


def test_page_says_nothing_when_everyone_is_reachable(client, crafted, personas, tree):
    grant(UserFactory(username="p_county_b"), "county_committee", tree.county_b)
    client.force_login(personas.company)
    url = reverse("tasks:progress_remind", args=[crafted.task.pk])
    body = client.post(url, follow=True).content.decode()
    assert "没有可接收催办的账号" not in body


def test_api_remind_reports_unreachable_recipients(client, crafted, personas, tree):
    login(client, personas.company)
    response = client.post(
        f"/api/v1/tasks/{crafted.task.pk}/remind/",
        {"kind": "late"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["reminded"] == 3
    assert body["unreachable"] == [{"id": tree.county_b.pk, "name": tree.county_b.name}]
    assert body["message"].startswith(f"以下单位没有可接收催办的账号：{tree.county_b.name}")


@pytest.mark.parametrize("persona, expected", [("secretary_a", 404), ("outsider", 404)])
def test_api_remind_outside_the_issuer_is_refused(client, crafted, personas, persona, expected):
    login(client, getattr(personas, persona))
    response = client.post(f"/api/v1/tasks/{crafted.task.pk}/remind/", {})
    assert response.status_code == expected


def test_api_remind_rejects_an_unknown_kind(client, crafted, personas):
    login(client, personas.company)
    response = client.post(
        f"/api/v1/tasks/{crafted.task.pk}/remind/", {"kind": "x"}, content_type="application/json"
    )
    assert response.status_code == 400


def test_late_list_marks_recipients_a_reminder_cannot_reach(client, crafted, personas, tree):
    client.force_login(personas.company)
    response = client.get(reverse("tasks:progress", args=[crafted.task.pk]))
    marked = {row.organization_id for row in response.context["late"] if row.unreachable}
    assert marked == {tree.county_b.pk}
    assert 'data-testid="unreachable"' in response.content.decode()
