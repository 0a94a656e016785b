"""The demo stays honest under the data rules (issue 14): every round it published with missing
data carries its recorded decisions, every station (党小组 ones too) is in the four-factor
population, and computing the open month before its import gives no rank title."""

from collections import Counter

from bastion.evaluation.models import Round, RoundState
from bastion.evaluation.selectors_readiness import round_readiness
from bastion.evaluation.services import rounds
from bastion.orgs.models import Organization


def test_every_published_demo_round_with_gaps_carries_its_decisions(demo):
    for round_ in Round.objects.filter(state=RoundState.PUBLISHED).select_related("scheme"):
        readiness = round_readiness(round_)
        assert not readiness.blocking, (round_.name, readiness.blocking_message())
        assert round_.data_check == readiness.fingerprint(), round_.name


def test_every_station_with_benchmark_values_is_in_the_four_factor_rounds(demo):
    stations = set(
        Organization.objects.filter(unit_kind="station", benchmark_values__isnull=False)
        .values_list("pk", flat=True)
        .distinct()
    )
    latest = (
        Round.objects.filter(scheme__code="four_factor", state=RoundState.PUBLISHED)
        .order_by("-period_start")
        .first()
    )
    assert set(latest.targets.values_list("organization_id", flat=True)) == stations
    assert len(stations) == 86


def test_computing_the_open_month_before_its_import_gives_no_rank_title(demo):
    open_round = Round.objects.get(scheme__code="four_factor", state=RoundState.SCORING)
    rounds.round_compute(actor=open_round.created_by, round_=open_round)
    given = Counter(t["code"] for target in open_round.targets.all() for t in target.titles)
    assert given["red_flag"] == 0 and given["watch"] == 0
    assert all(target.data_incomplete for target in open_round.targets.all())
