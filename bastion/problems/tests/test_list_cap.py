"""A company-wide list counts at most ``COUNT_CAP`` problems: past it, the page says "more
than" and its pages stop at the cap, instead of counting half a million rows on every view."""

import pytest
from django.urls import reverse

from bastion.problems.views import problems as views

from .helpers import make_problem

pytestmark = pytest.mark.django_db


@pytest.fixture
def five(tree, personas):
    return [make_problem(personas.company, tree.station_b1) for _ in range(5)]


def test_past_the_cap_the_list_says_more_than_and_stops_there(client, personas, five, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    monkeypatch.setattr(views, "COUNT_CAP", 3)
    client.force_login(personas.company)
    page = client.get(reverse("problems:problem_list")).content.decode()
    assert "共超过 3 条" in page
    assert "1 / 2" in page  # three problems on pages of two; the fourth and fifth need a filter
    last = client.get(reverse("problems:problem_list") + "?page=9").context["page"]
    assert last.number == 2
    assert len(last.object_list) == 2  # the page holds its rows; only the count is capped


def test_under_the_cap_the_count_is_exact(client, personas, five, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    monkeypatch.setattr(views, "COUNT_CAP", 5)
    client.force_login(personas.company)
    page = client.get(reverse("problems:problem_list")).content.decode()
    assert "共超过" not in page
    assert "共 5 条" in page
    assert "1 / 3" in page


def test_a_secretary_counts_only_their_own_branch(client, personas, tree, five, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    monkeypatch.setattr(views, "COUNT_CAP", 3)
    for _ in range(3):
        make_problem(personas.county, tree.station_a1)
    client.force_login(personas.secretary_a)
    page = client.get(reverse("problems:problem_list")).content.decode()
    assert "共超过" not in page  # the company's five elsewhere are not theirs to count
    assert "共 3 条" in page
