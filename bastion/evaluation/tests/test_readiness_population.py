"""A station scheme's population (issue 14, item 3): a small station organised as a 党小组 is a
station when the benchmark import holds values for it, and it is ranked, like every station,
within its county (the 流动红旗 goes to one station per county)."""

import datetime as dt

import pytest

from bastion.evaluation.models import Target
from bastion.evaluation.services import rounds

from .helpers import make_scheme, open_round
from .helpers_readiness import benchmark_values, station_company
from .helpers_rounds import rate

pytestmark = pytest.mark.django_db

FLAG = {
    "code": "red_flag",
    "name": "流动红旗",
    "kind": "red_flag",
    "basis": "top",
    "count": 1,
    "within": "parent",
}


@pytest.fixture
def station_round(tree, personas):
    company = station_company(tree)
    benchmark_values(company.small, [dt.date(2025, 1, 1)], codes=["line_loss"])
    scheme = make_scheme(
        tree.company,
        code="stations",
        target_kind="station",
        indicators=[{"code": "work", "name": "工作", "kind": "scored", "weight": 1}],
        titles=[FLAG],
    )
    round_ = open_round(personas.company, scheme, tree.company)
    return company, round_


def test_a_small_station_with_benchmark_values_is_a_target(tree, station_round):
    company, round_ = station_round
    orgs = set(Target.objects.filter(round=round_).values_list("organization__name", flat=True))
    assert "小站供电所党小组" in orgs
    assert "第一党小组" not in orgs  # a station branch's own 党小组 is no station
    assert len(orgs) == 7


def test_a_small_station_is_ranked_within_its_county(tree, personas, station_round):
    company, round_ = station_round
    actor = personas.company
    for org, value in [
        (tree.station_a1, 80),
        (tree.station_a2, 70),
        (company.a3, 60),
        (company.a4, 50),
        (company.small, 95),
        (tree.station_b1, 90),
        (company.b2, 85),
    ]:
        rate(actor, round_, "higher", {"work": value}, org=org)
    rounds.round_compute(actor=actor, round_=round_)
    small = Target.objects.get(round=round_, organization=company.small)
    a1 = Target.objects.get(round=round_, organization=tree.station_a1)
    # 小站 leads county A (95 over A1's 80), whoever hosts its party group
    assert (small.rank_within_parent, a1.rank_within_parent) == (1, 2)
    flagged = {
        t.organization.name
        for t in Target.objects.filter(round=round_).select_related("organization")
        if t.titles
    }
    assert flagged == {"小站供电所党小组", "B1供电所党支部"}
