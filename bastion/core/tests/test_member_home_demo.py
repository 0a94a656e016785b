"""The demo company's own logins (issue 13, item 6): the member's home is their work, the
branch secretary's keeps the branch view and lists the red items it counts."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

pytestmark = pytest.mark.django_db


def home(client, username: str) -> str:
    client.force_login(get_user_model().objects.get(username=username))
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def test_the_demo_member_sees_their_own_work(client, demo):
    html = home(client, "member")
    for card in ("my-tasks-card", "rounds-to-rate-card", "my-points-card", "my-dues-card"):
        assert f'data-testid="{card}"' in html, card
    assert 'data-testid="scope-summary"' not in html
    assert 'data-testid="board-widget"' not in html
    # The open arena round is theirs to rate: it is in 我的任务 and on 待评分.
    assert 'data-testid="round-to-rate"' in html
    assert "评分：" in html
    assert client.get(reverse("evaluation:points_mine")).status_code == 200
    assert client.get(reverse("my_work")).status_code == 200


def test_the_demo_secretary_sees_the_red_items_counted(client, demo):
    html = home(client, "secretary")
    assert 'data-testid="board-widget"' in html
    red = int(re.search(r'data-testid="widget-red">(\d+)<', html).group(1))
    listed = html.count('data-testid="widget-red-item"')
    assert listed == min(red, 8)
