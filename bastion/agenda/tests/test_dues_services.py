"""Dues writes: profiles from the brackets, payments with their refusals, and the branch's
monthly dues obligation turning done (or late) by itself."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bastion.agenda.models import DuesPayment, DuesProfile, Obligation
from bastion.agenda.services import dues as services
from bastion.agenda.services.dues_fulfilment import (
    collecting_branch,
    dues_roster,
    refresh_dues_obligations,
)
from bastion.agenda.services.obligations import generate_year
from bastion.orgs.tests.factories import PersonFactory, make_org

from .conftest import enter_long_ago

D = dt.date
JOINED = {"membership_status": "full", "admitted_on": D(2010, 7, 1), "confirmed_on": D(2011, 7, 1)}


@pytest.fixture
def today(monkeypatch):
    """Pin "today" for the services and selectors (they read timezone.localdate())."""
    day = D(2025, 6, 15)
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: day)
    return day


# --- profiles ---------------------------------------------------------------------------------


def test_profile_amount_follows_the_brackets(personas, people, today):
    profile = services.profile_set(
        actor=personas.secretary_a,
        person=people.zhang_san,
        year=2025,
        category="employed",
        base="4000",
    )
    assert (profile.base, profile.monthly_amount, profile.set_by) == (
        Decimal("4000.00"),
        Decimal("40.00"),
        personas.secretary_a,
    )
    profile = services.profile_set(
        actor=personas.secretary_a,
        person=people.zhang_san,
        year=2025,
        category="retired",
        base="6000",
    )
    assert DuesProfile.objects.get().monthly_amount == Decimal("60.00")
    fixed = services.profile_set(
        actor=personas.county, person=people.wang_wu, year=2025, category="fixed", base=""
    )
    assert (fixed.base, fixed.monthly_amount) == (None, Decimal("0.20"))


@pytest.mark.parametrize("base", ["-5", "abc", "1.234", ""])
def test_bad_base_writes_nothing(personas, people, today, base):
    with pytest.raises(ValidationError):
        services.profile_set(
            actor=personas.secretary_a,
            person=people.zhang_san,
            year=2025,
            category="employed",
            base=base,
        )
    assert not DuesProfile.objects.exists()


def test_profile_only_for_members_inside_scope(personas, people, today):
    with pytest.raises(ValidationError, match="不是党员"):
        services.profile_set(
            actor=personas.secretary_a,
            person=people.li_si,
            year=2025,
            category="employed",
            base="4000",
        )
    with pytest.raises(PermissionDenied):
        services.profile_set(
            actor=personas.secretary_b,
            person=people.zhang_san,
            year=2025,
            category="employed",
            base="4000",
        )
    with pytest.raises(ValidationError, match="年度"):
        services.profile_set(
            actor=personas.secretary_a,
            person=people.zhang_san,
            year=1999,
            category="employed",
            base="4000",
        )
    assert not DuesProfile.objects.exists()


def test_profiles_set_many_is_all_or_nothing(personas, people, today):
    entries = [(people.zhang_san, "employed", "4000"), (people.wang_wu, "employed", "-1")]
    with pytest.raises(ValidationError) as caught:
        services.profiles_set_many(actor=personas.county, year=2025, entries=entries)
    assert list(caught.value.message_dict) == [f"p{people.wang_wu.pk}"]
    assert not DuesProfile.objects.exists()
    entries[1] = (people.wang_wu, "retired", "3000")
    assert services.profiles_set_many(actor=personas.county, year=2025, entries=entries) == 2
    assert services.profiles_set_many(actor=personas.county, year=2025, entries=entries) == 0


# --- payments ---------------------------------------------------------------------------------


MARCH, MARCH_10 = D(2025, 3, 1), D(2025, 3, 10)


def record(actor, person, month=MARCH, amount="40", paid_on=MARCH_10):
    return services.payment_record(
        actor=actor, person=person, month=month, amount=amount, paid_on=paid_on
    )


def test_payment_is_collected_by_the_branch_above_a_group(personas, tree, people, today):
    member = PersonFactory(organization=tree.group_a1, **JOINED)
    payment = record(personas.secretary_a, member, month=D(2025, 3, 17))
    assert payment.month == D(2025, 3, 1)
    assert payment.organization == tree.station_a1
    assert payment.recorded_by == personas.secretary_a
    assert collecting_branch(tree.group_a1) == tree.station_a1
    assert collecting_branch(tree.station_a1) == tree.station_a1
    roster = set(dues_roster(tree.station_a1))
    assert member in roster and people.zhang_san in roster and people.li_si not in roster


@pytest.mark.parametrize(
    "changes,message",
    [
        ({"amount": "0"}, "金额必须大于 0"),
        ({"amount": "-3"}, "金额必须大于 0"),
        ({"amount": "1.005"}, "两位小数"),
        ({"amount": "x"}, "不是有效数字"),
        ({"paid_on": D(2025, 6, 16)}, "不能晚于今天"),
        ({"paid_on": None}, "请填写缴纳日期"),
        ({"month": "2025-13"}, "所属月份"),
        ({"month": D(2009, 1, 1)}, "早于“张三”的入党日期"),
    ],
)
def test_bad_payment_is_refused(personas, people, today, changes, message):
    args = {"month": D(2025, 3, 1), "amount": "40", "paid_on": D(2025, 3, 10), **changes}
    with pytest.raises(ValidationError) as caught:
        record(personas.secretary_a, people.zhang_san, **args)
    assert message in " ".join(caught.value.messages)
    assert not DuesPayment.objects.exists()


def test_duplicate_month_non_member_and_scope_are_refused(personas, people, today):
    record(personas.secretary_a, people.zhang_san)
    with pytest.raises(ValidationError, match="已登记"):
        record(personas.secretary_a, people.zhang_san, month=D(2025, 3, 31))
    with pytest.raises(ValidationError, match="不是党员"):
        record(personas.secretary_a, people.li_si)
    with pytest.raises(PermissionDenied):
        record(personas.secretary_b, people.zhang_san, month=D(2025, 4, 1))
    with pytest.raises(PermissionDenied):
        record(personas.member, people.zhang_san, month=D(2025, 4, 1))
    assert DuesPayment.objects.count() == 1


def test_quarter_is_all_or_nothing(personas, people, today):
    record(personas.secretary_a, people.zhang_san, month=D(2025, 5, 1), paid_on=D(2025, 5, 2))
    with pytest.raises(ValidationError, match="2025-05"):
        services.payment_record_quarter(
            actor=personas.secretary_a,
            person=people.zhang_san,
            year=2025,
            quarter=2,
            amount="40",
            paid_on=D(2025, 4, 1),
        )
    assert DuesPayment.objects.count() == 1
    with pytest.raises(ValidationError, match="季度"):
        services.quarter_months(2025, 5)


def test_payment_delete_needs_scope(personas, people, today):
    payment = record(personas.secretary_a, people.zhang_san)
    with pytest.raises(PermissionDenied):
        services.payment_delete(actor=personas.secretary_b, payment=payment)
    services.payment_delete(actor=personas.secretary_a, payment=payment)
    assert not DuesPayment.objects.exists()


# --- the branch's monthly obligation ----------------------------------------------------------


def dues_obligation(org, month):
    return Obligation.objects.get(organization=org, kind="dues", period_start=month)


def test_obligation_done_when_every_member_paid_late_when_the_last_was_late(
    personas, tree, people, today
):
    generate_year(2025)
    march = D(2025, 3, 1)
    group_member = PersonFactory(organization=tree.group_a1, **JOINED)
    enter_long_ago(group_member)
    record(personas.secretary_a, people.zhang_san, paid_on=D(2025, 3, 10))
    obligation = dues_obligation(tree.station_a1, march)
    assert obligation.fulfilled_on is None  # the group's member has not paid yet
    payment = record(personas.secretary_a, group_member, paid_on=D(2025, 3, 20))
    obligation.refresh_from_db()
    assert obligation.fulfilled_on == D(2025, 3, 20)
    assert obligation.alert(today) == "done"

    services.payment_delete(actor=personas.secretary_a, payment=payment)
    obligation.refresh_from_db()
    assert obligation.fulfilled_on is None and obligation.alert(today) == "red"
    record(personas.secretary_a, group_member, paid_on=D(2025, 4, 5))
    obligation.refresh_from_db()
    assert obligation.fulfilled_on == D(2025, 4, 5) and obligation.alert(today) == "late"
    assert dues_obligation(tree.station_a2, march).fulfilled_on is None  # 王五 has not paid


def test_generate_year_links_payments_made_before_the_obligations(personas, tree, people, today):
    record(personas.county, people.wang_wu, month=D(2025, 2, 1), paid_on=D(2025, 1, 28))
    generate_year(2025)
    obligation = dues_obligation(tree.station_a2, D(2025, 2, 1))
    assert obligation.fulfilled_on == D(2025, 1, 28) and obligation.alert(today) == "done"
    assert dues_obligation(tree.station_a2, D(2025, 3, 1)).fulfilled_on is None


def test_member_admitted_later_does_not_hold_the_month_open(personas, tree, people, today):
    generate_year(2025)
    PersonFactory(
        organization=tree.station_a1, membership_status="probationary", admitted_on=D(2025, 5, 10)
    )
    record(personas.secretary_a, people.zhang_san, month=D(2025, 4, 1), paid_on=D(2025, 4, 3))
    assert dues_obligation(tree.station_a1, D(2025, 4, 1)).fulfilled_on == D(2025, 4, 3)


def refresh_cost(pairs) -> int:
    with CaptureQueriesContext(connection) as ctx:
        refresh_dues_obligations(pairs)
    return len(ctx.captured_queries)


def test_refresh_costs_the_same_for_one_branch_or_many(tree, people, today):
    generate_year(2025)
    first = {(tree.station_a1.pk, D(2025, 1, 1))}
    DuesPayment.objects.create(
        person=people.zhang_san,
        organization=tree.station_a1,
        month=D(2025, 1, 1),
        amount=Decimal("40"),
        paid_on=D(2025, 1, 5),
    )
    small = refresh_cost(first)
    assert dues_obligation(tree.station_a1, D(2025, 1, 1)).fulfilled_on == D(2025, 1, 5)
    for i in range(25):
        branch = make_org(tree.county_b, name=f"扩展支部{i}", code=f"C-B-X{i:03d}")
        group = make_org(branch, name=f"扩展小组{i}", code=f"C-B-X{i:03d}-G", kind="group")
        for org in (branch, group):
            person = PersonFactory(organization=org, **JOINED)
            for month in range(1, 7):
                DuesPayment.objects.create(
                    person=person,
                    organization=branch,
                    month=D(2025, month, 1),
                    amount=Decimal("1"),
                    paid_on=D(2025, month, 2),
                )
    generate_year(2025)
    Obligation.objects.filter(kind="dues").update(fulfilled_on=None)
    every = set(
        Obligation.objects.filter(kind="dues", period_start__lte=D(2025, 6, 1)).values_list(
            "organization_id", "period_start"
        )
    )
    assert len(every) > 150
    assert refresh_cost(every) == small
    done = Obligation.objects.filter(kind="dues", fulfilled_on__isnull=False)
    assert done.filter(organization__name__startswith="扩展").count() == 25 * 6
