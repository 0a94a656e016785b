"""Helpers for the round pages' tests: members with accounts, a member scheme, more stations."""

from __future__ import annotations

import datetime as dt

from bastion.evaluation.models import Target
from bastion.evaluation.services import scores
from bastion.orgs.tests.factories import PersonFactory, UserFactory, grant, make_org

from .helpers import OPEN_DAY, make_scheme

JOINED = {
    "membership_status": "full",
    "admitted_on": dt.date(2015, 7, 1),
    "confirmed_on": dt.date(2016, 7, 1),
}


def add_member(org, name: str, *, account=True):
    """A full member of ``org``, with an account holding the member role there."""
    user = None
    if account:
        user = UserFactory(username=f"u_{org.code}_{name}")
        grant(user, "member", org)
    return PersonFactory(name=name, organization=org, user=user, **JOINED)


def member_scheme(owner, *, groups=(("self", 1), ("peers", 1), ("higher", 1)), **fields):
    """One scored item 表现 for every group, plus an optional bonus."""
    return make_scheme(
        owner,
        code=fields.pop("code", "members"),
        target_kind="member",
        groups=groups,
        indicators=[
            {"code": "conduct", "name": "表现", "kind": "scored", "weight": 100, "max_score": 100},
            {"code": "extra", "name": "加分", "kind": "bonus", "max_score": 5},
        ],
        **fields,
    )


def add_stations(county, count: int, prefix: str = "X"):
    return [
        make_org(county, name=f"{prefix}{i}供电所党支部", code=f"{county.code}-{prefix}{i}")
        for i in range(count)
    ]


def rate(actor, round_, group, values, *, org=None, person=None):
    """Score one target (found by organization or person) as ``group`` on the open day."""
    lookup = {"person": person} if person else {"organization": org, "person": None}
    target = Target.objects.get(round=round_, **lookup)
    return scores.score_submit(
        actor=actor, round_=round_, target=target, group=group, values=values, today=OPEN_DAY
    )
