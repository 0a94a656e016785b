"""Every number shows its sources: a target's computed contributions list the rows they were
computed from, the rows give back the raw value, and the viewer sees only the rows of their
scope."""

import datetime as dt

import pytest
from django.urls import reverse

from bastion.core.testing import PERSONAS, count_queries
from bastion.evaluation import sources
from bastion.evaluation.engine import SchemeSpec, q2
from bastion.evaluation.models import PointsEntry, PointsItem, Target
from bastion.evaluation.selectors_sources_rows import contribution_sources

from .helpers import make_scheme, open_round
from .helpers_results import member_round
from .helpers_sources import answer, obligation, problem, sources_round, task

pytestmark = pytest.mark.django_db


def by_code(found) -> dict:
    return {item.code: item for item in found}


def engine_raws(round_) -> dict:
    """What the engine reads for each target now: (target id, code) → raw as stored."""
    spec = SchemeSpec.from_snapshot(round_.snapshot)
    targets = list(Target.objects.filter(round=round_).select_related("organization"))
    values = sources.computed_values(round_, spec, targets)
    return {
        (pk, code): None if value is None else str(q2(value[0]))
        for pk, by_code_ in values.items()
        for code, value in by_code_.items()
    }


# --- the rows give the value ------------------------------------------------------------------


def test_rows_give_the_raw_value_of_every_data_source(tree, personas):
    round_ = sources_round(tree, personas)
    raws = engine_raws(round_)
    for target in Target.objects.filter(round=round_).select_related("round", "organization"):
        found = by_code(contribution_sources(personas.company, target))
        assert set(found) == {"obl", "rect", "task", "fee", "bench"}
        for code, item in found.items():
            assert item.recomputed == raws[(target.pk, code)], (target, code)
            assert item.stored == target.contributions[code]["raw"], (target, code)
            assert item.agrees


def test_rate_rows_are_the_counted_rows_with_the_counted_ones_marked(tree, personas):
    round_ = sources_round(tree, personas)
    a1 = Target.objects.get(round=round_, organization=tree.station_a1)
    found = by_code(contribution_sources(personas.company, a1))
    obligations = found["obl"]
    assert [row.counted for row in obligations.rows] == [True, True, False]
    assert obligations.formula == "已完成 2 ÷ 应完成 3 = 66.67%"
    assert a1.contributions["obl"]["raw"] == "66.67"
    rect = found["rect"]
    assert [row.counted for row in rect.rows] == [True, False, False]
    assert rect.formula == "按期整改 1 ÷ 应整改 3 = 33.33%"
    assert all(row.url.startswith("/problems/") for row in rect.rows)
    answers = found["task"]
    assert [row.counted for row in answers.rows] == [True]
    assert answers.formula == "按期反馈 1 ÷ 应反馈 1 = 100.00%"
    assert answers.rows[0].url == reverse(
        "tasks:assignment_detail", args=[answers_pk(tree.station_a1)]
    )


def answers_pk(org):
    from bastion.tasks.models import Assignment

    return Assignment.objects.get(organization=org, task__status="dispatched").pk


def test_benchmark_rows_are_the_months_of_the_period_and_the_rank_is_shown(tree, personas):
    round_ = sources_round(tree, personas)
    a2 = Target.objects.get(round=round_, organization=tree.station_a2)
    found = by_code(contribution_sources(personas.company, a2))
    fee = found["fee"]
    assert [(row.label, row.value) for row in fee.rows] == [("2026-10", 98)]
    assert "= 98.00" in fee.formula and "3 个对标供电所中排第 2 名" in fee.formula
    assert "得分率 0.5000" in fee.formula
    bench = found["bench"]
    assert len(bench.rows) == 2
    # fee recovery 2nd of 3 (0.5), data quality 1st of 3 (1): (0.5 + 1) ÷ 2 × 100
    assert bench.recomputed == "75.00" == a2.contributions["bench"]["raw"]


def test_a_target_without_data_says_the_data_is_missing(tree, personas):
    round_ = sources_round(tree, personas)
    b1 = Target.objects.get(round=round_, organization=tree.station_b1)
    found = by_code(contribution_sources(personas.company, b1))
    assert found["bench"].recomputed == "0.00"  # B1 is last of 3 in fee recovery: a real zero
    a2 = Target.objects.get(round=round_, organization=tree.station_a2)
    rect = by_code(contribution_sources(personas.company, a2))["rect"]
    assert rect.rows == [] and rect.recomputed is None and "没有可计算的比率" in rect.formula
    assert a2.contributions["rect"]["raw"] is None


def test_data_changed_after_computing_is_said_plainly(client, tree, personas):
    round_ = sources_round(tree, personas)
    a1 = Target.objects.get(round=round_, organization=tree.station_a1)
    obligation(tree.station_a1, dt.date(2026, 10, 30), dt.date(2026, 10, 30), "补录")
    found = by_code(contribution_sources(personas.company, a1))["obl"]
    assert (found.stored, found.recomputed, found.agrees) == ("66.67", "75.00", False)
    client.force_login(personas.company)
    response = client.get(reverse("evaluation:target_detail", args=[a1.pk]))
    assert response.content.count(b'data-testid="source-changed"') == 1


def test_points_and_another_schemes_results_give_their_raw_values(tree, personas, people):
    stars = member_round(tree, personas, people)  # 张三 90 in the published star round
    item = PointsItem.objects.filter(category="execution").first()
    for day, state in ((5, "approved"), (9, "approved"), (12, "pending"), (40, "approved")):
        PointsEntry.objects.create(
            person=people.zhang_san,
            item=item,
            occurred_on=dt.date(2026, 10, 1) + dt.timedelta(days=day),
            points=3,
            state=state,
        )
    scheme = make_scheme(
        tree.company,
        code="member-sources",
        target_kind="member",
        indicators=[
            {
                "code": "pts",
                "name": "积分",
                "kind": "computed",
                "weight": 50,
                "source": "points",
                "full_marks_at": 10,
            },
            {
                "code": "star",
                "name": "星级评定",
                "kind": "computed",
                "weight": 50,
                "source": "scheme_result",
                "source_param": "stars",
            },
        ],
    )
    from bastion.evaluation.services import rounds

    round_ = open_round(personas.company, scheme, tree.company)
    rounds.round_compute(actor=personas.company, round_=round_)
    raws = engine_raws(round_)
    target = Target.objects.select_related("round").get(round=round_, person=people.zhang_san)
    found = by_code(contribution_sources(personas.company, target))
    assert found["pts"].recomputed == "6.00" == raws[(target.pk, "pts")]
    assert [row.value for row in found["pts"].rows] == [3, 3]
    assert found["star"].recomputed == "90.00" == raws[(target.pk, "star")]
    star_target = Target.objects.get(round=stars, person=people.zhang_san)
    assert found["star"].rows[0].url == reverse("evaluation:target_detail", args=[star_target.pk])
    for other in Target.objects.filter(round=round_).select_related("round"):
        for code, item_ in by_code(contribution_sources(personas.company, other)).items():
            assert item_.recomputed == raws[(other.pk, code)], (other, code)


# --- the page ----------------------------------------------------------------------------------


def test_the_result_page_lists_each_contributions_rows(client, tree, personas):
    round_ = sources_round(tree, personas)
    a1 = Target.objects.get(round=round_, organization=tree.station_a1)
    client.force_login(personas.company)
    response = client.get(reverse("evaluation:target_detail", args=[a1.pk]))
    text = response.content.decode()
    assert text.count('data-testid="source"') == 5
    assert text.count('data-testid="source-link"') == 5
    assert "已完成 2 ÷ 应完成 3 = 66.67%" in text
    assert text.count('data-testid="source-row"') == 3 + 3 + 1 + 1 + 2
    assert 'data-testid="source-changed"' not in text


def test_the_result_page_costs_the_same_queries_for_more_rows(client, tree, personas):
    round_ = sources_round(tree, personas)
    a1 = Target.objects.get(round=round_, organization=tree.station_a1)
    client.force_login(personas.company)
    url = reverse("evaluation:target_detail", args=[a1.pk])
    before = count_queries(client, url)
    for day in range(1, 8):
        obligation(tree.station_a1, dt.date(2026, 10, day), None, f"加 {day}")
        problem(tree.station_a1, dt.date(2026, 10, day))
        answer(
            task(tree.company, dt.date(2026, 10, day), title=f"任务 {day}"), tree.station_a1, None
        )
    assert count_queries(client, url) == before


# --- the scope ---------------------------------------------------------------------------------

A1_DETAIL = {
    "company": 200,
    "county": 200,
    "secretary_a": 200,
    "secretary_b": 404,
    "member": 404,  # the round is computed, not published
    "outsider": 404,
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_sources_follow_the_page_scope(client, tree, personas, persona):
    round_ = sources_round(tree, personas)
    a1 = Target.objects.get(round=round_, organization=tree.station_a1)
    client.force_login(getattr(personas, persona))
    response = client.get(reverse("evaluation:target_detail", args=[a1.pk]))
    assert response.status_code == A1_DETAIL[persona]


def test_rows_outside_the_viewers_scope_are_counted_but_not_listed(client, tree, personas):
    """A problem A1 is responsible for, found at B1: the county of A cannot see it; it still
    counts, and the page says one row is not listed."""
    from bastion.evaluation.services import rounds

    round_ = sources_round(tree, personas, compute=False)
    problem(tree.station_a1, dt.date(2026, 10, 16), at=tree.station_b1)
    rounds.round_compute(actor=personas.company, round_=round_)
    a1 = Target.objects.select_related("round").get(round=round_, organization=tree.station_a1)
    company = by_code(contribution_sources(personas.company, a1))["rect"]
    county = by_code(contribution_sources(personas.county, a1))["rect"]
    assert (len(company.rows), company.hidden) == (4, 0)
    assert (len(county.rows), county.hidden) == (3, 1)
    assert county.formula == company.formula == "按期整改 1 ÷ 应整改 4 = 25.00%"
    assert county.agrees
    client.force_login(personas.county)
    response = client.get(reverse("evaluation:target_detail", args=[a1.pk]))
    assert response.content.count(b'data-testid="source-hidden"') == 1
    assert f"/problems/{problem_at_b1()}/".encode() not in response.content


def problem_at_b1():
    from bastion.problems.models import Problem

    return Problem.objects.get(organization__code="C-B-1", responsible_org__code="C-A-1").pk


def test_a_member_sees_only_the_rows_of_their_scope(client, tree, personas):
    from bastion.evaluation.models import Round

    round_ = sources_round(tree, personas)
    Round.objects.filter(pk=round_.pk).update(state="published")  # the data check is elsewhere
    a1 = Target.objects.select_related("round").get(round=round_, organization=tree.station_a1)
    found = by_code(contribution_sources(personas.member, a1))
    company = by_code(contribution_sources(personas.company, a1))
    for code, item in found.items():
        assert item.formula == company[code].formula
        assert item.total_rows == company[code].total_rows
    # a member may read their branch's obligations, not its problems, sheets or benchmark values
    assert {code: (len(item.rows), item.hidden) for code, item in found.items()} == {
        "obl": (3, 0),
        "rect": (0, 3),
        "task": (0, 1),
        "fee": (0, 1),
        "bench": (0, 2),
    }
    client.force_login(personas.member)
    page = client.get(reverse("evaluation:target_detail", args=[a1.pk])).content.decode()
    assert "/problems/" not in page and "/tasks/assignments/" not in page
    assert page.count('data-testid="source-hidden"') == 4
    b1 = Target.objects.get(round=round_, organization=tree.station_b1)
    assert client.get(reverse("evaluation:target_detail", args=[b1.pk])).status_code == 404


def test_benchmark_ranks_are_those_the_engine_used_for_a_round_over_part_of_the_company(
    tree, personas
):
    """A round over county A alone still ranks its stations among all the company's stations
    (B1 included): the rows' rank must be that one too."""
    from bastion.evaluation.services import rounds

    from .helpers_sources import computed_scheme, feed

    feed(tree)
    round_ = open_round(personas.county, computed_scheme(tree.company), tree.county_a)
    rounds.round_compute(actor=personas.county, round_=round_)
    round_.refresh_from_db()
    raws = engine_raws(round_)
    for target in Target.objects.filter(round=round_).select_related("round"):
        found = by_code(contribution_sources(personas.county, target))
        for code in ("fee", "bench"):
            assert found[code].recomputed == raws[(target.pk, code)], (target, code)
    a2 = Target.objects.select_related("round").get(round=round_, organization=tree.station_a2)
    assert (
        "3 个对标供电所中排第 2 名"
        in by_code(contribution_sources(personas.county, a2))["fee"].formula
    )
