"""``evaluation/rounds/{id}/results/{target}/``: one target's result with the rows each computed
contribution came from, through the same doors as the result page."""

import pytest
from django.urls import reverse

from bastion.core.testing import PERSONAS, count_queries, login
from bastion.evaluation.models import Target

from .helpers_sources import obligation, sources_round

pytestmark = pytest.mark.django_db

A1_STATUS = {
    "company": 200,
    "county": 200,
    "secretary_a": 200,
    "secretary_b": 404,
    "member": 404,  # computed, not published
    "outsider": 404,
}


def detail_url(target) -> str:
    return reverse("api:round-result-target", args=[target.round_id, target.pk])


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_target_result_follows_the_scope(api, tree, personas, persona):
    round_ = sources_round(tree, personas)
    a1 = Target.objects.get(round=round_, organization=tree.station_a1)
    response = login(api, getattr(personas, persona)).get(detail_url(a1))
    assert response.status_code == A1_STATUS[persona]


def test_the_target_result_lists_the_rows_and_the_formula(api, tree, personas):
    round_ = sources_round(tree, personas)
    a1 = Target.objects.get(round=round_, organization=tree.station_a1)
    data = login(api, personas.company).get(detail_url(a1)).json()
    found = {item["code"]: item for item in data["sources"]}
    assert found["obl"]["formula"] == "已完成 2 ÷ 应完成 3 = 66.67%"
    assert [row["counted"] for row in found["obl"]["rows"]] == [True, True, False]
    assert found["obl"]["stored"] == found["obl"]["recomputed"] == "66.67"
    assert found["rect"]["rows"][0]["url"].startswith("/problems/")
    assert data["contributions"]["obl"]["raw"] == "66.67"


def test_a_target_of_another_round_is_404(api, tree, personas):
    round_ = sources_round(tree, personas)
    a1 = Target.objects.get(round=round_, organization=tree.station_a1)
    other = reverse("api:round-result-target", args=[round_.pk + 1000, a1.pk])
    assert login(api, personas.company).get(other).status_code == 404


def test_the_target_result_costs_the_same_queries_for_more_rows(api, tree, personas):
    import datetime as dt

    round_ = sources_round(tree, personas)
    a1 = Target.objects.get(round=round_, organization=tree.station_a1)
    login(api, personas.company)
    before = count_queries(api, detail_url(a1))
    for day in range(1, 6):
        obligation(tree.station_a1, dt.date(2026, 10, day), None, f"加 {day}")
    assert count_queries(api, detail_url(a1)) == before


def test_a_zero_total_is_0_00_in_the_api(api, tree, personas):
    from .test_results_pages import vetoed_round

    round_, target = vetoed_round(tree, personas)
    data = login(api, personas.company).get(detail_url(target)).json()
    assert data["total"] == "0.00"
