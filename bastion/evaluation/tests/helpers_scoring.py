"""Helpers for the scoring and arena tests: rounds open *today* (the pages read
``timezone.localdate()``), the arena scheme of four dimensions, a second member of a branch."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from bastion.orgs.tests.factories import PersonFactory, UserFactory, grant

from .helpers import make_scheme, open_round

DIMENSIONS = (
    ("political", "政治素质"),
    ("skill", "岗位技能"),
    ("public", "群众评价"),
    ("performance", "工作业绩"),
)
JOINED = {
    "membership_status": "full",
    "admitted_on": dt.date(2012, 7, 1),
    "confirmed_on": dt.date(2013, 7, 1),
}


def today() -> dt.date:
    return timezone.localdate()


def live_window():
    return (today() - dt.timedelta(days=1), today() + dt.timedelta(days=10))


def live_period():
    return (today() - dt.timedelta(days=60), today() + dt.timedelta(days=30))


def open_live(actor, scheme, organization, **extra):
    """A round whose scoring window includes the real today."""
    extra.setdefault("period", live_period())
    extra.setdefault("window", live_window())
    return open_round(actor, scheme, organization, **extra)


def arena_scheme(owner, **fields):
    indicators = [
        {"code": code, "name": name, "kind": "scored", "weight": 25, "max_score": 10}
        for code, name in DIMENSIONS
    ]
    return make_scheme(
        owner,
        code=fields.pop("code", "t_arena"),
        name="打擂台",
        style="arena",
        target_kind="member",
        period_kind="quarter",
        groups=(("peers", 1),),
        indicators=indicators,
        **fields,
    )


def member_scheme(owner, **fields):
    """A member scheme scored by the committee above: two items and a veto."""
    return make_scheme(
        owner,
        code=fields.pop("code", "t_members"),
        target_kind="member",
        groups=fields.pop("groups", (("higher", 1),)),
        indicators=[
            {
                "code": "conduct",
                "name": "作风表现",
                "kind": "scored",
                "weight": 60,
                "max_score": 100,
            },
            {"code": "work", "name": "工作实绩", "kind": "scored", "weight": 40, "max_score": 100},
            {"code": "integrity", "name": "廉洁底线", "kind": "veto"},
        ],
        **fields,
    )


def make_member(org, username: str, name: str):
    """An account holding the member role on ``org`` and linked to a full member there."""
    user = UserFactory(username=username)
    grant(user, "member", org)
    PersonFactory(name=name, organization=org, user=user, **JOINED)
    return user


def url(name: str, *args) -> str:
    return reverse(f"evaluation:{name}", args=args)
