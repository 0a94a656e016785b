"""我的评分 pages: who sees which targets, the form's refusals, and constant query counts."""

import datetime as dt

import pytest

from bastion.core.testing import count_queries, login
from bastion.evaluation.models import Score, Target
from bastion.orgs.tests.factories import make_org

from .helpers import simple_scheme
from .helpers_scoring import member_scheme, open_live, today, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def members_round(tree, personas, people):
    """Members of the whole company scored by the committee above them."""
    return open_live(personas.company, member_scheme(tree.company), tree.company)


@pytest.fixture
def stations_round(tree, personas):
    return open_live(personas.company, simple_scheme(tree.company), tree.company)


def target_of(round_, person=None, org=None):
    if person is not None:
        return Target.objects.get(round=round_, person=person)
    return Target.objects.get(round=round_, organization=org, person__isnull=True)


@pytest.mark.parametrize(
    "persona,home,zhang_san,wang_wu",
    [
        ("company", 200, 200, 200),
        ("county", 200, 200, 200),
        ("secretary_a", 200, 200, 404),
        ("secretary_b", 200, 404, 404),
        ("member", 200, 200, 404),  # their own: the page shows the refusal, no form
        ("outsider", 404, 404, 404),
    ],
)
def test_persona_matrix(client, personas, people, members_round, persona, home, zhang_san, wang_wu):
    login(client, getattr(personas, persona))
    assert client.get(url("scoring_home")).status_code == home
    assert client.get(url("scoring_round", members_round.pk)).status_code == home
    own = target_of(members_round, people.zhang_san)
    assert client.get(url("scoring_form", members_round.pk, own.pk)).status_code == zhang_san
    other = target_of(members_round, people.wang_wu)
    assert client.get(url("scoring_form", members_round.pk, other.pk)).status_code == wang_wu


@pytest.mark.parametrize(
    "persona,listed",
    [
        ("company", {"张三", "王五", "赵六"}),
        ("county", {"张三", "王五"}),
        ("secretary_a", {"张三"}),
        ("secretary_b", {"赵六"}),
        ("member", set()),
    ],
)
def test_each_persona_lists_only_whom_they_may_score(
    client, personas, members_round, persona, listed
):
    login(client, getattr(personas, persona))
    response = client.get(url("scoring_round", members_round.pk))
    shown = {row["target"].label for row in response.context["rows"]}
    assert shown == listed
    assert response.context["pending"] == len(listed)


def test_home_counts_pending_and_scored(client, personas, people, members_round):
    login(client, personas.county)
    target = target_of(members_round, people.zhang_san)
    client.post(
        url("scoring_form", members_round.pk, target.pk),
        {"group": "higher", "item_conduct": "90", "item_work": "80"},
    )
    response = client.get(url("scoring_home"))
    [card] = response.context["cards"]
    assert (card.pending, card.scored) == (1, 1)
    assert "待评" in response.content.decode()


def test_a_member_with_nothing_to_score_sees_an_empty_home(client, personas, members_round):
    login(client, personas.member)
    response = client.get(url("scoring_home"))
    assert response.context["cards"] == []
    assert "当前没有需要您评分的考评" in response.content.decode()


def test_rounds_outside_the_window_are_not_listed(client, tree, personas):
    start = today() + dt.timedelta(days=5)
    open_live(
        personas.company,
        simple_scheme(tree.company),
        tree.company,
        window=(start, start + dt.timedelta(days=5)),
    )
    login(client, personas.county)
    assert client.get(url("scoring_home")).context["cards"] == []


def test_a_county_scores_its_station_as_the_committee_above(client, tree, personas, stations_round):
    login(client, personas.county)
    target = target_of(stations_round, org=tree.station_a1)
    form_url = url("scoring_form", stations_round.pk, target.pk)
    page = client.get(form_url)
    assert page.status_code == 200
    assert "党建管理" in page.content.decode()
    assert 'inputmode="decimal"' in page.content.decode()
    response = client.post(
        form_url,
        {
            "group": "higher",
            "item_party": "90",
            "item_business": "80.5",
            "item_integrity": "",
            "comment": "扎实",
        },
    )
    assert response.status_code == 302
    assert response.url == url("scoring_round", stations_round.pk)
    saved = dict(Score.objects.filter(target=target).values_list("indicator", "value"))
    assert saved["party"] == 90 and saved["business"] == pytest.approx(80.5)
    assert saved["integrity"] == 0  # the veto switch left off: scored "no veto"
    assert set(Score.objects.filter(target=target).values_list("group", flat=True)) == {"higher"}
    listing = client.get(response.url)
    assert "已保存" in listing.content.decode()
    assert listing.context["next"].target.organization == tree.station_a2  # next one offered


def test_the_form_is_prefilled_with_the_evaluators_scores(client, tree, personas, stations_round):
    login(client, personas.county)
    target = target_of(stations_round, org=tree.station_a1)
    form_url = url("scoring_form", stations_round.pk, target.pk)
    client.post(form_url, {"group": "higher", "item_party": "88", "item_integrity": "on"})
    form = client.get(form_url).context["form"]
    assert form["item_party"].value() == "88"
    assert form["item_integrity"].value() is True


def test_a_secretary_of_another_county_gets_404_for_that_station(
    client, tree, personas, stations_round
):
    login(client, personas.secretary_b)
    target = target_of(stations_round, org=tree.station_a1)
    form_url = url("scoring_form", stations_round.pk, target.pk)
    assert client.get(form_url).status_code == 404
    assert client.post(form_url, {"group": "higher", "item_party": "90"}).status_code == 404
    assert not Score.objects.exists()


def test_self_rating_is_refused_with_a_message_and_no_score(
    client, personas, people, members_round
):
    login(client, personas.member)
    own = target_of(members_round, people.zhang_san)
    response = client.post(
        url("scoring_form", members_round.pk, own.pk), {"group": "higher", "item_conduct": "100"}
    )
    assert response.status_code == 200
    assert "不能给自己评分" in response.content.decode()
    assert "score-form" not in response.content.decode()
    assert not Score.objects.exists()


def test_a_closed_window_is_refused(client, tree, personas):
    start = today() - dt.timedelta(days=20)
    round_ = open_live(
        personas.company,
        simple_scheme(tree.company),
        tree.company,
        window=(start, start + dt.timedelta(days=5)),
    )
    login(client, personas.county)
    target = target_of(round_, org=tree.station_a1)
    form_url = url("scoring_form", round_.pk, target.pk)
    page = client.get(form_url).content.decode()
    assert "评分已于" in page and "submit-scores" not in page
    response = client.post(form_url, {"group": "higher", "item_party": "90"})
    assert response.status_code == 200
    assert "评分已于" in response.content.decode()
    assert not Score.objects.exists()


@pytest.mark.parametrize("value", ["150", "-1", "abc", "NaN", "1e999"])
def test_values_out_of_range_are_refused_naming_the_item(
    client, tree, personas, stations_round, value
):
    login(client, personas.county)
    target = target_of(stations_round, org=tree.station_a1)
    response = client.post(
        url("scoring_form", stations_round.pk, target.pk),
        {"group": "higher", "item_party": value, "item_business": "80"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["item_party"]
    assert "党建管理" in errors[0]
    assert not Score.objects.exists()


def test_a_bonus_above_its_cap_is_refused(client, tree, personas, stations_round):
    login(client, personas.county)
    target = target_of(stations_round, org=tree.station_a1)
    response = client.post(
        url("scoring_form", stations_round.pk, target.pk), {"group": "higher", "item_bonus": "6"}
    )
    assert "加分" in response.context["form"].errors["item_bonus"][0]
    assert not Score.objects.exists()


def test_an_empty_form_asks_for_at_least_one_score(client, tree, personas, stations_round):
    login(client, personas.county)
    target = target_of(stations_round, org=tree.station_a1)
    response = client.post(url("scoring_form", stations_round.pk, target.pk), {"group": "higher"})
    assert response.status_code == 200
    assert "请至少填写一项评分" in response.content.decode()
    assert not Score.objects.exists()


def test_an_evaluator_of_several_groups_chooses_one(client, tree, personas, people):
    scheme = member_scheme(tree.company, groups=(("higher", 0.7), ("public", 0.3)))
    round_ = open_live(personas.company, scheme, tree.company)
    login(client, personas.county)
    target = target_of(round_, people.wang_wu)
    form_url = url("scoring_form", round_.pk, target.pk)
    page = client.get(form_url)
    assert [tab["kind"] for tab in page.context["group_tabs"]] == ["higher", "public"]
    client.post(form_url + "?group=public", {"group": "public", "item_conduct": "70"})
    assert set(Score.objects.values_list("group", flat=True)) == {"public"}
    row = next(
        r
        for r in client.get(url("scoring_round", round_.pk)).context["rows"]
        if r["target"] == target
    )
    assert [(g["kind"], g["done"]) for g in row["groups"]] == [("higher", False), ("public", True)]
    assert row["group"] == "higher"  # the first tap goes to the group still to do


def test_search_narrows_the_list(client, personas, members_round):
    login(client, personas.company)
    response = client.get(url("scoring_round", members_round.pk), {"q": "王"})
    assert [row["target"].label for row in response.context["rows"]] == ["王五"]


def test_a_target_of_another_round_is_404(
    client, tree, personas, stations_round, members_round, people
):
    login(client, personas.company)
    target = target_of(members_round, people.zhang_san)
    assert client.get(url("scoring_form", stations_round.pk, target.pk)).status_code == 404


def _grow(parent, count, prefix):
    for index in range(count):
        make_org(parent, name=f"{prefix}{index}供电所党支部", code=f"{prefix}-{index}")


def test_scoring_pages_cost_the_same_queries_at_two_sizes(client, tree, personas):
    login(client, personas.county)
    small = open_live(personas.company, simple_scheme(tree.company), tree.county_a)
    _grow(tree.county_a, 35, "X")  # more than a page of targets
    large = open_live(
        personas.company,
        simple_scheme(tree.company, code="t_large"),
        tree.county_a,
        label="2026-12",
    )
    for round_ in (small, large):
        first = Target.objects.filter(round=round_).order_by("pk").first()
        client.post(
            url("scoring_form", round_.pk, first.pk), {"group": "higher", "item_party": "90"}
        )
    few = count_queries(client, url("scoring_round", small.pk))
    page_small = few.response
    many = count_queries(client, url("scoring_round", large.pk))
    page_large = many.response
    assert len(page_small.context["rows"]) == 2 and len(page_large.context["rows"]) == 30
    assert few == many
    home_few = count_queries(client, url("scoring_home"))
    _grow(tree.county_a, 5, "Y")
    open_live(
        personas.company,
        simple_scheme(tree.company, code="t_third"),
        tree.county_a,
        label="2027-01",
    )
    home_many = count_queries(client, url("scoring_home"))
    assert home_few == home_many
