"""Computing a round asks first: how many scores are still missing, and that scoring closes (a
plain confirmation page, no script); the API reports the same. A member's own target is refused
in words that name the scheme's real evaluator groups."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from bastion.core.testing import login
from bastion.evaluation.models import RoundState
from bastion.evaluation.services import rounds as round_services

from .helpers import OPEN_DAY, open_round, simple_scheme
from .helpers_rounds import add_member, member_scheme, rate

pytestmark = pytest.mark.django_db


@pytest.fixture
def county_round(tree, personas):
    """A county_a round of the simple scheme (scored by the committee above): station_a2 is
    rated, station_a1 is not."""
    round_ = open_round(
        personas.county,
        simple_scheme(tree.company),
        tree.county_a,
        label="2026-09",
        period=(dt.date(2026, 9, 1), dt.date(2026, 9, 30)),
    )
    rate(personas.county, round_, "higher", {"party": 90, "business": 90}, org=tree.station_a2)
    return round_


def compute_url(round_):
    return reverse("evaluation:round_compute", args=[round_.pk])


def test_detail_offers_compute_as_a_link_to_the_confirmation(client, personas, county_round):
    client.force_login(personas.county)
    body = client.get(county_round.get_absolute_url()).content.decode()
    assert f'href="{compute_url(county_round)}" data-testid="compute-round"' in body


def test_confirmation_says_what_is_missing_and_that_scoring_closes(client, personas, county_round):
    client.force_login(personas.county)
    response = client.get(compute_url(county_round))
    assert response.status_code == 200
    body = response.content.decode()
    summary = response.context["summary"]
    assert (summary["missing_scores"], summary["missing_targets"]) == (1, 1)
    assert "还有 1 份评分未提交（涉及 1 个评价对象）" in body
    assert "上级党组织：缺 1 份" in body
    assert "计算后评分即关闭" in body
    form = body.split('data-testid="compute-confirm"')[1].split("</form>")[0]
    assert 'name="confirm" value="1"' in form  # a plain form: works without JavaScript
    assert "onsubmit" not in form and "<script" not in form
    county_round.refresh_from_db()
    assert county_round.state == RoundState.SCORING  # looking computes nothing


def test_a_post_without_confirm_only_asks(client, personas, county_round):
    client.force_login(personas.county)
    response = client.post(compute_url(county_round))
    assert response.status_code == 200 and "计算后评分即关闭" in response.content.decode()
    county_round.refresh_from_db()
    assert county_round.state == RoundState.SCORING


def test_confirming_computes_and_closes_scoring(client, tree, personas, county_round):
    client.force_login(personas.county)
    response = client.post(compute_url(county_round), {"confirm": "1"}, follow=True)
    assert "已计算" in response.content.decode()
    county_round.refresh_from_db()
    assert county_round.state == RoundState.COMPUTED
    with pytest.raises(ValidationError, match="本轮考评已结束评分"):
        rate(personas.county, county_round, "higher", {"party": 80}, org=tree.station_a1)


def test_recomputing_says_results_are_replaced(client, personas, county_round):
    round_services.round_compute(actor=personas.county, round_=county_round)
    client.force_login(personas.county)
    body = client.get(compute_url(county_round)).content.decode()
    assert "重新计算将用当前评分覆盖现有结果" in body and "计算后评分即关闭" not in body


def test_a_closed_round_is_not_offered(client, personas, county_round):
    round_services.round_compute(actor=personas.county, round_=county_round)
    round_services.round_publish(actor=personas.county, round_=county_round, today=OPEN_DAY)
    round_services.round_close(actor=personas.county, round_=county_round)
    client.force_login(personas.county)
    response = client.get(compute_url(county_round), follow=True)
    assert "该轮次已归档，不能重新计算" in response.content.decode()


@pytest.mark.parametrize("persona", ["secretary_a", "member", "secretary_b", "outsider"])
def test_confirmation_is_404_without_the_right(client, personas, county_round, persona):
    client.force_login(getattr(personas, persona))
    assert client.get(compute_url(county_round)).status_code == 404


# --- the API ----------------------------------------------------------------------------------


def api_url(round_):
    return f"/api/v1/rounds/{round_.pk}/compute/"


def test_api_preview_reports_the_missing_scores(client, personas, county_round):
    login(client, personas.county)
    response = client.get(api_url(county_round))
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["targets"], body["missing_scores"], body["missing_targets"]) == (2, 1, 1)
    assert body["groups"] == [{"group": "higher", "name": "上级党组织", "missing": 1}]
    assert body["closes_scoring"] is True
    assert "还有 1 份评分未提交" in body["message"] and "评分即关闭" in body["message"]
    county_round.refresh_from_db()
    assert county_round.state == RoundState.SCORING


def test_api_compute_reports_what_was_missing(client, personas, county_round):
    login(client, personas.county)
    response = client.post(api_url(county_round))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["state"] == "computed"
    assert (body["missing_scores"], body["missing_targets"]) == (1, 1)


@pytest.mark.parametrize("persona, expected", [("secretary_a", 403), ("outsider", 404)])
def test_api_preview_needs_the_right(client, personas, county_round, persona, expected):
    login(client, getattr(personas, persona))
    assert client.get(api_url(county_round)).status_code == expected


# --- rating oneself ---------------------------------------------------------------------------


def test_own_target_refusal_names_the_schemes_groups(tree, personas):
    person = add_member(tree.station_a1, "王五")
    round_ = open_round(personas.company, member_scheme(tree.company), tree.station_a1)
    with pytest.raises(ValidationError) as refused:
        rate(person.user, round_, "peers", {"conduct": 90}, person=person)
    assert refused.value.message_dict["target"] == [
        "不能给自己评分：本方案的评价主体为“自评”“互评”“上级党组织”，本人只能以“自评”评价自己。"
    ]


def test_own_target_refusal_without_self_group_says_there_is_none(tree, personas):
    person = add_member(tree.station_a1, "王五")
    scheme = member_scheme(tree.company, groups=(("peers", 1), ("higher", 1)))
    round_ = open_round(personas.company, scheme, tree.station_a1)
    with pytest.raises(ValidationError) as refused:
        rate(person.user, round_, "peers", {"conduct": 90}, person=person)
    [message] = refused.value.message_dict["target"]
    assert "“互评”“上级党组织”" in message and "不含自评" in message
    assert "peers" not in message
