"""打擂台: a member's key event through ``services.key_events.key_event_submit``."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bastion.agenda.tests.meetings_factories import pdf_bytes, png_bytes, upload
from bastion.evaluation.models import KeyEvent, Target
from bastion.evaluation.services.key_events import key_event_submit

from .helpers import simple_scheme
from .helpers_scoring import arena_scheme, make_member, open_live, today

pytestmark = pytest.mark.django_db


@pytest.fixture
def arena(tree, personas):
    return open_live(personas.company, arena_scheme(tree.company), tree.company)


def submit(actor, round_, **fields):
    values = {"title": "台风抢修", "happened_on": today(), "description": "连续奋战 36 小时。"}
    values.update(fields)
    return key_event_submit(actor=actor, round_=round_, **values)


def test_a_member_joins_the_arena_by_submitting_a_key_event(arena, personas, people, tree):
    assert not Target.objects.filter(round=arena).exists()  # arena rounds open empty
    event = submit(personas.member, arena)
    target = event.target
    assert (target.round, target.person, target.organization) == (
        arena,
        people.zhang_san,
        tree.station_a1,
    )
    assert event.title == "台风抢修"


def test_submitting_again_replaces_the_one_event(arena, personas):
    submit(personas.member, arena)
    event = submit(personas.member, arena, title="  迎峰度夏保供电  ", description="新的经过")
    assert KeyEvent.objects.filter(round=arena).count() == 1
    assert Target.objects.filter(round=arena).count() == 1
    event.refresh_from_db()
    assert (event.title, event.description) == ("迎峰度夏保供电", "新的经过")


def test_a_date_outside_the_period_is_refused(arena, personas):
    before = arena.period_start - dt.timedelta(days=1)
    with pytest.raises(ValidationError) as caught:
        submit(personas.member, arena, happened_on=before)
    assert "考评期间" in caught.value.message_dict["happened_on"][0]
    assert not Target.objects.filter(round=arena).exists()


def test_blank_title_and_description_are_refused(arena, personas):
    with pytest.raises(ValidationError) as caught:
        submit(personas.member, arena, title="  ", description="")
    assert set(caught.value.message_dict) == {"title", "description"}


def test_an_attachment_of_the_wrong_type_is_refused_and_nothing_written(arena, personas):
    fake = upload("经过.pdf", b"just some text, not a pdf")
    with pytest.raises(ValidationError) as caught:
        submit(personas.member, arena, attachment=fake)
    assert "经过.pdf" in caught.value.message_dict["attachment"][0]
    assert not Target.objects.filter(round=arena).exists()


def test_a_photo_is_stored_under_a_safe_name_and_the_original_name_kept(arena, personas):
    event = submit(personas.member, arena, attachment=upload("抢修现场.png", png_bytes()))
    assert event.attachment_name == "抢修现场.png"
    assert event.attachment.name.startswith(f"evaluation/events/{arena.pk}/")
    assert event.attachment.name.endswith(".png")
    replaced = submit(personas.member, arena, attachment=upload("总结.pdf", pdf_bytes()))
    assert replaced.attachment_name == "总结.pdf"


def test_only_members_in_the_round_subtree_may_submit(tree, personas, people):
    round_ = open_live(personas.company, arena_scheme(tree.company), tree.county_b)
    with pytest.raises(PermissionDenied):  # zhang_san's branch is in county_a
        submit(personas.member, round_)
    with pytest.raises(PermissionDenied):  # no person linked to the account
        submit(personas.company, round_)


def test_a_non_member_person_may_not_submit(arena, tree, people):
    from bastion.orgs.tests.factories import UserFactory, grant

    user = UserFactory(username="li_si")
    grant(user, "member", tree.station_a1)
    people.li_si.user = user
    people.li_si.save()
    with pytest.raises(PermissionDenied):
        submit(user, arena)


def test_a_member_without_the_add_grant_may_not_submit(arena, tree, people):
    from bastion.orgs.tests.factories import UserFactory

    user = UserFactory(username="no_grant")
    people.wang_wu.user = user
    people.wang_wu.save()
    with pytest.raises(PermissionDenied):
        submit(user, arena)


def test_a_closed_window_refuses_key_events(tree, personas):
    start = today() - dt.timedelta(days=20)
    round_ = open_live(
        personas.company,
        arena_scheme(tree.company),
        tree.company,
        window=(start, start + dt.timedelta(days=5)),
    )
    with pytest.raises(ValidationError):
        submit(personas.member, round_)


def test_an_indicator_round_takes_no_key_events(tree, personas):
    round_ = open_live(personas.company, simple_scheme(tree.company), tree.company)
    with pytest.raises(PermissionDenied):
        submit(personas.member, round_)


def test_a_second_member_gets_their_own_target(arena, tree, personas):
    other = make_member(tree.station_a1, "sun_ba", "孙八")
    submit(personas.member, arena)
    submit(other, arena, title="带徒传技")
    assert Target.objects.filter(round=arena, organization=tree.station_a1).count() == 2
