"""打擂台 pages: members submit key events from a phone and rate each other's, never their own."""

import datetime as dt

import pytest

from bastion.agenda.tests.meetings_factories import png_bytes, upload
from bastion.core.testing import count_queries, login
from bastion.evaluation.models import KeyEvent, Score, Target
from bastion.evaluation.services.key_events import key_event_submit

from .helpers_scoring import (
    DIMENSIONS,
    arena_scheme,
    make_member,
    open_live,
    today,
    url,
)

pytestmark = pytest.mark.django_db

RATING = {
    "group": "peers",
    "item_political": "9",
    "item_skill": "8.5",
    "item_public": "10",
    "item_performance": "7",
    "comment": "值得学习",
}


@pytest.fixture
def arena(tree, personas, people):
    return open_live(personas.company, arena_scheme(tree.company), tree.company)


@pytest.fixture
def peer(tree, personas):
    """A second member account in station_a1 (zhang_san, the ``member`` persona, is the first)."""
    return make_member(tree.station_a1, "sun_ba", "孙八")


def event_post(**fields):
    data = {
        "title": "台风抢修",
        "happened_on": today().isoformat(),
        "description": "带领抢修队连续奋战 36 小时，恢复 1200 户供电。",
    }
    data.update(fields)
    return data


def submit(actor, round_, title="台风抢修"):
    return key_event_submit(
        actor=actor, round_=round_, title=title, happened_on=today(), description="经过"
    )


def test_a_member_submits_a_key_event_from_the_page(client, arena, personas, people, tree):
    login(client, personas.member)
    home = client.get(url("scoring_home")).content.decode()
    assert "提交我的关键事件" in home
    page = client.get(url("arena_event", arena.pk))
    assert page.status_code == 200
    response = client.post(url("arena_event", arena.pk), event_post())
    assert response.status_code == 302
    target = Target.objects.get(round=arena)
    assert (target.person, target.organization) == (people.zhang_san, tree.station_a1)
    assert target.key_event.title == "台风抢修"
    listing = client.get(response.url).content.decode()
    assert "我的关键事件" in listing and "台风抢修" in listing
    assert "修改我的关键事件" in client.get(url("scoring_home")).content.decode()


def test_a_peer_rates_the_event_on_the_four_dimensions(client, arena, personas, peer):
    event = submit(personas.member, arena)
    login(client, peer)
    listing = client.get(url("scoring_round", arena.pk))
    [row] = listing.context["rows"]
    assert row["event"] == event and not row["done"]
    form_url = url("scoring_form", arena.pk, event.target.pk)
    page = client.get(form_url).content.decode()
    assert "台风抢修" in page and 'inputmode="decimal"' in page and 'type="range"' in page
    for _code, name in DIMENSIONS:
        assert name in page
    response = client.post(form_url, RATING)
    assert response.status_code == 302
    saved = dict(Score.objects.filter(evaluator=peer).values_list("indicator", "value"))
    assert {k: float(v) for k, v in saved.items()} == {
        "political": 9,
        "skill": 8.5,
        "public": 10,
        "performance": 7,
    }
    assert set(Score.objects.values_list("group", flat=True)) == {"peers"}
    after = client.get(url("scoring_round", arena.pk))
    assert after.context["rows"][0]["done"]
    assert "已评议" in after.content.decode()


def test_the_author_cannot_rate_their_own_event(client, arena, personas, peer):
    event = submit(personas.member, arena)
    login(client, personas.member)
    listing = client.get(url("scoring_round", arena.pk))
    assert listing.context["rows"] == []  # their own shows only as 我的关键事件
    response = client.post(url("scoring_form", arena.pk, event.target.pk), RATING)
    assert response.status_code == 200
    assert "不能给自己评分" in response.content.decode()
    assert not Score.objects.exists()


def test_a_rating_above_ten_is_refused_naming_the_dimension(client, arena, personas, peer):
    event = submit(personas.member, arena)
    login(client, peer)
    response = client.post(
        url("scoring_form", arena.pk, event.target.pk), {**RATING, "item_skill": "11"}
    )
    assert "岗位技能" in response.context["form"].errors["item_skill"][0]
    assert not Score.objects.exists()


def test_members_of_another_branch_get_404(client, arena, personas, tree, peer):
    event = submit(personas.member, arena, title="带电作业")
    event.attachment.save("x.png", upload("x.png", png_bytes()), save=False)
    event.attachment_name = "现场.png"
    event.save()
    stranger = make_member(tree.station_b1, "zhou_jiu", "周九")
    login(client, stranger)
    assert client.get(url("scoring_form", arena.pk, event.target.pk)).status_code == 404
    assert client.post(url("scoring_form", arena.pk, event.target.pk), RATING).status_code == 404
    assert client.get(url("arena_event_file", event.pk)).status_code == 404
    listing = client.get(url("scoring_round", arena.pk)).content.decode()
    assert "带电作业" not in listing
    assert not Score.objects.exists()
    login(client, peer)
    download = client.get(url("arena_event_file", event.pk))
    assert download.status_code == 200
    assert "attachment" in download["Content-Disposition"]


def test_a_date_outside_the_period_is_refused_on_the_page(client, arena, personas):
    login(client, personas.member)
    late = (arena.period_end + dt.timedelta(days=1)).isoformat()
    response = client.post(url("arena_event", arena.pk), event_post(happened_on=late))
    assert response.status_code == 200
    assert "考评期间" in response.context["form"].errors["happened_on"][0]
    assert not Target.objects.filter(round=arena).exists()


def test_the_attachment_type_is_checked(client, arena, personas):
    login(client, personas.member)
    fake = upload("现场.png", b"<html>not a photo</html>")
    response = client.post(url("arena_event", arena.pk), event_post(attachment=fake))
    assert response.status_code == 200
    assert "现场.png" in response.context["form"].errors["attachment"][0]
    assert not KeyEvent.objects.exists()
    photo = upload("现场.png", png_bytes())
    assert (
        client.post(url("arena_event", arena.pk), event_post(attachment=photo)).status_code == 302
    )
    assert KeyEvent.objects.get().attachment_name == "现场.png"


def test_editing_prefills_and_replaces_the_event(client, arena, personas):
    submit(personas.member, arena)
    login(client, personas.member)
    form = client.get(url("arena_event", arena.pk)).context["form"]
    assert form["title"].value() == "台风抢修"
    client.post(url("arena_event", arena.pk), event_post(title="迎峰度夏"))
    assert KeyEvent.objects.get().title == "迎峰度夏"


def test_people_who_cannot_enter_get_404_on_the_event_form(client, arena, personas):
    for persona in ("company", "secretary_a", "outsider"):
        login(client, getattr(personas, persona))
        assert client.get(url("arena_event", arena.pk)).status_code == 404


def test_the_event_form_is_404_for_an_indicator_round(client, tree, personas):
    from .helpers import simple_scheme

    round_ = open_live(personas.company, simple_scheme(tree.company), tree.company)
    login(client, personas.member)
    assert client.get(url("arena_event", round_.pk)).status_code == 404


def test_home_offers_both_calls_to_action(client, arena, personas, peer):
    submit(personas.member, arena)
    login(client, peer)
    response = client.get(url("scoring_home"))
    [card] = response.context["cards"]
    assert card.arena and card.can_submit and card.my_event is None
    assert (card.pending, card.scored) == (1, 0)
    page = response.content.decode()
    assert "提交我的关键事件" in page and "去评议" in page


def test_the_arena_list_costs_the_same_queries_at_two_sizes(client, arena, personas, tree, peer):
    submit(personas.member, arena)
    login(client, peer)
    few = count_queries(client, url("scoring_round", arena.pk))
    small = few.response
    for index in range(8):
        submit(make_member(tree.station_a1, f"m{index}", f"党员{index}"), arena, f"事件{index}")
    many = count_queries(client, url("scoring_round", arena.pk))
    large = many.response
    assert (len(small.context["rows"]), len(large.context["rows"])) == (1, 9)
    assert few == many
    home_few = count_queries(client, url("scoring_home"))
    submit(make_member(tree.station_a1, "m_more", "党员甲"), arena, "事件甲")
    home_many = count_queries(client, url("scoring_home"))
    assert home_few == home_many
