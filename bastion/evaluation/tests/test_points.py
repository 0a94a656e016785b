"""党员积分手册 services and selectors: who records what in which state, who reviews, the
evidence and date rules, balances."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from bastion.core.notifications.models import Notification
from bastion.evaluation import selectors_points as selectors
from bastion.evaluation.models import PointsEntry
from bastion.evaluation.services.points import points_entry_create, points_entry_review
from bastion.orgs.tests.factories import PersonFactory

from .helpers_points import TODAY, entry, make_items, png

pytestmark = pytest.mark.django_db


@pytest.fixture
def items(db):
    return make_items()


def record(actor, person, item, **kwargs):
    kwargs.setdefault("occurred_on", TODAY)
    return points_entry_create(actor=actor, person=person, item=item, today=TODAY, **kwargs)


def errors_of(call) -> dict:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.message_dict


def test_member_records_own_points_pending(personas, people, items):
    made = record(personas.member, people.zhang_san, items["t_study"], note="学习党章")
    assert (made.state, made.points, made.recorded_by) == ("pending", Decimal("2"), personas.member)
    assert made.approver is None and made.note == "学习党章"


def test_member_cannot_approve_own_or_record_for_others(personas, people, items):
    made = record(personas.member, people.zhang_san, items["t_study"])
    with pytest.raises(PermissionDenied):
        points_entry_review(actor=personas.member, entry=made, approve=True)
    with pytest.raises(PermissionDenied):
        record(personas.member, people.wang_wu, items["t_study"])
    made.refresh_from_db()
    assert made.state == "pending"


def test_secretary_cannot_approve_own_entry(personas, tree, items):
    own = PersonFactory(
        name="书记甲",
        organization=tree.station_a1,
        membership_status="full",
        user=personas.secretary_a,
    )
    made = record(personas.secretary_a, own, items["t_study"])
    assert made.state == "pending"
    errors = pytest.raises(
        ValidationError, points_entry_review, actor=personas.secretary_a, entry=made, approve=True
    )
    assert "不能审核自己的积分记录" in str(errors.value)
    points_entry_review(actor=personas.county, entry=made, approve=True)
    made.refresh_from_db()
    assert made.state == "approved" and made.approver == personas.county


def test_secretary_approves_within_branch(personas, people, items):
    made = record(personas.member, people.zhang_san, items["t_study"])
    points_entry_review(actor=personas.secretary_a, entry=made, approve=True)
    made.refresh_from_db()
    assert (made.state, made.approver) == ("approved", personas.secretary_a)
    assert made.approved_at is not None
    again = pytest.raises(
        ValidationError, points_entry_review, actor=personas.secretary_a, entry=made, approve=False
    )
    assert "只能审核待审核的记录" in str(again.value)


def test_secretary_records_for_a_member_approved_at_once(personas, people, items):
    made = record(personas.secretary_a, people.zhang_san, items["t_late"], points="-2")
    assert (made.state, made.approver, made.points) == (
        "approved",
        personas.secretary_a,
        Decimal("-2"),
    )


def test_other_branch_secretary_can_neither_review_nor_record(personas, people, items):
    made = record(personas.member, people.zhang_san, items["t_study"])
    with pytest.raises(PermissionDenied):
        points_entry_review(actor=personas.secretary_b, entry=made, approve=True)
    with pytest.raises(PermissionDenied):
        record(personas.secretary_b, people.zhang_san, items["t_study"])
    assert record(personas.secretary_b, people.zhao_liu, items["t_study"]).state == "approved"


def test_rejection_notifies_the_member_with_the_reason(personas, people, items):
    made = record(personas.member, people.zhang_san, items["t_study"])
    points_entry_review(actor=personas.secretary_a, entry=made, approve=False, reason="无记录")
    made.refresh_from_db()
    assert made.state == "rejected"
    note = Notification.objects.get(recipient=personas.member)
    assert "无记录" in note.body and note.url.endswith("/points/mine/")


def test_evidence_required_and_checked(personas, people, items):
    missing = errors_of(lambda: record(personas.member, people.zhang_san, items["t_guard"]))
    assert "须附佐证材料" in missing["evidence"][0]
    fake = SimpleUploadedFile("photo.png", b"not an image at all", content_type="image/png")
    bad = errors_of(
        lambda: record(personas.member, people.zhang_san, items["t_guard"], evidence=fake)
    )
    assert "不是允许的类型" in bad["evidence"][0]
    made = record(personas.member, people.zhang_san, items["t_guard"], evidence=png("现场.png"))
    assert made.evidence_name == "现场.png" and made.evidence.name.endswith(".png")
    assert PointsEntry.objects.count() == 1


def test_future_date_refused_and_today_allowed(personas, people, items):
    future = errors_of(
        lambda: record(
            personas.member,
            people.zhang_san,
            items["t_study"],
            occurred_on=TODAY + dt.timedelta(days=1),
        )
    )
    assert "不能晚于今天" in future["occurred_on"][0]
    assert record(personas.member, people.zhang_san, items["t_study"]).occurred_on == TODAY


def test_inactive_item_non_member_and_member_points_refused(personas, people, items):
    inactive = errors_of(lambda: record(personas.member, people.zhang_san, items["t_old"]))
    assert "已停用" in inactive["item"][0]
    non_member = errors_of(lambda: record(personas.secretary_a, people.li_si, items["t_study"]))
    assert "不是党员" in non_member["person"][0]
    own_points = errors_of(
        lambda: record(personas.member, people.zhang_san, items["t_study"], points="10")
    )
    assert "只有审核人可以调整" in own_points["points"][0]
    bad = errors_of(
        lambda: record(personas.secretary_a, people.zhang_san, items["t_study"], points="0")
    )
    assert "不等于 0" in bad["points"][0]
    assert not PointsEntry.objects.exists()


def test_balances_count_approved_points_of_the_period(people, items):
    zhang, wang = people.zhang_san, people.wang_wu
    entry(zhang, items["t_study"])
    entry(zhang, items["t_guard"], on=TODAY.replace(day=1))
    entry(zhang, items["t_late"])
    entry(zhang, items["t_study"], state="pending")
    entry(zhang, items["t_study"], state="rejected")
    entry(zhang, items["t_guard"], on=dt.date(2026, 2, 28))
    entry(wang, items["t_guard"], on=dt.date(2026, 3, 31))
    march = selectors.month_bounds(TODAY)
    assert march == (dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    totals = selectors.balances(PointsEntry.objects.all(), *march)
    assert totals == {zhang.pk: Decimal("6"), wang.pk: Decimal("5")}
    ranking = selectors.ranking(PointsEntry.objects.all(), *march)
    assert [(r["person__name"], r["total"]) for r in ranking] == [("张三", 6), ("王五", 5)]
    monthly = selectors.monthly(PointsEntry.objects.filter(person=zhang), TODAY)
    assert len(monthly) == 12 and monthly[0]["month"] == dt.date(2025, 4, 1)
    assert (monthly[-1]["total"], monthly[-1]["counted"], monthly[-1]["pending"]) == (6, 3, 1)
    assert monthly[-2]["total"] == 5 and monthly[-3]["total"] == 0


def test_months_back_crosses_the_year():
    months = selectors.months_back(dt.date(2026, 1, 15), 3)
    assert months == [dt.date(2025, 11, 1), dt.date(2025, 12, 1), dt.date(2026, 1, 1)]


def test_pending_queue_excludes_own_and_out_of_scope(personas, tree, people, items):
    own = PersonFactory(
        name="书记甲",
        organization=tree.station_a1,
        membership_status="full",
        user=personas.secretary_a,
    )
    theirs = entry(people.zhang_san, items["t_study"], state="pending")
    entry(own, items["t_study"], state="pending")
    entry(people.zhao_liu, items["t_study"], state="pending")
    assert list(selectors.pending_for(personas.secretary_a)) == [theirs]
    assert selectors.pending_for(personas.county).count() == 2


def test_evidence_required_item_cannot_be_approved_without_a_file(personas, people, items):
    """An entry that reached the queue without its file (recorded before the item asked for
    evidence, or imported) cannot count: approving names the item; rejecting still works."""
    bare = entry(people.zhang_san, items["t_guard"], state="pending")
    with pytest.raises(ValidationError) as refused:
        points_entry_review(actor=personas.secretary_a, entry=bare, approve=True)
    assert "测试现场保安" in str(refused.value) and "佐证" in str(refused.value)
    bare.refresh_from_db()
    assert (bare.state, bare.approver) == ("pending", None)
    points_entry_review(actor=personas.secretary_a, entry=bare, approve=False, reason="缺佐证")
    bare.refresh_from_db()
    assert bare.state == "rejected"


def test_evidence_required_item_with_a_file_is_approved(personas, people, items):
    made = record(personas.member, people.zhang_san, items["t_guard"], evidence=png())
    points_entry_review(actor=personas.secretary_a, entry=made, approve=True)
    made.refresh_from_db()
    assert made.state == "approved"


def test_approver_recording_an_evidence_item_needs_the_file_too(personas, people, items):
    """An entry recorded by an approver counts at once: the evidence rule holds there too."""
    missing = errors_of(lambda: record(personas.secretary_a, people.zhang_san, items["t_guard"]))
    assert "测试现场保安" in missing["evidence"][0]
    assert not PointsEntry.objects.exists()
