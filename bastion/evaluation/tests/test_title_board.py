"""The title board (称号榜): who holds the red flag now, the watch list and since when, the
five-star branches, the arena champions and compliance, for every persona."""

import datetime as dt

import pytest
from django.urls import reverse

from bastion.core.testing import count_queries
from bastion.evaluation.models import TitleAward

from .helpers_results import (
    arena_round,
    branch_round,
    grow_stations,
    today,
)

pytestmark = pytest.mark.django_db

URL = "evaluation:title_board"


def board(client, user, **params):
    client.force_login(user)
    return client.get(reverse(URL), params)


def names(awards) -> list[str]:
    return [a.organization.name for a in awards]


BOARD_SEES = {
    "company": (["A1供电所党支部"], ["A2供电所党支部"]),
    "county": (["A1供电所党支部"], ["A2供电所党支部"]),
    "secretary_a": (["A1供电所党支部"], []),
    "secretary_b": ([], []),
    "member": (["A1供电所党支部"], []),
    "outsider": None,
}


@pytest.mark.parametrize("persona", list(BOARD_SEES))
def test_the_board_shows_each_persona_its_scope(client, tree, personas, persona):
    branch_round(tree, personas)
    response = board(client, getattr(personas, persona))
    expected = BOARD_SEES[persona]
    if expected is None:
        assert response.status_code == 404
        return
    assert response.status_code == 200
    flags, watch = expected
    assert names(response.context["red_flags"]) == flags
    assert [e.organization.name for e in response.context["watch"]] == watch


def test_only_the_latest_published_round_holds_the_red_flag(client, tree, personas):
    first = branch_round(tree, personas)
    values = {
        "station_a1": ("county", 70),
        "station_a2": ("county", 55),
        "station_b1": ("company", 88),
    }
    branch_round(tree, personas, scheme=first.scheme, n=1, values=values)
    response = board(client, personas.company)
    assert names(response.context["red_flags"]) == ["B1供电所党支部"]
    assert b'data-testid="red-flag"' in response.content
    # an unpublished later round changes nothing
    branch_round(tree, personas, scheme=first.scheme, n=2, publish=False)
    assert names(board(client, personas.company).context["red_flags"]) == ["B1供电所党支部"]


def test_the_watch_list_says_since_when_and_lists_recent_lifts(client, tree, personas):
    now = today()
    weak = {
        "station_a1": ("county", 90),
        "station_a2": ("county", 50),
        "station_b1": ("company", 80),
    }
    first = branch_round(tree, personas, values=weak, published_on=now - dt.timedelta(days=60))
    scheme = first.scheme
    branch_round(
        tree, personas, scheme=scheme, n=1, values=weak, published_on=now - dt.timedelta(days=30)
    )
    response = board(client, personas.company)
    (entry,) = response.context["watch"]
    assert entry.organization == tree.station_a2
    assert entry.since == now - dt.timedelta(days=60)
    assert entry.periods == 2 and entry.latest_total == 50
    assert entry.months in (2, 3)  # calendar months touched in 60 days
    assert (now - dt.timedelta(days=60)).strftime("%Y-%m-%d") in response.content.decode()
    assert response.context["lifted"] == []

    better = {
        "station_a1": ("county", 55),
        "station_a2": ("county", 75),
        "station_b1": ("company", 80),
    }
    branch_round(
        tree, personas, scheme=scheme, n=2, values=better, published_on=now - dt.timedelta(days=5)
    )
    response = board(client, personas.company)
    assert [e.organization for e in response.context["watch"]] == [tree.station_a1]
    (lifted,) = response.context["lifted"]
    assert lifted.organization == tree.station_a2
    assert lifted.lifted_on == now - dt.timedelta(days=5)
    assert lifted.since == now - dt.timedelta(days=60)
    assert b'data-testid="lifted-row"' in response.content


def test_lifts_older_than_ninety_days_leave_the_board(client, tree, personas):
    branch_round(tree, personas)
    TitleAward.objects.filter(kind="watch").update(lifted_on=today() - dt.timedelta(days=91))
    response = board(client, personas.company)
    assert response.context["watch"] == [] and response.context["lifted"] == []


def test_five_star_branches_are_counted(client, tree, personas):
    branch_round(tree, personas)
    response = board(client, personas.company)
    (scheme,) = response.context["star_counts"]
    assert scheme["five"] == 1
    assert scheme["levels"] == [{"stars": "★★★★★", "n": 1}, {"stars": "★★★★", "n": 1}]
    assert names(response.context["five_stars"]) == ["A1供电所党支部"]
    assert b'data-testid="five-star-count">1<' in response.content


def test_compliance_rate_of_the_latest_round(client, tree, personas):
    branch_round(tree, personas)
    (row,) = board(client, personas.company).context["compliance"]
    assert (row["n"], row["ok"], row["rate"]) == (3, 2, 66.7)
    (row,) = board(client, personas.county).context["compliance"]
    assert (row["n"], row["ok"]) == (2, 1)


def test_the_arena_champion_of_the_latest_quarter(client, tree, personas, people):
    arena_round(tree, personas, people.zhang_san, others=[(people.wang_wu, 80)])
    response = board(client, personas.company)
    assert [a.person.name for a in response.context["champions"]] == ["张三"]
    assert "张三" in response.content.decode()
    member = board(client, personas.member)
    assert [a.person.name for a in member.context["champions"]] == ["张三"]
    assert board(client, personas.secretary_b).context["champions"] == []


def test_the_organization_filter_narrows_the_board_and_outside_is_404(client, tree, personas):
    branch_round(tree, personas)
    response = board(client, personas.company, within=tree.county_b.pk)
    assert response.context["red_flags"] == [] and response.context["watch"] == []
    assert board(client, personas.county, within=tree.county_b.pk).status_code == 404
    assert board(client, personas.company, within="x").status_code == 404


def _many_awards(round_, orgs):
    kinds = [("red_flag", None), ("watch", None), ("star", 5), ("champion", None)]
    TitleAward.objects.bulk_create(
        TitleAward(
            scheme=round_.scheme,
            round=round_,
            rule_code=kind,
            kind=kind,
            name=kind,
            stars=stars,
            organization=org,
            total=60,
            awarded_on=today(),
        )
        for org in orgs
        for kind, stars in kinds
    )


@pytest.mark.parametrize("persona", ["company", "member"])
def test_the_board_costs_the_same_queries_at_two_sizes(client, tree, personas, persona):
    round_ = branch_round(tree, personas)
    client.force_login(getattr(personas, persona))
    small = count_queries(client, reverse(URL))
    _many_awards(round_, grow_stations(tree, 30, "L") + [tree.station_a1])
    assert TitleAward.objects.count() > 100
    assert count_queries(client, reverse(URL)) == small


# --- the latest score beside the listing score (issue 14) -------------------------------------


def test_the_watch_list_shows_the_latest_score_beside_the_listing_score(client, tree, personas):
    """A2 listed at 50, then 65: above the listing line, below the lifting score. Still listed,
    and the board says where it stands now."""
    first = branch_round(tree, personas)
    improved = {**first_values(), "station_a2": ("county", 65)}
    second = branch_round(tree, personas, scheme=first.scheme, n=1, values=improved)
    response = board(client, personas.company)
    (entry,) = response.context["watch"]
    assert entry.latest_total == 50  # the score it was listed with
    assert entry.current_total == 65 and entry.current_label == second.period_label
    row = response.content.decode().split('data-testid="watch-row"')[1].split("</tr>")[0]
    assert 'data-testid="listing-total">50.00<' in row
    assert 'data-testid="current-total"' in row and "65.00" in row


def first_values():
    from .helpers_results import DEFAULT_VALUES

    return DEFAULT_VALUES


def test_the_red_flag_shows_the_holders_latest_score_and_whether_it_is_published(
    client, tree, personas
):
    first = branch_round(tree, personas)
    lower = {**first_values(), "station_a1": ("county", 70)}
    branch_round(tree, personas, scheme=first.scheme, n=1, values=lower, publish=False)
    (flag,) = board(client, personas.company).context["red_flags"]
    assert (flag.total, flag.current_total, flag.current_published) == (90, 70, False)
    # a member follows published results only: the flag's own round is the latest they see
    (flag,) = board(client, personas.member).context["red_flags"]
    assert (flag.total, flag.current_total, flag.current_published) == (90, 90, True)


def test_a_zero_score_on_the_board_reads_0_00(client, tree, personas):
    round_ = branch_round(tree, personas)
    TitleAward.objects.filter(round=round_, kind="watch").update(total=0)
    from bastion.evaluation.models import Target

    Target.objects.filter(round=round_, organization=tree.station_a2).update(total=0)
    row = (
        board(client, personas.company)
        .content.decode()
        .split('data-testid="watch-row"')[1]
        .split("</tr>")[0]
    )
    assert 'data-testid="listing-total">0.00<' in row
    assert "—" not in row
