"""The home page's unread-messages widget (``bastion.core.notifications.widgets.unread``)."""

import re

import pytest
from django.test import RequestFactory
from django.urls import reverse

from bastion.core.notifications.models import Notification, NotificationLevel
from bastion.core.notifications.services import notification_send
from bastion.core.notifications.widgets import SHOWN, unread
from bastion.core.testing import count_queries

pytestmark = pytest.mark.django_db


def tell(user, title, level=NotificationLevel.INFO, event="tests.happened"):
    return notification_send(
        actor=None, recipients=[user], event=event, title=title, level=level, channels=()
    )[0]


def home(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def widget_of(user):
    request = RequestFactory().get("/")
    request.user = user
    return unread(request)


def test_nothing_shows_when_every_message_is_read(personas):
    note = tell(personas.member, "旧消息")
    Notification.objects.filter(pk=note.pk).update(read_at=note.created_at)
    assert widget_of(personas.member) is None


def test_nothing_shows_for_an_anonymous_visitor(db):
    from django.contrib.auth.models import AnonymousUser

    assert widget_of(AnonymousUser()) is None


def test_the_unread_messages_show_with_level_title_and_a_link(client, personas):
    red = tell(personas.member, "整改逾期：台账不全", NotificationLevel.RED)
    info = tell(personas.member, "新工作单：安全承诺")
    read = tell(personas.member, "早已读过的消息")
    Notification.objects.filter(pk=read.pk).update(read_at=read.created_at)
    tell(personas.secretary_a, "别人的消息")
    html = home(client, personas.member)
    assert 'data-testid="unread-widget"' in html
    assert 'data-testid="unread-total">2<' in html
    for note in (red, info):
        assert f'href="{reverse("notification_detail", args=[note.pk])}"' in html
    assert "整改逾期：台账不全" in html and "红色告警" in html and "bg-red text-red-fg" in html
    assert "早已读过的消息" not in html and "别人的消息" not in html
    assert f'href="{reverse("inbox")}"' in html


def test_the_widget_comes_first_on_the_home_page(client, personas):
    tell(personas.county, "新工作单：安全承诺")
    html = home(client, personas.county)
    cards = re.findall(r'class="card" data-testid="([\w-]+)"', html)
    assert cards[0] == "unread-widget"
    assert len(cards) > 1  # the county secretary's other widgets follow it


def test_opening_a_message_from_the_widget_marks_it_read(client, personas):
    note = tell(personas.member, "新工作单：安全承诺")
    home(client, personas.member)
    response = client.get(reverse("notification_detail", args=[note.pk]))
    assert response.status_code == 200
    note.refresh_from_db()
    assert note.read_at is not None
    assert 'data-testid="unread-widget"' not in home(client, personas.member)


def test_mark_all_read_from_the_widget_empties_it(client, personas):
    for n in range(3):
        tell(personas.member, f"消息 {n}")
    assert 'data-testid="widget-read-all"' in home(client, personas.member)
    response = client.post(reverse("notification_read_all"))
    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=personas.member, read_at__isnull=True)
    assert 'data-testid="unread-widget"' not in home(client, personas.member)


def test_only_the_newest_show_and_the_rest_are_counted(client, personas):
    for n in range(SHOWN + 3):
        tell(personas.member, f"第{n}条消息")
    html = home(client, personas.member)
    assert html.count('data-testid="unread-title"') == SHOWN
    assert f"第{SHOWN + 2}条消息" in html and "第0条消息" not in html
    assert 'data-testid="unread-total">8<' in html
    assert "还有 3 条未读消息" in html


def test_the_home_page_costs_the_same_queries_with_more_messages(client, personas):
    client.force_login(personas.member)
    for n in range(SHOWN + 1):
        tell(personas.member, f"消息 {n}", event=f"tests.few{n}")
    few = count_queries(client, reverse("home"))
    for n in range(40):
        tell(personas.member, f"更多消息 {n}", event=f"tests.many{n}")
    many = count_queries(client, reverse("home"))
    assert "还有" in many.response.content.decode()
    assert few == many
