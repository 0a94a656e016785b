"""The demo company's evaluations: a year of rounds of every shipped scheme, 36 five-star
branches, a current red flag and watch list, an open arena contest for the demo member, and a
second run that adds nothing."""

import datetime as dt
from io import StringIO

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import F
from django.utils import timezone

from bastion.core import demo as registry
from bastion.evaluation import selectors_scoring
from bastion.evaluation.models import (
    BenchmarkValue,
    KeyEvent,
    PointsEntry,
    Round,
    RoundState,
    Score,
    Target,
    TitleAward,
)
from bastion.evaluation.seed_data import SCHEME_CODES
from bastion.evaluation.services import scores
from bastion.orgs.models import RoleAssignment

User = get_user_model()
SECRETARY_BRANCH = "NY-C01-Z01"


def counts() -> tuple:
    models = (Round, Target, Score, TitleAward, BenchmarkValue, PointsEntry, KeyEvent)
    return tuple(model.objects.count() for model in models)


def latest_four_factor() -> Round:
    return (
        Round.objects.filter(
            scheme__code="four_factor", organization__depth=1, state=RoundState.PUBLISHED
        )
        .order_by("-period_start")
        .first()
    )


def test_every_shipped_scheme_has_a_published_round(demo):
    sent = RoleAssignment.objects.filter(role__code="first_secretary").exists()
    expected = set(SCHEME_CODES) - (set() if sent else {"first_secretary"})
    published = set(
        Round.objects.filter(state=RoundState.PUBLISHED).values_list("scheme__code", flat=True)
    )
    assert expected <= published


def test_a_year_of_monthly_four_factor_rounds_and_this_month_open(demo):
    ours = Round.objects.filter(scheme__code="four_factor", organization__depth=1)
    assert ours.filter(state=RoundState.PUBLISHED).count() >= 12
    today = timezone.localdate()
    current = ours.get(state=RoundState.SCORING)
    assert current.period_start == today.replace(day=1)
    assert current.opens_on <= today <= current.closes_on
    # 64 station branches + 22 small stations organised as 党小组 (issue 14)
    assert Target.objects.filter(round=current).count() == 86


def test_exactly_36_five_star_branches(demo):
    five_star = Round.objects.get(scheme__code="five_star")
    assert five_star.period_label == str(timezone.localdate().year - 1)
    assert TitleAward.objects.filter(round=five_star, kind="star", stars=5).count() == 36
    assert TitleAward.objects.filter(round=five_star, kind="star", stars=4).exists()


def test_the_latest_month_has_red_flags_and_two_watch_listed_stations(demo):
    latest = latest_four_factor()
    awards = TitleAward.objects.filter(round=latest)
    assert awards.filter(kind="red_flag").count() >= 1
    assert awards.filter(kind="watch", lifted_on__isnull=True).count() == 2


def test_a_watch_listed_station_was_lifted_later(demo):
    lifted = TitleAward.objects.filter(kind="watch", lifted_on__isnull=False)
    assert lifted.exists()
    award = lifted.select_related("lifted_by", "round").first()
    assert award.lifted_by.period_start > award.round.period_start


def test_rounds_are_dated_in_the_month_after_their_period(demo):
    today = timezone.localdate()
    for round_ in Round.objects.filter(state=RoundState.PUBLISHED):
        published = timezone.localdate(round_.published_at)
        assert round_.period_end < published <= today, round_
        assert round_.appeal_until == published + dt.timedelta(days=round_.appeal_days)


def test_one_integrity_veto(demo):
    vetoed = Target.objects.filter(round__scheme__code="four_factor", vetoed=True)
    assert vetoed.count() == 1


def test_benchmarks_cover_every_station_for_the_last_twelve_months(demo):
    months = BenchmarkValue.objects.values("month").distinct().count()
    assert months >= 12
    per_month = BenchmarkValue.objects.filter(month=BenchmarkValue.objects.latest("month").month)
    assert per_month.count() == 6 * 86


def test_the_member_can_join_the_open_arena_round(demo):
    member = User.objects.get(username="member")
    arena = Round.objects.get(scheme__code="arena", state=RoundState.SCORING)
    today = timezone.localdate()
    assert arena.opens_on <= today <= arena.closes_on
    events = KeyEvent.objects.filter(round=arena, target__organization__code=SECRETARY_BRANCH)
    assert events.count() == 2
    assert not events.filter(target__person__user=member).exists()
    assert not Score.objects.filter(round=arena, evaluator=member).exists()


def test_the_member_rates_both_key_events_through_the_service(demo):
    member = User.objects.get(username="member")
    arena = Round.objects.get(scheme__code="arena", state=RoundState.SCORING)
    peers = selectors_scoring.scorable_items(arena, "peers")
    items = [i["code"] for i in peers if i["kind"] == "scored"]
    targets = Target.objects.filter(round=arena, organization__code=SECRETARY_BRANCH)
    for target in targets:
        assert "peers" in selectors_scoring.evaluator_groups(member, target)
        scores.score_submit(
            actor=member, round_=arena, target=target, group="peers", values=dict.fromkeys(items, 8)
        )
    assert Score.objects.filter(round=arena, evaluator=member).count() == 2 * len(items)


def test_past_arena_rounds_have_one_champion_per_contest(demo):
    published = Round.objects.filter(scheme__code="arena", state=RoundState.PUBLISHED)
    assert published.count() >= 4
    for round_ in published:
        branches = set(round_.targets.values_list("organization_id", flat=True))
        champions = TitleAward.objects.filter(round=round_, kind="champion")
        assert champions.count() == len(branches) >= 1


def test_every_target_lies_in_its_rounds_subtree(demo):
    outside = Target.objects.exclude(organization__path__startswith=F("round__organization__path"))
    assert not outside.exists()


def test_the_members_rate_each_other_in_the_member_rounds(demo):
    peers = Score.objects.filter(group="peers", round__scheme__code="star_member")
    raters = set(peers.values_list("evaluator_id", flat=True))
    assert len(raters) > 50  # members themselves, not the five demo logins


def test_points_ledger_has_approved_entries_and_pending_ones_this_month(demo):
    assert PointsEntry.objects.filter(state="approved").count() > 1000
    pending = PointsEntry.objects.filter(state="pending")
    assert pending.exists()
    assert set(pending.values_list("person__organization__code", flat=True)) == {SECRETARY_BRANCH}


def test_the_summary_reports_the_evaluation_rows(demo):
    assert "考评轮次" in demo and "同业对标数据" in demo and "党员积分记录" in demo


def test_a_second_run_creates_nothing(demo):
    before = counts()
    call_command("seed_demo", stdout=StringIO())
    assert counts() == before


def test_a_rerun_on_a_later_day_creates_nothing(demo):
    before = counts()
    later = registry.DemoContext(today=timezone.localdate() + dt.timedelta(days=400))
    registry.build(registry.discover(), later)
    assert counts() == before
