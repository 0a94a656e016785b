"""The summary each computation stores on its round (``Round.summary``): the results and compute
pages read it for a reader of the whole round, and it equals counting the rows after every
computation, correction and rebuild."""

import pytest
from django.urls import reverse

from bastion.evaluation import selectors_results, selectors_rounds
from bastion.evaluation.models import Round, Target
from bastion.evaluation.services import rounds, scores
from bastion.evaluation.services.corrections import score_correct

from .helpers import OPEN_DAY, open_round, simple_scheme
from .helpers_results import branch_round

pytestmark = pytest.mark.django_db


def shown(cards: dict) -> dict:
    """The cards as the page shows them: the average to two places."""
    average = cards["average"]
    return {**cards, "average": None if average is None else round(average, 2)}


def counted(round_: Round) -> dict:
    """The summary cards and the compute confirmation, counted from the rows."""
    targets = Target.objects.filter(round=round_)
    cards = shown(selectors_results.summary(targets, round_.snapshot))
    return {"cards": cards, "scoring": selectors_rounds.compute_summary(round_)}


def stored(round_: Round) -> dict:
    round_.refresh_from_db()
    cards = shown(selectors_results.summary(None, round_.snapshot, round_.summary["results"]))
    return {"cards": cards, "scoring": round_.summary["scoring"]}


def test_the_stored_summary_equals_a_count_after_compute_and_correction(tree, personas):
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
    first = stored(round_)
    assert first == counted(round_)
    assert first["scoring"]["missing_targets"] == first["scoring"]["targets"] - 1
    score_correct(
        actor=personas.company, target=target, group="higher", values={"party": 90}, reason="复核"
    )
    assert stored(round_) == counted(round_)
    assert stored(round_)["cards"]["average"] != first["cards"]["average"]
    Round.objects.filter(pk=round_.pk).update(summary={})
    rounds.round_summaries_rebuild()
    assert stored(round_) == counted(round_)


def test_the_results_page_shows_the_counted_figures_to_every_reader(client, tree, personas):
    round_ = branch_round(tree, personas)
    url = reverse("evaluation:results", args=[round_.pk])
    for user in (personas.company, personas.county, personas.secretary_a):
        client.force_login(user)
        page = client.get(url).context
        visible = selectors_results.visible_targets(user, round_)
        assert shown(page["summary"]) == shown(selectors_results.summary(visible, round_.snapshot))
        assert page["page"].paginator.count == visible.count()


def test_the_compute_page_reads_the_stored_scoring_summary_once_computed(client, tree, personas):
    round_ = branch_round(tree, personas, publish=False)
    client.force_login(personas.company)
    response = client.get(reverse("evaluation:round_compute", args=[round_.pk]))
    assert response.context["summary"] == selectors_rounds.compute_summary(round_)
