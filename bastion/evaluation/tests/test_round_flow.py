"""A round end to end through the services: open, score, compute, publish, lift the watch list."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bastion.evaluation.models import RoundState, Score, Target, TitleAward
from bastion.evaluation.services import rounds, scores

from .helpers import OPEN_DAY, open_round, simple_scheme

pytestmark = pytest.mark.django_db

WATCH = {
    "code": "watch",
    "name": "不放心支部",
    "kind": "watch",
    "basis": "bottom",
    "count": 1,
    "max_score": 60,
    "lift_score": 70,
}
FLAG = {"code": "flag", "name": "流动红旗", "kind": "red_flag", "basis": "top", "count": 1}


def score(actor, round_, org, **values):
    target = Target.objects.get(round=round_, organization=org)
    return scores.score_submit(
        actor=actor, round_=round_, target=target, group="higher", values=values, today=OPEN_DAY
    )


def test_round_opens_on_every_branch_and_computes_the_weighted_total(tree, personas):
    scheme = simple_scheme(tree.company)
    round_ = open_round(personas.company, scheme, tree.company)
    assert Target.objects.filter(round=round_).count() == 3  # the three station branches
    score(personas.county, round_, tree.station_a1, party=90, business=80, bonus=3, safety=4)
    rounds.round_compute(actor=personas.company, round_=round_)
    a1 = Target.objects.get(round=round_, organization=tree.station_a1)
    # 60 × 0.9 + 40 × 0.8 + 3 − 4 = 85
    assert a1.total == Decimal("85.00")
    assert a1.contributions["party"]["points"] == "54.00"
    assert a1.rank == 1
    b1 = Target.objects.get(round=round_, organization=tree.station_b1)
    assert (b1.total, b1.missing) == (Decimal("0.00"), 2)


def test_a_county_scores_only_its_own_stations(tree, personas):
    round_ = open_round(personas.company, simple_scheme(tree.company), tree.company)
    with pytest.raises(PermissionDenied):
        score(personas.county, round_, tree.station_b1, party=90)


def test_a_closed_window_refuses_scores(tree, personas):
    round_ = open_round(personas.company, simple_scheme(tree.company), tree.company)
    target = Target.objects.get(round=round_, organization=tree.station_a1)
    with pytest.raises(ValidationError):
        scores.score_submit(
            actor=personas.county,
            round_=round_,
            target=target,
            group="higher",
            values={"party": 90},
            today=OPEN_DAY + dt.timedelta(days=30),
        )


def test_publish_awards_titles_and_a_later_round_lifts_the_watch_list(tree, personas):
    scheme = simple_scheme(tree.company, titles=[WATCH, FLAG])
    first = open_round(personas.company, scheme, tree.company)
    score(personas.county, first, tree.station_a1, party=90, business=90)
    score(personas.county, first, tree.station_a2, party=50, business=50)
    score(personas.company, first, tree.station_b1, party=80, business=80)
    rounds.round_compute(actor=personas.company, round_=first)
    rounds.round_publish(actor=personas.company, round_=first, today=OPEN_DAY)
    first.refresh_from_db()
    assert first.state == RoundState.PUBLISHED
    kinds = dict(TitleAward.objects.values_list("organization__name", "kind"))
    assert kinds == {"A1供电所党支部": "red_flag", "A2供电所党支部": "watch"}

    second = open_round(
        personas.company,
        scheme,
        tree.company,
        label="2026-11",
        period=(dt.date(2026, 11, 1), dt.date(2026, 11, 30)),
    )
    for org, value in ((tree.station_a1, 55), (tree.station_a2, 75)):
        score(personas.county, second, org, party=value, business=value)
    score(personas.company, second, tree.station_b1, party=65, business=65)
    rounds.round_compute(actor=personas.company, round_=second)
    rounds.round_publish(actor=personas.company, round_=second, today=OPEN_DAY)
    old_watch = TitleAward.objects.get(round=first, kind="watch")
    assert old_watch.lifted_by == second
    new_watch = TitleAward.objects.get(round=second, kind="watch")
    assert new_watch.organization == tree.station_a1  # 55: now the weakest and below 60
    assert new_watch.lifted_on is None


def test_recomputing_a_published_round_re_awards_its_titles(tree, personas):
    round_ = open_round(personas.company, simple_scheme(tree.company, titles=[FLAG]), tree.company)
    score(personas.county, round_, tree.station_a1, party=90, business=90)
    score(personas.county, round_, tree.station_a2, party=80, business=80)
    rounds.round_compute(actor=personas.company, round_=round_)
    rounds.round_publish(actor=personas.company, round_=round_, today=OPEN_DAY)
    Score.objects.filter(target__organization=tree.station_a2).update(value=100)
    rounds.round_compute(actor=personas.company, round_=round_)
    flag = TitleAward.objects.get(round=round_, kind="red_flag")
    assert flag.organization == tree.station_a2
