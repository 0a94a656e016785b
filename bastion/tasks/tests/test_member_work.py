"""What tasks hand the kernel's 我的任务: the answers a person's organizations owe, overdue or
due soon, the inbox's own groups; nothing for who answers for no organization."""

import pytest
from django.utils import timezone

from bastion.tasks import selectors
from bastion.tasks.selectors_member import work_items

from .factories import days, dispatch_to, make_task, move_due

pytestmark = pytest.mark.django_db


def sent(tree, personas, title, due_in):
    task = make_task(tree.company, title=title)
    dispatch_to(task, [tree.station_a1, tree.station_b1], actor=personas.company)
    move_due(task, days(due_in))
    return task


def test_overdue_and_due_soon_answers_are_the_secretarys_work(tree, personas):
    soon = selectors.due_soon_days()
    sent(tree, personas, "还早的", soon + 1)
    sent(tree, personas, "即将到期的", 1)
    late = sent(tree, personas, "逾期的", -2)
    items = work_items(personas.secretary_a, timezone.localdate())
    assert [(i.label, i.level) for i in items] == [
        ("反馈：逾期的", "red"),
        ("反馈：即将到期的", "yellow"),
    ]
    assert items[0].detail == tree.station_a1.name and items[0].due_on == late.due_on
    assert items[0].url.startswith("/tasks/")


def test_a_member_answers_nothing(tree, personas):
    sent(tree, personas, "逾期的", -2)
    assert work_items(personas.member, timezone.localdate()) == []
