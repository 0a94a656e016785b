"""Score histories across periods: a branch's and a person's results per scheme, with charts."""

import pytest
from django.urls import reverse

from bastion.core.testing import PERSONAS, count_queries

from .helpers_results import branch_round, member_round

pytestmark = pytest.mark.django_db


def get(client, user, name, pk):
    client.force_login(user)
    return client.get(reverse(f"evaluation:{name}", args=[pk]))


def periods(response) -> list[str]:
    return [t.round.period_label for s in response.context["series"] for t in s["rows"]]


@pytest.fixture
def three_months(tree, personas):
    """October and November published, December computed but not yet published."""
    first = branch_round(tree, personas)
    values = {
        "station_a1": ("county", 70),
        "station_a2": ("county", 80),
        "station_b1": ("company", 60),
    }
    branch_round(tree, personas, scheme=first.scheme, n=1, values=values)
    branch_round(tree, personas, scheme=first.scheme, n=2, publish=False)
    return first.scheme


ORG_HISTORY_OF_A1 = {
    "company": ["2026-12", "2026-11", "2026-10"],
    "county": ["2026-12", "2026-11", "2026-10"],
    "secretary_a": ["2026-12", "2026-11", "2026-10"],
    "secretary_b": None,
    "member": ["2026-11", "2026-10"],
    "outsider": None,
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_branch_history_follows_scope_and_publication(
    client, tree, personas, three_months, persona
):
    response = get(client, getattr(personas, persona), "history_org", tree.station_a1.pk)
    expected = ORG_HISTORY_OF_A1[persona]
    if expected is None:
        assert response.status_code == 404
        return
    assert response.status_code == 200
    assert periods(response) == expected


def test_the_branch_history_charts_totals_and_ranks_oldest_first(
    client, tree, personas, three_months
):
    response = get(client, personas.company, "history_org", tree.station_a1.pk)
    (chart,) = response.context["charts"]
    assert chart["periods"] == ["2026-10", "2026-11", "2026-12"]
    assert chart["totals"][:2] == [90.0, 70.0]
    assert chart["ranks"][:2] == [1, 2]
    html = response.content.decode()
    assert 'id="history-data"' in html and "vendor/echarts/echarts.min.js" in html
    assert html.count('data-testid="history-row"') == 3
    assert "流动红旗" in html  # October's title in the table


def test_an_organization_without_results_shows_an_empty_history(client, tree, personas):
    response = get(client, personas.company, "history_org", tree.county_a.pk)
    assert response.status_code == 200
    assert b'data-testid="history-empty"' in response.content


def test_the_history_costs_the_same_queries_for_more_periods(client, tree, personas):
    first = branch_round(tree, personas)
    client.force_login(personas.company)
    url = reverse("evaluation:history_org", args=[tree.station_a1.pk])
    small = count_queries(client, url)
    for n in (1, 2, 3):
        branch_round(tree, personas, scheme=first.scheme, n=n)
    assert count_queries(client, url) == small


@pytest.fixture
def member_history(tree, personas, people):
    scheme = member_round(tree, personas, people).scheme
    member_round(tree, personas, people, n=1, scheme=scheme, publish=False)
    return people


PERSON_HISTORY_OF_ZHANG_SAN = {
    "company": ["2026-11", "2026-10"],
    "county": ["2026-11", "2026-10"],
    "secretary_a": ["2026-11", "2026-10"],
    "secretary_b": None,
    "member": ["2026-10"],  # their own, published only
    "outsider": None,
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_person_history_follows_scope_and_publication(client, personas, member_history, persona):
    pk = member_history.zhang_san.pk
    response = get(client, getattr(personas, persona), "history_person", pk)
    expected = PERSON_HISTORY_OF_ZHANG_SAN[persona]
    if expected is None:
        assert response.status_code == 404
        return
    assert response.status_code == 200
    assert periods(response) == expected


def test_a_member_sees_a_peers_published_history_not_another_branch(
    client, personas, member_history
):
    peer = get(client, personas.member, "history_person", member_history.sun_ba.pk)
    assert peer.status_code == 200 and periods(peer) == ["2026-10"]
    far = get(client, personas.member, "history_person", member_history.wang_wu.pk)
    assert far.status_code == 404
    assert get(client, personas.member, "history_person", 999999).status_code == 404


def test_a_member_without_results_still_opens_their_own_history(client, tree, personas, people):
    response = get(client, personas.member, "history_person", people.zhang_san.pk)
    assert response.status_code == 200
    assert b'data-testid="history-empty"' in response.content
