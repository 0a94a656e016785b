"""The problems' home widget (``bastion.problems.widgets.to_act_on``): who must act on what."""

import datetime as dt

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bastion.core.testing import count_queries
from bastion.problems.models import Problem, State
from bastion.problems.services import rectify
from bastion.problems.widgets import SHOWN, to_act_on

from .helpers import discipline, make_problem, png, today

pytestmark = pytest.mark.django_db


def widget_of(user):
    request = RequestFactory().get("/")
    request.user = user
    return to_act_on(request)


def overdue_problem(actor, org, description):
    found = today() - dt.timedelta(days=40)  # deadline: 10 days ago
    return make_problem(actor, org, found_on=found, description=description)


def submitted_problem(actor, secretary, org, description):
    problem = make_problem(actor, org, description=description)
    rectify.problem_transition(actor=secretary, problem=problem, to=State.IN_PROGRESS)
    rectify.problem_transition(actor=secretary, problem=problem, to=State.SUBMITTED, files=[png()])
    return problem


@pytest.fixture
def problems(tree, personas):
    company, county = personas.company, personas.county
    return {
        "a1_late": overdue_problem(company, tree.station_a1, "A1逾期未整改"),
        "a1_open": make_problem(company, tree.station_a1, description="A1台账不全"),
        "a1_done": submitted_problem(company, personas.secretary_a, tree.station_a1, "A1已提交"),
        "a2_open": make_problem(company, tree.station_a2, description="A2制度未上墙"),
        "b1_open": make_problem(company, tree.station_b1, description="B1会议记录缺失"),
        "b1_done": submitted_problem(company, personas.secretary_b, tree.station_b1, "B1已提交"),
        "county": make_problem(county, tree.county_a, description="县公司学习不到位"),
    }


def test_a_branch_secretary_sees_their_branchs_problems_to_rectify(personas, problems):
    html = widget_of(personas.secretary_a)
    assert 'data-testid="widget-rectify">2<' in html
    assert 'data-testid="widget-problems-overdue">1<' in html
    assert 'data-testid="widget-verify"' not in html  # a branch does not verify
    assert "A1逾期未整改" in html and "A1台账不全" in html
    for other in ("A1已提交", "A2制度未上墙", "B1会议记录缺失", "县公司学习不到位"):
        assert other not in html


def test_the_overdue_problem_is_red_and_listed_first(personas, problems):
    html = widget_of(personas.secretary_a)
    assert 'text-red" data-testid="widget-problems-overdue"' in html
    assert html.index("A1逾期未整改") < html.index("A1台账不全")
    assert 'bg-red-lt" href="' in html and 'data-colour="red"' in html
    assert "已逾期" in html


def test_a_county_secretary_sees_their_countys_problems_on_both_sides(personas, problems):
    html = widget_of(personas.county)
    assert 'data-testid="widget-rectify">4<' in html
    assert 'data-testid="widget-problems-overdue">1<' in html
    assert 'data-testid="widget-verify">1<' in html
    for mine in ("A1逾期未整改", "A1台账不全", "A2制度未上墙", "县公司学习不到位", "A1已提交"):
        assert mine in html
    assert "B1会议记录缺失" not in html and "B1已提交" not in html


def test_the_verifying_side_only_sees_what_waits_for_verification(tree, problems):
    html = widget_of(discipline(tree))
    assert 'data-testid="widget-verify">1<' in html
    assert 'data-testid="widget-rectify"' not in html
    assert "A1已提交" in html and "A1台账不全" not in html


@pytest.mark.parametrize("persona", ["member", "outsider"])
def test_who_neither_rectifies_nor_verifies_gets_no_widget(client, personas, problems, persona):
    user = getattr(personas, persona)
    assert widget_of(user) is None
    client.force_login(user)
    assert 'data-testid="problems-widget"' not in client.get(reverse("home")).content.decode()


def test_a_secretary_with_nothing_to_do_is_told_so(personas, tree):
    html = widget_of(personas.secretary_b)
    assert 'data-testid="widget-rectify">0<' in html
    assert 'data-testid="widget-problems-none"' in html


def test_every_listed_problem_opens_for_the_viewer(client, personas, problems):
    for user in (personas.secretary_a, personas.county):
        client.force_login(user)
        html = client.get(reverse("home")).content.decode()
        assert 'data-testid="problems-widget"' in html
        listed = [p for p in problems.values() if p.get_absolute_url() in html]
        assert listed
        for problem in listed:
            assert client.get(problem.get_absolute_url()).status_code == 200


def test_only_the_first_few_are_listed(personas, tree, problems):
    template = problems["a1_open"]
    clone(template, SHOWN + 2)
    html = widget_of(personas.secretary_a)
    assert f'data-testid="widget-rectify">{SHOWN + 4}<' in html
    assert html.count('data-testid="widget-rectify-row"') == SHOWN


def clone(problem: Problem, n: int) -> None:
    fields = {
        f.name: getattr(problem, f.name)
        for f in Problem._meta.concrete_fields
        if f.name not in ("id", "created_at")
    }
    Problem.objects.bulk_create(Problem(**fields) for _ in range(n))


def test_the_widget_costs_the_same_queries_with_more_problems(client, personas, problems):
    def queries():
        with CaptureQueriesContext(connection) as ctx:
            widget_of(personas.county)
        return len(ctx.captured_queries)

    widget_of(personas.county)  # the grants are read once per user, then kept on it
    few = queries()
    clone(problems["a1_late"], 30)
    clone(problems["a1_done"], 30)
    many = queries()
    assert few == many
    client.force_login(personas.county)
    first = count_queries(client, reverse("home"))
    clone(problems["a2_open"], 30)
    assert count_queries(client, reverse("home")) == first
