"""The daily digest reminds evaluators of open rounds where they still have targets to score."""

import datetime as dt

import pytest
from django.utils import timezone

from bastion.evaluation.digest import items
from bastion.evaluation.models import Target
from bastion.evaluation.services import scores

from .helpers import open_round, simple_scheme

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_now(tree, personas):
    today = timezone.localdate()
    window = (today - dt.timedelta(days=1), today + dt.timedelta(days=2))
    return open_round(personas.company, simple_scheme(tree.company), tree.company, window=window)


def test_the_county_is_reminded_of_the_stations_it_has_not_scored(personas, open_now):
    [section] = items(personas.county, timezone.localdate())
    assert section["group"] == "evaluation_scoring"
    [line] = section["lines"]
    assert line["text"].endswith("待评 2 个对象")  # its two stations, not county B's
    assert (line["level"], line["note"]) == ("yellow", "还剩 2 天")


def test_nothing_is_said_once_everything_is_scored(tree, personas, open_now):
    for org in (tree.station_a1, tree.station_a2):
        target = Target.objects.get(round=open_now, organization=org)
        scores.score_submit(
            actor=personas.county,
            round_=open_now,
            target=target,
            group="higher",
            values={"party": 80, "business": 80},
        )
    assert items(personas.county, timezone.localdate()) == []


def test_someone_with_nothing_to_score_gets_no_section(personas, open_now):
    assert items(personas.outsider, timezone.localdate()) == []
