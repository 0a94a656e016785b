import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bastion.problems.models import ProblemEvidence, State
from bastion.problems.services import rectify

from .helpers import discipline, make_problem, png

pytestmark = pytest.mark.django_db


@pytest.fixture
def problem(tree, personas):
    return make_problem(personas.county, tree.station_a1)


def move(problem, user, to, **kwargs):
    return rectify.problem_transition(problem=problem, actor=user, to=to, **kwargs)


def test_full_cycle_with_reopen(tree, personas, problem):
    sec, county = personas.secretary_a, personas.county
    assert rectify.allowed_moves(problem, sec) == [State.IN_PROGRESS]
    move(problem, sec, State.IN_PROGRESS)
    move(problem, sec, State.SUBMITTED, files=[png()])
    assert problem.state == State.SUBMITTED and problem.submitted_on
    assert ProblemEvidence.objects.filter(problem=problem).count() == 1
    move(problem, county, State.VERIFIED)
    move(problem, county, State.CLOSED)
    assert problem.closed_on
    move(problem, county, "reopen", reason="问题复发")
    problem.refresh_from_db()
    assert problem.state == State.IN_PROGRESS and problem.closed_on is None
    steps = [(e.from_state, e.to_state) for e in problem.events.all()]
    assert steps[-1] == (State.CLOSED, State.IN_PROGRESS)
    assert len(steps) == 6


def test_submit_needs_evidence(personas, problem):
    move(problem, personas.secretary_a, State.IN_PROGRESS)
    with pytest.raises(ValidationError) as exc:
        move(problem, personas.secretary_a, State.SUBMITTED)
    assert "佐证" in str(exc.value)
    problem.refresh_from_db()
    assert problem.state == State.IN_PROGRESS


def test_bad_evidence_file_refused(personas, problem):
    move(problem, personas.secretary_a, State.IN_PROGRESS)
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("x.png", b"not an image at all", content_type="image/png")
    with pytest.raises(ValidationError) as exc:
        move(problem, personas.secretary_a, State.SUBMITTED, files=[fake])
    assert "x.png" in str(exc.value)
    assert not ProblemEvidence.objects.exists()


def test_reject_needs_reason_then_resubmit_needs_new_evidence(personas, problem):
    sec, county = personas.secretary_a, personas.county
    move(problem, sec, State.IN_PROGRESS)
    move(problem, sec, State.SUBMITTED, files=[png()])
    with pytest.raises(ValidationError) as exc:
        move(problem, county, State.REJECTED, reason="  ")
    assert "请填写原因" in str(exc.value)
    move(problem, county, State.REJECTED, reason="照片不清楚")
    with pytest.raises(ValidationError):
        move(problem, sec, State.SUBMITTED)
    move(problem, sec, State.SUBMITTED, files=[png("again.png")])
    assert problem.state == State.SUBMITTED


def test_reopen_needs_reason(personas, problem):
    sec, county = personas.secretary_a, personas.county
    move(problem, sec, State.IN_PROGRESS)
    move(problem, sec, State.SUBMITTED, files=[png()])
    move(problem, county, State.VERIFIED)
    move(problem, county, State.CLOSED)
    with pytest.raises(ValidationError):
        move(problem, county, "reopen")
    problem.refresh_from_db()
    assert problem.state == State.CLOSED


def test_branch_secretary_cannot_verify_discipline_can(tree, personas, problem):
    sec = personas.secretary_a
    move(problem, sec, State.IN_PROGRESS)
    move(problem, sec, State.SUBMITTED, files=[png()])
    assert rectify.allowed_moves(problem, sec) == []
    for to in (State.VERIFIED, State.REJECTED):
        with pytest.raises(PermissionDenied):
            move(problem, sec, to, reason="x")
    inspector = discipline(tree)
    assert set(rectify.allowed_moves(problem, inspector)) == {State.VERIFIED, State.REJECTED}
    move(problem, inspector, State.VERIFIED)
    assert problem.state == State.VERIFIED


def test_discipline_cannot_rectify_and_outsiders_nothing(tree, personas, problem):
    inspector = discipline(tree)
    with pytest.raises(PermissionDenied):
        move(problem, inspector, State.IN_PROGRESS)
    for user in (personas.secretary_b, personas.member, personas.outsider):
        assert rectify.allowed_moves(problem, user) == []
        with pytest.raises(PermissionDenied):
            move(problem, user, State.IN_PROGRESS)


@pytest.mark.parametrize(
    "state,to",
    [
        (State.PLANNED, State.SUBMITTED),
        (State.PLANNED, State.VERIFIED),
        (State.IN_PROGRESS, State.CLOSED),
        (State.SUBMITTED, State.CLOSED),
        (State.VERIFIED, State.REJECTED),
        (State.CLOSED, State.VERIFIED),
        (State.PLANNED, "reopen"),
        (State.PLANNED, "nonsense"),
    ],
)
def test_refused_transitions_change_nothing(personas, problem, state, to):
    problem.state = state
    problem.save(update_fields=["state"])
    with pytest.raises(ValidationError):
        move(problem, personas.company, to, reason="原因", files=[png()])
    problem.refresh_from_db()
    assert problem.state == state
    assert problem.events.count() == 1


def test_every_allowed_transition_for_company(personas, problem):
    for to, (sources, _perm, _needs) in rectify.TRANSITIONS.items():
        for source in sources:
            problem.state = source
            problem.save(update_fields=["state"])
            move(problem, personas.company, to, reason="原因", files=[png()])
            problem.refresh_from_db()
            assert problem.state == (State.IN_PROGRESS if to == "reopen" else to)
