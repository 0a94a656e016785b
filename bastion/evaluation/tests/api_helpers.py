"""Shared pieces of the evaluation API tests: the client, persona logins, URLs, query counting
and the rounds most tests need.

* ``scored_round``: the simple scheme over the whole company, its three station branches scored
  by the committee above on the helpers' window (A1 90/80, A2 50/50, B1 80/80), computed and
  optionally published;
* ``arena_round``: a quarterly arena (打擂台) round whose window includes the real today, with
  the key events of 张三 (the ``member`` persona), 李四 (the ``peer`` account) and 赵六.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from bastion.core.testing import PERSONAS as PERSONAS
from bastion.evaluation.models import KeyEvent, Target
from bastion.evaluation.services import rounds, scores
from bastion.orgs.tests.factories import UserFactory, grant

from .helpers import OPEN_DAY, make_scheme, open_round, simple_scheme

ARENA_ITEMS = (
    ("political", "政治素质"),
    ("skill", "岗位技能"),
    ("public", "群众评价"),
    ("results", "工作业绩"),
)


def url(name: str, *args) -> str:
    return reverse(f"api:{name}", args=args)


def today() -> dt.date:
    return timezone.localdate()


def live_window() -> tuple[dt.date, dt.date]:
    """A scoring window that includes the real today (the API passes no ``today``)."""
    return today() - dt.timedelta(days=1), today() + dt.timedelta(days=10)


def rows_of(response) -> list[dict]:
    assert response.status_code == 200, response.content
    body = response.json()
    return body["results"] if isinstance(body, dict) else body


# --- rounds -------------------------------------------------------------------------------------


def score_org(actor, round_, org, **values):
    target = Target.objects.get(round=round_, organization=org)
    return scores.score_submit(
        actor=actor, round_=round_, target=target, group="higher", values=values, today=OPEN_DAY
    )


def scored_round(tree, personas, *, publish=False, scheme=None, label="2026-10", **extra):
    scheme = scheme or simple_scheme(tree.company)
    round_ = open_round(personas.company, scheme, tree.company, label=label, **extra)
    score_org(personas.county, round_, tree.station_a1, party=90, business=80)
    score_org(personas.county, round_, tree.station_a2, party=50, business=50)
    score_org(personas.company, round_, tree.station_b1, party=80, business=80)
    rounds.round_compute(actor=personas.company, round_=round_)
    if publish:
        rounds.round_publish(actor=personas.company, round_=round_, today=OPEN_DAY)
    round_.refresh_from_db()
    return round_


def arena_scheme(owner, code="api-arena"):
    return make_scheme(
        owner,
        code=code,
        name="打擂台",
        target_kind="member",
        style="arena",
        period_kind="quarter",
        groups=(("peers", 1),),
        indicators=[
            {"code": code_, "name": name, "kind": "scored", "weight": 25, "max_score": 10}
            for code_, name in ARENA_ITEMS
        ],
        titles=[
            {
                "code": "champion",
                "name": "擂主",
                "kind": "champion",
                "basis": "top",
                "count": 1,
                "within": "parent",
            }
        ],
    )


def enter_arena(round_, person, title="抢修保电") -> Target:
    """A member's key event: the arena's target joins the round with it."""
    target = Target.objects.create(round=round_, organization=person.organization, person=person)
    KeyEvent.objects.create(
        round=round_,
        target=target,
        title=title,
        happened_on=round_.period_start,
        description="连续奋战",
    )
    return target


@pytest.fixture(name="peer")
def peer_fixture(people):
    """李四's account: a member of station_a1 like the ``member`` persona (张三)."""
    user = UserFactory(username="p_peer")
    grant(user, "member", people.li_si.organization)
    people.li_si.user = user
    people.li_si.save()
    return user


@pytest.fixture(name="arena")
def arena_fixture(tree, personas, people, peer):
    scheme = arena_scheme(tree.company)
    round_ = open_round(
        personas.company,
        scheme,
        tree.company,
        label="2026Q4",
        period=(dt.date(2026, 10, 1), dt.date(2026, 12, 31)),
        window=live_window(),
    )
    return SimpleNamespace(
        round=round_,
        zhang_san=enter_arena(round_, people.zhang_san),
        li_si=enter_arena(round_, people.li_si, title="台区降损"),
        zhao_liu=enter_arena(round_, people.zhao_liu, title="客户走访"),
    )
