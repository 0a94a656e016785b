"""更正评分: a round's managers correct a target's scores after scoring closed."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from bastion.evaluation.models import Score, Target
from bastion.evaluation.services import rounds, scores
from bastion.evaluation.services.corrections import score_correct

from .helpers import OPEN_DAY, open_round, simple_scheme

pytestmark = pytest.mark.django_db


@pytest.fixture
def computed(tree, personas):
    round_ = open_round(personas.company, simple_scheme(tree.company), tree.company)
    target = Target.objects.get(round=round_, organization=tree.station_a1)
    scores.score_submit(
        actor=personas.county,
        round_=round_,
        target=target,
        group="higher",
        values={"party": 50, "business": 50},
        today=OPEN_DAY,
    )
    rounds.round_compute(actor=personas.company, round_=round_)
    target.refresh_from_db()
    return round_, target


def test_a_correction_replaces_the_groups_scores_and_recomputes(personas, computed):
    round_, target = computed
    assert target.total == Decimal("50.00")
    score_correct(
        actor=personas.company,
        target=target,
        group="higher",
        values={"party": 90},
        reason="台账补充后复核",
    )
    target.refresh_from_db()
    assert target.total == Decimal("74.00")  # 60 × 0.9 + 40 × 0.5
    party = Score.objects.get(target=target, indicator="party")
    assert (party.evaluator, party.comment) == (personas.company, "更正：台账补充后复核")


def test_a_correction_needs_a_reason_and_the_round_manager(personas, computed):
    _round, target = computed
    with pytest.raises(ValidationError):
        score_correct(
            actor=personas.company, target=target, group="higher", values={"party": 90}, reason=" "
        )
    with pytest.raises(PermissionDenied):  # the county cannot manage the company's round
        score_correct(
            actor=personas.county, target=target, group="higher", values={"party": 90}, reason="x"
        )
    target.refresh_from_db()
    assert target.total == Decimal("50.00")


def test_a_round_still_scoring_is_scored_not_corrected(tree, personas):
    round_ = open_round(personas.company, simple_scheme(tree.company), tree.company)
    target = Target.objects.get(round=round_, organization=tree.station_a1)
    with pytest.raises(ValidationError):
        score_correct(
            actor=personas.company, target=target, group="higher", values={"party": 90}, reason="x"
        )


@pytest.mark.parametrize(
    "who,status", [("company", 200), ("county", 404), ("member", 404), ("outsider", 404)]
)
def test_the_correction_page_is_for_the_round_manager(client, personas, computed, who, status):
    _round, target = computed
    client.force_login(getattr(personas, who))
    url = reverse("evaluation:score_correct", args=[target.pk])
    assert client.get(url).status_code == status


def test_the_correction_page_saves_and_shows_errors_in_place(client, personas, computed):
    _round, target = computed
    client.force_login(personas.company)
    url = reverse("evaluation:score_correct", args=[target.pk])
    bad = client.post(url, {"group": "higher", "item_party": "120", "reason": "复核"})
    assert "0 到 100" in bad.content.decode()
    good = client.post(url, {"group": "higher", "item_party": "90", "reason": "复核"})
    assert good.status_code == 302
    target.refresh_from_db()
    assert target.total == Decimal("74.00")
