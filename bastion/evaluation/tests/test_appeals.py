"""Appeals: a member appeals their own published result within the window; the county answers;
an upheld appeal recomputes the round and the raiser is told."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bastion.core.notifications.models import Notification
from bastion.evaluation.models import Appeal, AppealState, RoundState, Score, Target
from bastion.evaluation.services import appeals, rounds, scores

from .helpers import OPEN_DAY, open_round, simple_scheme

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(tree, people, personas):
    """A monthly member round over the company, scored, computed and published today."""
    people.li_si.membership_status = "full"
    people.li_si.save()
    scheme = simple_scheme(tree.company, target_kind="member")
    round_ = open_round(personas.company, scheme, tree.company)
    for person, value in ((people.zhang_san, 80), (people.li_si, 70), (people.wang_wu, 60)):
        scores.score_submit(
            actor=personas.county,
            round_=round_,
            target=target_of(round_, person),
            group="higher",
            values={"party": value, "business": value},
            today=OPEN_DAY,
        )
    rounds.round_compute(actor=personas.company, round_=round_)
    rounds.round_publish(actor=personas.company, round_=round_, today=timezone.localdate())
    round_.refresh_from_db()
    return round_


def target_of(round_, person) -> Target:
    return Target.objects.get(round=round_, person=person)


def create_url(target) -> str:
    return reverse("evaluation:appeal_create", args=[target.pk])


def raise_appeal(user, target, reason="党建管理得分与会议记录不符") -> Appeal:
    return appeals.appeal_raise(actor=user, target=target, reason=reason)


# --- raising ------------------------------------------------------------------------------


def test_a_member_appeals_their_own_published_result(client, people, personas, published):
    own = target_of(published, people.zhang_san)
    client.force_login(personas.member)
    assert 'name="reason"' in client.get(create_url(own)).content.decode()
    response = client.post(create_url(own), {"reason": "三会一课记录齐全，得分偏低"})
    assert response.status_code == 302
    appeal = Appeal.objects.get(target=own)
    assert (appeal.raised_by, appeal.state) == (personas.member, AppealState.OPEN)


@pytest.mark.parametrize("persona", ["member", "outsider", "secretary_b"])
def test_others_cannot_appeal_a_members_result(client, people, personas, published, persona):
    """The member's own branch mate, an outsider and another county's secretary get 404 (the
    county above may raise one on the branch's behalf, as the secretary may)."""
    target = target_of(published, people.li_si)
    client.force_login(getattr(personas, persona))
    assert client.get(create_url(target)).status_code == 404
    assert client.post(create_url(target), {"reason": "不服"}).status_code == 404
    assert not Appeal.objects.exists()
    with pytest.raises(PermissionDenied):
        raise_appeal(getattr(personas, persona), target)


def test_the_branch_secretary_appeals_for_a_member_of_the_branch(people, personas, published):
    appeal = raise_appeal(personas.secretary_a, target_of(published, people.li_si))
    assert appeal.raised_by == personas.secretary_a


def test_the_window_closes_after_appeal_until(client, people, personas, published):
    own = target_of(published, people.zhang_san)
    late = published.appeal_until + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as caught:
        appeals.appeal_raise(actor=personas.member, target=own, reason="迟到", today=late)
    assert f"申诉期已于 {published.appeal_until.isoformat()} 截止。" in caught.value.messages
    assert appeals.appeal_raise(
        actor=personas.member, target=own, reason="当天", today=published.appeal_until
    )

    published.appeal_until = timezone.localdate() - dt.timedelta(days=1)
    published.save()
    Appeal.objects.all().delete()
    client.force_login(personas.member)
    text = client.get(create_url(own)).content.decode()
    assert 'data-testid="closed"' in text and 'name="reason"' not in text
    text = client.post(create_url(own), {"reason": "不服"}).content.decode()
    assert "截止" in text
    assert not Appeal.objects.exists()


def test_no_appeal_before_publication_or_after_closing(tree, people, personas, published):
    published.state = RoundState.COMPUTED
    published.save()
    with pytest.raises(ValidationError) as caught:
        raise_appeal(personas.member, target_of(published, people.zhang_san))
    assert "本轮考评结果尚未发布，暂不能申诉。" in caught.value.messages
    published.state = RoundState.CLOSED
    published.save()
    with pytest.raises(ValidationError) as caught:
        raise_appeal(personas.member, target_of(published, people.zhang_san))
    assert "本轮考评已归档，不再受理申诉。" in caught.value.messages


def test_one_open_appeal_per_target_and_a_reason_is_required(people, personas, published):
    own = target_of(published, people.zhang_san)
    with pytest.raises(ValidationError) as caught:
        raise_appeal(personas.member, own, reason="   ")
    assert "请填写申诉理由。" in caught.value.messages
    raise_appeal(personas.member, own)
    with pytest.raises(ValidationError) as caught:
        raise_appeal(personas.secretary_a, own)
    assert "该考评对象已有待处理的申诉，请等待处理结果。" in caught.value.messages
    assert Appeal.objects.count() == 1


# --- the list -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "sees", "answers"),
    [
        ("company", True, True),
        ("county", True, True),
        ("secretary_a", True, False),
        ("secretary_b", False, False),
        ("member", True, False),
        ("outsider", None, False),
    ],
)
def test_the_list_shows_each_persona_the_appeals_in_scope(
    client, people, personas, published, persona, sees, answers
):
    appeal = raise_appeal(personas.member, target_of(published, people.zhang_san))
    client.force_login(getattr(personas, persona))
    response = client.get(reverse("evaluation:appeal_list"), {"state": "all"})
    if sees is None:
        assert response.status_code == 404
        return
    text = response.content.decode()
    assert ("党建管理得分与会议记录不符" in text) == sees
    assert (f'data-testid="answer-{appeal.pk}"' in text) == answers
    answer_page = client.get(reverse("evaluation:appeal_answer", args=[appeal.pk]))
    assert answer_page.status_code == (200 if answers else 404)


def test_the_list_costs_the_same_queries_for_few_and_many_appeals(
    client, tree, personas, published
):
    client.force_login(personas.company)
    targets = list(Target.objects.filter(round=published))
    url = reverse("evaluation:appeal_list")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, {"state": "all"}).status_code == 200
        return len(queries)

    Appeal.objects.create(target=targets[0], reason="一", raised_by=personas.member)
    few = count()
    for n in range(10):
        target = targets[n % len(targets)]
        Appeal.objects.create(
            target=target,
            reason=f"第{n}条",
            raised_by=personas.secretary_a,
            state=AppealState.DISMISSED,
        )
    assert count() == few


# --- answering ----------------------------------------------------------------------------


def answer_url(appeal) -> str:
    return reverse("evaluation:appeal_answer", args=[appeal.pk])


def test_an_answer_is_required(client, people, personas, published):
    appeal = raise_appeal(personas.member, target_of(published, people.zhang_san))
    client.force_login(personas.county)
    text = client.post(answer_url(appeal), {"decision": "dismiss", "answer": ""}).content
    assert "请填写处理意见。" in text.decode()
    appeal.refresh_from_db()
    assert appeal.state == AppealState.OPEN
    with pytest.raises(ValidationError):
        appeals.appeal_answer(actor=personas.county, appeal=appeal, uphold=False, answer=" ")


def test_the_branch_secretary_cannot_answer(people, personas, published):
    appeal = raise_appeal(personas.member, target_of(published, people.zhang_san))
    with pytest.raises(PermissionDenied):
        appeals.appeal_answer(actor=personas.secretary_a, appeal=appeal, uphold=True, answer="同意")


def test_upholding_recomputes_the_round_and_tells_the_member(client, people, personas, published):
    own = target_of(published, people.zhang_san)
    assert own.total == Decimal("80.00")
    appeal = raise_appeal(personas.member, own)
    # The county corrects the score the appeal was about, then upholds it.
    Score.objects.filter(target=own, indicator="party").update(value=Decimal(95))
    client.force_login(personas.county)
    response = client.post(answer_url(appeal), {"decision": "uphold", "answer": "已核实，更正得分"})
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.total == Decimal("89.00")  # 60 × 0.95 + 40 × 0.8
    appeal.refresh_from_db()
    assert (appeal.state, appeal.answered_by) == (AppealState.UPHELD, personas.county)
    note = Notification.objects.get(recipient=personas.member)
    assert (note.level, note.body) == ("info", "已核实，更正得分")
    assert "已采纳并重算" in note.title
    assert note.url == reverse("evaluation:target_detail", args=[own.pk])


def test_dismissing_changes_nothing_but_the_appeal(people, personas, published):
    own = target_of(published, people.zhang_san)
    appeal = raise_appeal(personas.member, own)
    Score.objects.filter(target=own, indicator="party").update(value=Decimal(95))
    appeals.appeal_answer(actor=personas.county, appeal=appeal, uphold=False, answer="评分无误")
    own.refresh_from_db()
    assert own.total == Decimal("80.00")
    appeal.refresh_from_db()
    assert appeal.state == AppealState.DISMISSED
    assert "已驳回" in Notification.objects.get(recipient=personas.member).title
    with pytest.raises(ValidationError) as caught:
        appeals.appeal_answer(actor=personas.county, appeal=appeal, uphold=True, answer="再议")
    assert "该申诉已处理，不能重复处理。" in caught.value.messages


def test_a_closed_round_is_not_recomputed(people, personas, published):
    appeal = raise_appeal(personas.member, target_of(published, people.zhang_san))
    rounds.round_close(actor=personas.company, round_=published)
    appeal.refresh_from_db()
    with pytest.raises(ValidationError):
        appeals.appeal_answer(actor=personas.county, appeal=appeal, uphold=True, answer="同意")
    appeal.refresh_from_db()
    assert appeal.state == AppealState.OPEN
