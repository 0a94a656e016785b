"""我的任务: the user's organizations' assignments grouped overdue / due soon / waiting /
submitted / done, counts per group, returned reasons, scope, the home widget, navigation."""

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bastion.core.navigation import visible_sections
from bastion.core.testing import PERSONAS
from bastion.orgs.tests.factories import make_org
from bastion.tasks import selectors
from bastion.tasks.services import flow
from bastion.tasks.services import tasks as task_services
from bastion.tasks.widgets import inbox_summary

from .factories import GOOD, answer, days, dispatch_to, make_task, move_due

pytestmark = pytest.mark.django_db


def sent(tree, personas, title, due_in, orgs=None):
    task = make_task(tree.company, title=title)
    rows = dispatch_to(task, orgs or [tree.station_a1, tree.station_b1], actor=personas.company)
    move_due(task, days(due_in))
    for row in rows.values():
        row.task.due_on = task.due_on
    return rows


@pytest.fixture
def inbox(tree, personas):
    soon = selectors.due_soon_days()
    rows = {
        "overdue": sent(tree, personas, "逾期的", -1),
        "today": sent(tree, personas, "今天到期的", 0),
        "edge": sent(tree, personas, "恰好即将到期的", soon),
        "waiting": sent(tree, personas, "还早的", soon + 1),
        "submitted": sent(tree, personas, "已提交的", 5),
        "accepted": sent(tree, personas, "已采纳的", 5),
        "returned": sent(tree, personas, "被退回的", 5),
    }
    for key in ("submitted", "accepted", "returned"):
        answer(rows[key]["C-A-1"], actor=personas.secretary_a, **GOOD)
    flow.assignment_accept(assignment=rows["accepted"]["C-A-1"], actor=personas.company)
    flow.assignment_return(
        assignment=rows["returned"]["C-A-1"], actor=personas.company, reason="请补充会议照片"
    )
    return rows


def titles(response):
    return {a.task.title for a in response.context["page"]}


def test_due_soon_days_is_three():
    assert selectors.due_soon_days() == 3


def test_groups_and_counts(client, personas, inbox):
    client.force_login(personas.secretary_a)
    url = reverse("tasks:assignment_inbox")
    response = client.get(url)
    assert response.context["counts"] == {
        "overdue": 1,
        "due_soon": 2,
        "waiting": 2,
        "submitted": 1,
        "done": 1,
        "returned": 1,
    }
    assert response.context["group"] == "overdue"  # the first group with something in it
    assert titles(response) == {"逾期的"}
    assert titles(client.get(url, {"group": "due_soon"})) == {"今天到期的", "恰好即将到期的"}
    assert titles(client.get(url, {"group": "waiting"})) == {"还早的", "被退回的"}
    assert titles(client.get(url, {"group": "submitted"})) == {"已提交的"}
    assert titles(client.get(url, {"group": "done"})) == {"已采纳的"}


def test_a_returned_answer_shows_its_reason(client, personas, inbox):
    client.force_login(personas.secretary_a)
    response = client.get(reverse("tasks:assignment_inbox"), {"group": "waiting"})
    body = response.content.decode()
    assert "请补充会议照片" in body and 'data-testid="return-reason"' in body
    assert 'data-testid="returned-alert"' in body


def test_closed_tasks_no_longer_owe_an_answer(client, personas, inbox):
    task = inbox["overdue"]["C-A-1"].task
    task_services.task_close(task=task, actor=personas.company)
    client.force_login(personas.secretary_a)
    response = client.get(reverse("tasks:assignment_inbox"))
    assert response.context["counts"]["overdue"] == 0


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_sees_only_what_its_organizations_answer(client, personas, inbox, persona):
    client.force_login(getattr(personas, persona))
    response = client.get(reverse("tasks:assignment_inbox"), {"group": "overdue"})
    assert response.status_code == 200
    shown = {a.organization.code for a in response.context["page"]}
    expected = {
        "company": set(),  # the issuer reviews on the task pages, it answers nothing here
        "county": {"C-A-1"},  # answers for its stations (a company task)
        "secretary_a": {"C-A-1"},
        "secretary_b": {"C-B-1"},
    }.get(persona, set())
    assert shown == expected


def test_a_task_the_user_issued_is_not_in_their_inbox(client, personas, tree):
    task = make_task(tree.county_a, title="县公司自己派发的")
    dispatch_to(task, [tree.station_a1], actor=personas.county)
    client.force_login(personas.county)
    assert selectors.inbox_counts(selectors.inbox_assignments(personas.county))["waiting"] == 0
    client.force_login(personas.secretary_a)
    response = client.get(reverse("tasks:assignment_inbox"), {"group": "waiting"})
    assert "县公司自己派发的" in titles(response)


def test_the_organization_filter_stays_in_scope(client, personas, tree, inbox):
    client.force_login(personas.county)
    url = reverse("tasks:assignment_inbox")
    narrowed = client.get(url, {"org": tree.station_a2.pk, "group": "overdue"})
    assert narrowed.context["counts"]["overdue"] == 0
    assert client.get(url, {"org": ""}).status_code == 200


@pytest.mark.parametrize("org", ["station_b1", "county_b", "x", "999999"])
def test_an_organization_outside_the_inbox_scope_is_404(client, personas, tree, inbox, org):
    client.force_login(personas.county)
    value = getattr(tree, org).pk if hasattr(tree, org) else org
    response = client.get(reverse("tasks:assignment_inbox"), {"org": value, "group": "overdue"})
    assert response.status_code == 404


def test_the_inbox_does_not_grow_with_rows(client, personas, tree):
    url = reverse("tasks:assignment_inbox")

    def grow(n: int, tag: str):
        orgs = [
            make_org(tree.station_a1, name=f"小组{tag}{i}", code=f"C-A-1-{tag}{i}", kind="group")
            for i in range(n)
        ]
        for k in range(n):
            rows = sent(
                tree, personas, f"工作单{tag}{k}", [-1, 2, 10][k % 3], orgs=[tree.station_a1, *orgs]
            )
            done = answer(rows["C-A-1"], actor=personas.secretary_a, **GOOD)
            if k % 3 == 0:
                flow.assignment_return(assignment=done, actor=personas.company, reason="补充")
            elif k % 3 == 1:
                flow.assignment_accept(assignment=done, actor=personas.company)

    client.force_login(personas.secretary_a)
    grow(3, "S")
    small = {g: count(client, url, {"group": g}) for g in selectors.INBOX_GROUPS}
    counts = client.get(url).context["counts"]
    assert all(counts[g] for g in selectors.INBOX_GROUPS)  # every group has rows to show
    grow(6, "L")
    large = {g: count(client, url, {"group": g}) for g in selectors.INBOX_GROUPS}
    assert small == large


def count(client, url, params):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_home_widget_counts_overdue_and_due_soon(personas, inbox):
    request = RequestFactory().get("/")
    request.user = personas.secretary_a
    html = inbox_summary(request)
    assert 'data-testid="widget-overdue">1<' in html
    assert 'data-testid="widget-due-soon">2<' in html
    request.user = personas.member
    assert inbox_summary(request) is None


def test_navigation_items(personas):
    def items(user):
        return {
            i["label"]
            for s in visible_sections(user, "/")
            for i in s["items"]
            if s["label"] == "任务派发"
        }

    assert {"我的任务", "工作单", "四级贯通"} <= items(personas.secretary_a)
    # A member reads the cascade and answers nothing: their 我的任务 is their own to-do list
    # (the kernel's my_work page), as it is for any account that answers for no organization.
    assert items(personas.member) == {"我的任务", "四级贯通"}
    assert items(personas.outsider) == {"我的任务"}
    links = {
        i["label"]: i["url"] for s in visible_sections(personas.member, "/") for i in s["items"]
    }
    assert links["我的任务"] == reverse("my_work")


def test_overdue_open_answer_is_flagged_on_the_row(client, personas, inbox):
    client.force_login(personas.secretary_a)
    response = client.get(reverse("tasks:assignment_inbox"), {"group": "overdue"})
    assert 'data-testid="overdue-badge"' in response.content.decode()
