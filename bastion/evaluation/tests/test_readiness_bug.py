"""The bug of issue 14, reproduced on a small hand-built company: computing the current month's
four-factor round before its benchmark import gave red flags on party data alone and put every
station without data, tied at 0.00, on the watch list (56 of 64 in the demo)."""

import pytest

from bastion.evaluation.services import rounds

from .helpers_readiness import (
    month_round_before_import,
    station_company,
    titles_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def company(tree):
    return station_company(tree)


@pytest.fixture
def month_round(tree, personas, company):
    return month_round_before_import(tree, personas)


def test_the_current_month_before_its_benchmark_import_gives_no_rank_titles(personas, month_round):
    """The bug: party data alone gave red flags, and the tie at 0.00 of every station without
    data put them all on the watch list."""
    rounds.round_compute(actor=personas.company, round_=month_round)
    given = titles_of(month_round)
    assert not any("red_flag" in codes or "watch" in codes for codes in given.values()), given
    assert all(t.data_incomplete for t in month_round.targets.all())
