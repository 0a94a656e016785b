"""No round without its data (issue 14): computing checks every data-fed indicator, rank titles are
never given on data that is not there, and publishing needs a decision per indicator."""

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError

from bastion.core.periods import QUARTER, Period
from bastion.evaluation.models import DataDecision, RoundDataDecision, RoundState, Target
from bastion.evaluation.selectors_readiness import MISSING, PARTIAL, round_readiness
from bastion.evaluation.services import rounds

from .helpers_readiness import (
    benchmark_values,
    current_month,
    four_factor_round,
    month_round_before_import,
    station_company,
    titles_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def company(tree):
    return station_company(tree)


@pytest.fixture
def month_round(tree, personas, company):
    return month_round_before_import(tree, personas)


def benchmark_items(round_):
    return [i["code"] for i in round_.snapshot["indicators"] if i.get("source") == "benchmark"]


def test_readiness_lists_every_gap_by_indicator_and_station(tree, company, month_round):
    readiness = round_readiness(month_round)
    gaps = {item.code: item for item in readiness.with_gaps}
    station_names = {org.name for org in company.stations}
    for code in benchmark_items(month_round):
        assert {g.label for g in gaps[code].gaps} == station_names
        assert {g.state for g in gaps[code].gaps} == {MISSING}
    obligations = {g.label: g.state for g in gaps["obligation_rate"].gaps}
    assert obligations == {
        "A3供电所党支部": MISSING,
        "A4供电所党支部": MISSING,
        "B2供电所党支部": MISSING,
    }
    # nothing to rectify and no task sheet to answer is not missing data
    assert "rectification_rate" not in gaps and "task_rate" not in gaps


def test_publishing_needs_a_decision_for_every_indicator_with_gaps(personas, month_round):
    rounds.round_compute(actor=personas.company, round_=month_round)
    with pytest.raises(ValidationError, match="尚未决定如何处理") as refused:
        rounds.round_publish(actor=personas.company, round_=month_round)
    assert "组织生活按期完成" in str(refused.value) and "电费回收率" in str(refused.value)
    month_round.refresh_from_db()
    assert month_round.state == RoundState.COMPUTED


def decide_all(actor, round_, decision, codes=None):
    for item in round_readiness(round_).with_gaps:
        if codes is None or item.code in codes:
            rounds.round_data_decide(
                actor=actor, round_=round_, indicator=item.code, decision=decision, note="测试"
            )


def test_waiting_blocks_publishing_until_the_data_comes(tree, personas, company, month_round):
    actor = personas.company
    decide_all(actor, month_round, DataDecision.EXCLUDE, codes=["obligation_rate"])
    decide_all(actor, month_round, DataDecision.WAIT, codes=benchmark_items(month_round))
    rounds.round_compute(actor=actor, round_=month_round)
    with pytest.raises(ValidationError, match="已决定等待数据"):
        rounds.round_publish(actor=actor, round_=month_round)
    for station in company.stations:
        benchmark_values(station, [current_month().start])
    with pytest.raises(ValidationError, match="请重新计算"):  # the data came after computing
        rounds.round_publish(actor=actor, round_=month_round)
    rounds.round_compute(actor=actor, round_=month_round)
    rounds.round_publish(actor=actor, round_=month_round)
    month_round.refresh_from_db()
    assert month_round.state == RoundState.PUBLISHED


def test_excluding_drops_the_indicator_for_everyone_when_recomputed(
    tree, personas, company, month_round
):
    actor = personas.company
    rounds.round_compute(actor=actor, round_=month_round)
    decide_all(actor, month_round, DataDecision.EXCLUDE)
    with pytest.raises(ValidationError, match="请重新计算"):  # decided after computing
        rounds.round_publish(actor=actor, round_=month_round)
    rounds.round_compute(actor=actor, round_=month_round)
    a1 = Target.objects.get(round=month_round, organization=tree.station_a1)
    for code in [*benchmark_items(month_round), "business", "obligation_rate"]:
        assert a1.contributions[code]["excluded"] is True
        assert a1.contributions[code]["share"] == "0.00"
    # what is left (task sheets and rectification) has nothing to do for anyone: every total
    # is 0.00 on no data, a tie that gives no rank title; the round publishes on record
    assert a1.total == 0 and a1.data_incomplete
    assert not any(titles_of(month_round).values())
    rounds.round_publish(actor=actor, round_=month_round)
    recorded = RoundDataDecision.objects.filter(round=month_round)
    assert recorded.count() == 7 and {d.decided_by for d in recorded} == {actor}
    assert LogEntry.objects.get_for_objects(recorded).count() == 7


def test_a_decision_on_an_indicator_without_gaps_is_refused(personas, month_round):
    with pytest.raises(ValidationError, match="没有缺数"):
        rounds.round_data_decide(
            actor=personas.company,
            round_=month_round,
            indicator="rectification_rate",
            decision=DataDecision.EXCLUDE,
        )


def test_only_who_may_publish_decides(personas, month_round):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        rounds.round_data_decide(
            actor=personas.secretary_a,
            round_=month_round,
            indicator="obligation_rate",
            decision=DataDecision.EXCLUDE,
        )


def test_a_quarter_with_one_month_imported_is_partial(tree, personas, company):
    quarter = Period.containing(QUARTER, dt.date(2026, 7, 15))
    for station in company.stations:
        benchmark_values(station, [dt.date(2026, 7, 1)])
    benchmark_values(tree.station_a1, [dt.date(2026, 8, 1), dt.date(2026, 9, 1)])
    round_ = four_factor_round(personas.company, tree.company, quarter)
    gaps = {item.code: item for item in round_readiness(round_).with_gaps}
    line_loss = {g.label: (g.state, g.detail) for g in gaps["line_loss"].gaps}
    assert "A1供电所党支部" not in line_loss
    assert line_loss["A2供电所党支部"] == (PARTIAL, "仅有 1/3 个月的数据")


def test_readiness_costs_the_same_queries_for_more_targets(
    tree, personas, company, django_assert_max_num_queries
):
    from .helpers_rounds import add_stations

    small = four_factor_round(personas.company, tree.county_b, current_month())
    add_stations(tree.county_a, 12)
    large = four_factor_round(personas.company, tree.county_a, current_month())
    with django_assert_max_num_queries(8):
        round_readiness(small).fingerprint()
    with django_assert_max_num_queries(8):
        round_readiness(large).fingerprint()


def test_computing_costs_the_same_queries_for_more_targets(tree, personas, company):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from .helpers_rounds import add_stations

    small = four_factor_round(personas.company, tree.county_b, current_month())
    add_stations(tree.county_a, 12)
    large = four_factor_round(personas.company, tree.county_a, current_month())
    counted = []
    for round_ in (small, large):
        with CaptureQueriesContext(connection) as queries:
            rounds.round_compute(actor=personas.company, round_=round_)
        counted.append(len(queries))
    assert counted[0] == counted[1]


def test_waiting_for_data_tells_whoever_supplies_it_once(personas, month_round):
    """Every event reaches its person: a round waiting for organisational-life records tells
    the nearest holders of 录入会议 over each organization that lacks them, naming those
    organizations, once per round and indicator."""
    from bastion.core.notifications.holders import nearest_holders
    from bastion.core.notifications.models import Notification
    from bastion.orgs.models import Organization

    rounds.round_data_decide(
        actor=personas.company, round_=month_round, indicator="obligation_rate", decision="wait"
    )
    lacking = Organization.objects.filter(
        name__in=["A3供电所党支部", "A4供电所党支部", "B2供电所党支部"]
    )
    holders = nearest_holders("agenda.add_meeting", [org.path for org in lacking])
    expected = set().union(*holders.values()) - {personas.company.pk}
    notes = Notification.objects.filter(event="evaluation.data_awaited")
    assert expected and set(notes.values_list("recipient_id", flat=True)) == expected
    for note in notes:
        assert "组织生活" in note.title and "发布前要等数据到齐" in note.body
        names = [org.name for org in lacking if note.recipient_id in holders[org.path]]
        assert all(name in note.body for name in names)
    rounds.round_data_decide(
        actor=personas.company, round_=month_round, indicator="obligation_rate", decision="wait"
    )
    assert Notification.objects.filter(event="evaluation.data_awaited").count() == notes.count()


def test_excluding_an_indicator_asks_nobody_for_data(personas, month_round):
    from bastion.core.notifications.models import Notification

    rounds.round_data_decide(
        actor=personas.company, round_=month_round, indicator="obligation_rate", decision="exclude"
    )
    assert not Notification.objects.filter(event="evaluation.data_awaited").exists()
