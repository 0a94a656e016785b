"""Data for the results, title-board, history and widget tests: rounds run through the services
(open, score, compute, publish) and arena results written directly."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from bastion.evaluation.models import KeyEvent, RoundState, Target, TitleAward
from bastion.evaluation.services import rounds, scores
from bastion.orgs.tests.factories import PersonFactory, make_org

from .helpers import OPEN_DAY, make_scheme, open_round, simple_scheme

FLAG = {"code": "flag", "name": "流动红旗", "kind": "red_flag", "basis": "top", "count": 1}
WATCH = {
    "code": "watch",
    "name": "不放心支部",
    "kind": "watch",
    "basis": "bottom",
    "count": 1,
    "max_score": 60,
    "lift_score": 70,
}
COMPLIANT = {"code": "ok", "name": "达标", "kind": "compliant", "basis": "band", "min_score": 60}
STAR5 = {
    "code": "star5",
    "name": "五星党支部",
    "kind": "star",
    "basis": "band",
    "min_score": 85,
    "stars": 5,
}
STAR4 = {
    "code": "star4",
    "name": "四星党支部",
    "kind": "star",
    "basis": "band",
    "min_score": 75,
    "stars": 4,
}
BRANCH_TITLES = [FLAG, WATCH, COMPLIANT, STAR5, STAR4]
# station → (who scores it, party, business): totals 90, 50, 80
DEFAULT_VALUES = {
    "station_a1": ("county", 90),
    "station_a2": ("county", 50),
    "station_b1": ("company", 80),
}


def month(n: int) -> tuple[str, tuple[dt.date, dt.date]]:
    """The n-th month from October 2026: its label and period."""
    year, index = 2026 + (9 + n) // 12, (9 + n) % 12 + 1
    start = dt.date(year, index, 1)
    end = (dt.date(year + index // 12, index % 12 + 1, 1)) - dt.timedelta(days=1)
    return f"{year}-{index:02d}", (start, end)


def score_org(actor, round_, org, value, group="higher"):
    target = Target.objects.get(round=round_, organization=org, person__isnull=True)
    scores.score_submit(
        actor=actor,
        round_=round_,
        target=target,
        group=group,
        values={"party": value, "business": value},
        today=OPEN_DAY,
    )


def branch_scheme(tree):
    return simple_scheme(tree.company, titles=BRANCH_TITLES)


def branch_round(tree, personas, *, scheme=None, n=0, values=None, publish=True, published_on=None):
    """A monthly round of every station branch, scored, computed and (by default) published."""
    scheme = scheme or branch_scheme(tree)
    label, period = month(n)
    round_ = open_round(personas.company, scheme, tree.company, label=label, period=period)
    for name, (who, value) in (values or DEFAULT_VALUES).items():
        score_org(getattr(personas, who), round_, getattr(tree, name), value)
    rounds.round_compute(actor=personas.company, round_=round_)
    if publish:
        rounds.round_publish(actor=personas.company, round_=round_, today=published_on or OPEN_DAY)
    round_.refresh_from_db()
    return round_


def member_round(tree, personas, people, *, publish=True, n=0, scheme=None):
    """Star members: one scored item, scored by the committee above each member's branch.
    张三 90 and 孙八 70 in A1 (scored by secretary A), 王五 80 in A2, 赵六 60 in B1."""
    if not hasattr(people, "sun_ba"):
        people.sun_ba = PersonFactory(
            name="孙八", organization=tree.station_a1, membership_status="full"
        )
    scheme = scheme or make_scheme(
        tree.company,
        code="stars",
        target_kind="member",
        groups=(("higher", 1),),
        indicators=[
            {"code": "deeds", "name": "作表率", "kind": "scored", "weight": 100, "max_score": 100}
        ],
        titles=[
            {
                "code": "star5m",
                "name": "五星党员",
                "kind": "star",
                "basis": "band",
                "min_score": 85,
                "stars": 5,
            }
        ],
    )
    label, period = month(n)
    round_ = open_round(personas.company, scheme, tree.company, label=label, period=period)
    plan = [
        (personas.secretary_a, people.zhang_san, 90),
        (personas.secretary_a, people.sun_ba, 70),
        (personas.county, people.wang_wu, 80),
        (personas.company, people.zhao_liu, 60),
    ]
    for actor, person, value in plan:
        target = Target.objects.get(round=round_, person=person)
        scores.score_submit(
            actor=actor,
            round_=round_,
            target=target,
            group="higher",
            values={"deeds": value},
            comment="好",
            today=OPEN_DAY,
        )
    rounds.round_compute(actor=personas.company, round_=round_)
    if publish:
        rounds.round_publish(actor=personas.company, round_=round_, today=OPEN_DAY)
    round_.refresh_from_db()
    return round_


def arena_round(tree, personas, champion, *, others=(), n=0, publish=True, scheme=None):
    """A quarter's arena: targets and key events written directly, ``champion`` 擂主 of their
    branch."""
    scheme = scheme or make_scheme(
        tree.company,
        code="test-arena",
        style="arena",
        target_kind="member",
        groups=(("peers", 1),),
        name="打擂台",
        indicators=[
            {"code": "skill", "name": "岗位技能", "kind": "scored", "weight": 100, "max_score": 100}
        ],
        titles=[
            {
                "code": "champ",
                "name": "擂主",
                "kind": "champion",
                "basis": "top",
                "count": 1,
                "within": "parent",
            }
        ],
    )
    label, period = month(n)
    round_ = open_round(personas.company, scheme, tree.company, label=label, period=period)
    title = {"code": "champ", "name": "擂主", "kind": "champion", "stars": None}
    for rank, (person, total) in enumerate([(champion, 95), *others], start=1):
        target = Target.objects.create(
            round=round_,
            organization=person.organization,
            person=person,
            total=total,
            rank=rank,
            rank_within_parent=rank,
            titles=[title] if rank == 1 else [],
        )
        KeyEvent.objects.create(
            round=round_,
            target=target,
            title=f"{person.name}的抢修",
            happened_on=period[0],
            description="连夜抢修",
        )
    round_.state = RoundState.PUBLISHED if publish else RoundState.COMPUTED
    round_.save(update_fields=["state"])
    if publish:
        target = Target.objects.get(round=round_, person=champion)
        TitleAward.objects.create(
            scheme=scheme,
            round=round_,
            rule_code="champ",
            kind="champion",
            name="擂主",
            organization=champion.organization,
            person=champion,
            total=target.total,
            awarded_on=OPEN_DAY,
        )
    return round_


def grow_stations(tree, count: int, tag: str) -> list:
    return [
        make_org(tree.county_a, name=f"扩展供电所{tag}{i}", code=f"C-A-{tag}{i:03d}")
        for i in range(count)
    ]


def today() -> dt.date:
    return timezone.localdate()
