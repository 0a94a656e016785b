"""The titles panel of an organization's page and the home widget."""

import pytest
from django.apps import apps
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bastion.evaluation.models import TitleAward
from bastion.evaluation.widgets import home_widget, org_panel

from .helpers_results import arena_round, branch_round, grow_stations, member_round, today

pytestmark = pytest.mark.django_db


def request_for(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def panel(user, org):
    return org_panel(request_for(user), org)


def test_the_branch_panel_shows_its_current_titles_and_arena_champion(tree, personas, people):
    branch_round(tree, personas)
    arena_round(tree, personas, people.zhang_san, others=[(people.wang_wu, 80)])
    html = panel(personas.company, tree.station_a1)
    assert 'data-testid="arena-champion">张三<' in html
    assert 'data-testid="panel-red-flag"' in html
    assert "★★★★★" in html
    assert reverse("evaluation:history_org", args=[tree.station_a1.pk]) in html
    assert 'data-testid="panel-watch"' not in html


def test_the_panel_of_a_watched_branch_shows_the_watch_list(tree, personas):
    branch_round(tree, personas)
    html = panel(personas.county, tree.station_a2)
    assert 'data-testid="panel-watch"' in html and "不放心支部" in html
    assert 'data-testid="arena-champion"' not in html


def test_only_the_latest_arena_champion_shows(tree, personas, people):
    first = arena_round(tree, personas, people.zhang_san)
    arena_round(tree, personas, people.li_si, n=3, scheme=first.scheme)
    html = panel(personas.member, tree.station_a1)
    assert 'data-testid="arena-champion">李四<' in html
    assert "张三" not in html


@pytest.mark.parametrize(
    "persona,shown",
    [
        ("company", True),
        ("county", True),
        ("secretary_a", True),
        ("secretary_b", False),
        ("member", True),
        ("outsider", False),
    ],
)
def test_the_panel_follows_the_scope(tree, personas, people, persona, shown):
    arena_round(tree, personas, people.zhang_san)
    html = panel(getattr(personas, persona), tree.station_a1)
    assert (html is not None and "张三" in html) is shown


def test_the_panel_is_absent_when_there_is_nothing_to_show(tree, personas):
    branch_round(tree, personas)
    assert panel(personas.company, tree.county_a) is None


def test_the_branch_page_carries_the_panel(client, tree, personas, people, monkeypatch):
    monkeypatch.setattr(
        apps.get_app_config("evaluation"),
        "org_panels",
        ["bastion.evaluation.widgets.org_panel"],
        raising=False,
    )
    arena_round(tree, personas, people.zhang_san)
    client.force_login(personas.member)
    response = client.get(reverse("orgs:org_detail", args=[tree.station_a1.pk]))
    assert response.status_code == 200
    assert 'data-testid="arena-champion">张三<' in response.content.decode()


def test_the_panel_costs_the_same_queries_with_more_titles(tree, personas, people):
    round_ = branch_round(tree, personas)

    def queries():
        personas.company.__dict__.pop("_bastion_scope_cache", None)
        with CaptureQueriesContext(connection) as ctx:
            assert panel(personas.company, tree.station_a1)
        return len(ctx.captured_queries)

    small = queries()
    TitleAward.objects.bulk_create(
        TitleAward(
            scheme=round_.scheme,
            round=round_,
            rule_code=f"h{i}",
            kind="honour",
            name=f"荣誉{i}",
            organization=tree.station_a1,
            awarded_on=today(),
        )
        for i in range(10)
    )
    assert queries() == small


def test_a_member_sees_their_own_published_results_at_home(tree, personas, people):
    member_round(tree, personas, people)
    html = home_widget(request_for(personas.member))
    assert html.count('data-testid="widget-own"') == 1
    assert "五星党员" in html and "90.00" in html
    assert 'data-testid="widget-red-flags"' not in html


def test_a_member_sees_no_unpublished_result_at_home(tree, personas, people):
    member_round(tree, personas, people, publish=False)
    assert home_widget(request_for(personas.member)) is None


def test_managers_see_red_flag_and_watch_counts_at_home(tree, personas):
    branch_round(tree, personas)
    grow_stations(tree, 1, "X")
    html = home_widget(request_for(personas.company))
    assert 'data-testid="widget-red-flags">1<' in html
    assert 'data-testid="widget-watch">1<' in html
    assert reverse("evaluation:title_board") in html
    assert 'data-testid="widget-red-flags">0<' in home_widget(request_for(personas.secretary_b))


def test_an_outsider_gets_no_home_widget(tree, personas):
    branch_round(tree, personas)
    assert home_widget(request_for(personas.outsider)) is None


def test_a_branch_kept_on_the_watch_list_shows_once_since_it_was_first_listed(tree, personas):
    first = branch_round(tree, personas, n=1)
    branch_round(tree, personas, scheme=first.scheme)  # A2 is the weakest again
    assert TitleAward.objects.filter(kind="watch", organization=tree.station_a2).count() == 2
    html = panel(personas.county, tree.station_a2)
    assert html.count('data-testid="panel-watch"') == 1
