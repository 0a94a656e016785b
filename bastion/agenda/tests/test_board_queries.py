"""Constant queries: the board, the map, the roll-up, the export and the widget cost the same
for a handful of branches and for many."""

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bastion.agenda.models import Obligation
from bastion.agenda.widgets import board_summary
from bastion.core.testing import count_queries

from .board_helpers import grow, today_fixture, year_fixture  # noqa: F401

pytestmark = pytest.mark.django_db

PAGES = [
    ("agenda:board", "station_a1", ""),
    ("agenda:board", "county_a", ""),
    ("agenda:board", "company", ""),
    ("agenda:annual_map", "station_a1", "&year=2025"),
    ("agenda:rollup", "company", "&year=2025"),
    ("agenda:rollup", "county_a", "&period=month&year=2025&m=3"),
    ("agenda:rollup", "station_a1", "&period=quarter&year=2025&q=2"),
    ("agenda:rollup_export", "company", "&year=2025"),
]


@pytest.mark.parametrize("url_name,target,query", PAGES)
def test_page_queries_do_not_grow_with_data(client, personas, tree, year, url_name, target, query):
    client.force_login(personas.company)
    url = reverse(url_name) + f"?org={getattr(tree, target).pk}{query}"
    grow(tree, 1, "S")
    small = count_queries(client, url)
    before = Obligation.objects.count()
    grow(tree, 8, "L")
    assert Obligation.objects.count() > 4 * before / 3
    assert count_queries(client, url) == small


@pytest.mark.parametrize("url_name", ["agenda:board", "agenda:annual_map", "agenda:rollup"])
def test_default_pages_of_a_secretary_do_not_grow(client, personas, tree, year, url_name):
    client.force_login(personas.secretary_a)
    grow(tree, 1, "S")
    small = count_queries(client, reverse(url_name))
    grow(tree, 8, "L")
    assert count_queries(client, reverse(url_name)) == small


def test_the_widget_queries_do_not_grow(personas, tree, year):
    def widget_queries():
        request = RequestFactory().get("/")
        request.user, request.current_org = personas.company, tree.company
        request.user.__dict__.pop("_bastion_scope_cache", None)
        request.user.__dict__.pop("_bastion_assignments", None)
        with CaptureQueriesContext(connection) as ctx:
            assert board_summary(request)
        return len(ctx.captured_queries)

    grow(tree, 1, "S")
    small = widget_queries()
    grow(tree, 8, "L")
    assert widget_queries() == small
