"""A member's home is their own work; a secretary's keeps the branch view; the menu follows what
each can do (issue 13, item 6)."""

import pytest
from django.urls import reverse

from bastion.core.my_work import WorkItem, work_items
from bastion.core.navigation import visible_sections

pytestmark = pytest.mark.django_db

BRANCH_PAGES = ("统计汇总", "会议记录", "考评方案", "接口文档")


def home(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def menu(user) -> dict[str, str]:
    return {item["label"]: item["url"] for s in visible_sections(user, "/") for item in s["items"]}


def test_a_member_sees_their_own_work_and_no_branch_statistics(client, personas):
    html = home(client, personas.member)
    for card in ("my-tasks-card", "my-dues-card", "my-points-card", "my-titles-card"):
        assert f'data-testid="{card}"' in html, card
    assert 'data-testid="rounds-to-rate-card"' in html
    assert 'data-testid="scope-summary"' not in html  # branch statistics
    assert 'data-testid="board-widget"' not in html  # branch alarms a member cannot act on
    assert 'data-testid="my-record"' in html  # 我的档案


def test_a_secretary_keeps_the_branch_view(client, personas):
    html = home(client, personas.secretary_a)
    assert 'data-testid="scope-summary"' in html
    assert 'data-testid="board-widget"' in html


def test_an_account_without_a_person_gets_no_personal_cards(client, personas):
    html = home(client, personas.company)
    for card in ("my-tasks-card", "my-dues-card", "my-points-card", "my-titles-card"):
        assert f'data-testid="{card}"' not in html, card


def test_the_members_menu_holds_member_pages_and_my_tasks(personas):
    items = menu(personas.member)
    assert not set(BRANCH_PAGES) & set(items)
    assert items["我的任务"] == reverse("my_work")
    assert "我的积分" in items and "我的评分" in items


def test_the_secretarys_menu_keeps_the_branch_pages(personas):
    items = menu(personas.secretary_a)
    assert set(BRANCH_PAGES) <= set(items)
    assert items["我的任务"] == reverse("tasks:assignment_inbox")


@pytest.mark.parametrize("persona", ["company", "county"])
def test_committees_keep_the_branch_pages(personas, persona):
    assert set(BRANCH_PAGES) <= set(menu(getattr(personas, persona)))


def test_my_work_page_lists_the_items_apps_give(client, personas, monkeypatch):
    from django.apps import apps

    config = apps.get_app_config("core")
    monkeypatch.setattr(
        config, "my_work", ["bastion.core.tests.test_member_home.two_items"], raising=False
    )
    client.force_login(personas.member)
    html = client.get(reverse("my_work")).content.decode()
    assert html.count('data-testid="my-work-item"') >= 2
    # Overdue first, then by date.
    labels = [item.label for item in work_items(personas.member)]
    assert labels.index("逾期的事") < labels.index("下周的事")


def two_items(user, today):
    import datetime as dt

    return [
        WorkItem(label="下周的事", due_on=today + dt.timedelta(days=7)),
        WorkItem(label="逾期的事", due_on=today - dt.timedelta(days=1), level="red"),
    ]


def test_my_work_page_needs_a_login(client):
    response = client.get(reverse("my_work"))
    assert response.status_code == 302


def test_the_members_home_costs_the_same_queries_with_more_records(client, personas, people, tree):
    import datetime as dt
    from decimal import Decimal

    from bastion.agenda.models import DuesPayment
    from bastion.core.testing import count_queries
    from bastion.evaluation.tests.helpers_points import entry, make_items

    items = make_items()

    def more(count: int, start: int):
        for n in range(start, start + count):
            month = dt.date(2020 + n // 12, n % 12 + 1, 1)
            entry(people.zhang_san, items["t_study"], on=month)
            DuesPayment.objects.create(
                person=people.zhang_san,
                organization=tree.station_a1,
                month=month,
                amount=Decimal(1),
                paid_on=month,
            )

    client.force_login(personas.member)
    more(2, 0)
    small = count_queries(client, reverse("home"))
    more(20, 2)
    assert count_queries(client, reverse("home")) == small
