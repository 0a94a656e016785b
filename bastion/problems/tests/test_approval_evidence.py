"""Issue 14 item 6: a problem is approved (验收通过) or closed (销号) only with rectification
evidence on file. Submitting already asks for it; a problem that reached 已提交 without any (rows
from before the rule, a direct import) must not be approved, through the service or the API."""

import pytest
from django.core.exceptions import ValidationError

from bastion.core.testing import login
from bastion.problems.models import ProblemEvidence, State
from bastion.problems.services import rectify

from .api_helpers import (
    data_fixture,  # noqa: F401
    discipline_fixture,  # noqa: F401
    problem_url,
)
from .helpers import make_problem, png

pytestmark = pytest.mark.django_db


@pytest.fixture
def problem(tree, personas):
    return make_problem(personas.county, tree.station_a1)


def move(problem, user, to, **kwargs):
    return rectify.problem_transition(problem=problem, actor=user, to=to, **kwargs)


def put_in(problem, state):
    """A row left in ``state`` without evidence, as data from before the rule would be."""
    problem.state = state
    problem.save(update_fields=["state"])


@pytest.mark.parametrize(
    ("state", "to"), [(State.SUBMITTED, State.VERIFIED), (State.VERIFIED, State.CLOSED)]
)
def test_no_approval_without_evidence(personas, problem, state, to):
    put_in(problem, state)
    with pytest.raises(ValidationError) as exc:
        move(problem, personas.county, to)
    assert "佐证" in " ".join(exc.value.message_dict["files"])
    problem.refresh_from_db()
    assert problem.state == state
    assert problem.events.count() == 1


def test_approval_with_evidence_on_file(personas, problem):
    sec, county = personas.secretary_a, personas.county
    move(problem, sec, State.IN_PROGRESS)
    move(problem, sec, State.SUBMITTED, files=[png()])
    move(problem, county, State.VERIFIED)
    move(problem, county, State.CLOSED)
    assert problem.state == State.CLOSED


def test_a_file_given_with_the_approval_counts(personas, problem):
    """The verifier may attach the on-site check photo as the evidence itself."""
    put_in(problem, State.SUBMITTED)
    move(problem, personas.county, State.VERIFIED, files=[png("复查.png")])
    assert problem.state == State.VERIFIED
    assert ProblemEvidence.objects.filter(problem=problem).count() == 1


def test_the_api_refuses_approval_without_evidence(api, personas, data):
    problem = data.problems.a1
    put_in(problem, State.SUBMITTED)
    login(api, personas.county)
    response = api.post(problem_url(problem, "transition"), {"to": "verified"}, format="json")
    assert response.status_code == 400
    assert "佐证" in response.json()["files"][0]
    problem.refresh_from_db()
    assert problem.state == State.SUBMITTED
