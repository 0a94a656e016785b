import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bastion.problems.models import (
    Inspection,
    InspectionKind,
    Library,
    Problem,
    ProblemEvent,
    Source,
    Tier,
)
from bastion.problems.services import filing, rectify

from .helpers import make_inspection, make_problem, today

pytestmark = pytest.mark.django_db


def test_mutual_inspection_refuses_inspecting_org_among_inspected(tree, personas):
    with pytest.raises(ValidationError) as exc:
        make_inspection(
            personas.county,
            tree.station_a1,
            [tree.station_a1, tree.station_a2],
            kind=InspectionKind.MUTUAL,
        )
    assert "互查时检查组织不能同时是被检查组织" in str(exc.value)
    assert not Inspection.objects.exists()
    inspection = make_inspection(
        personas.county, tree.station_a1, [tree.station_a2], kind=InspectionKind.MUTUAL
    )
    assert list(inspection.inspected.all()) == [tree.station_a2]


def test_inspected_orgs_must_be_in_scope(tree, personas):
    with pytest.raises(ValidationError) as exc:
        make_inspection(personas.county, tree.county_a, [tree.station_a1, tree.station_b1])
    assert "B1供电所党支部" in str(exc.value)
    with pytest.raises(PermissionDenied):
        make_inspection(personas.secretary_a, tree.station_b1, [tree.station_b1])
    assert not Inspection.objects.exists()


def test_flying_inspection_is_unannounced_and_self_stays_in_subtree(tree, personas):
    flying = make_inspection(
        personas.county, tree.county_a, [tree.station_a1], kind=InspectionKind.FLYING
    )
    assert flying.unannounced
    with pytest.raises(ValidationError):
        make_inspection(
            personas.company, tree.county_a, [tree.station_b1], kind=InspectionKind.SELF
        )


def test_inspection_date_not_in_future(tree, personas):
    with pytest.raises(ValidationError) as exc:
        make_inspection(
            personas.county,
            tree.county_a,
            [tree.station_a1],
            held_on=today() + dt.timedelta(days=1),
        )
    assert "检查日期不能晚于今天" in str(exc.value)


def test_problem_defaults_library_and_owner_from_tier(tree, personas):
    p1 = make_problem(personas.county, tree.station_a1, tier=1)
    assert (p1.library, p1.owner) == (Library.BRANCH, tree.station_a1)
    p3 = make_problem(personas.county, tree.station_a2, tier=3)
    assert (p3.library, p3.owner) == (Library.COUNTY, tree.county_a)
    group = make_problem(personas.county, tree.group_a1, tier=1)
    assert group.owner == tree.station_a1
    assert ProblemEvent.objects.filter(problem=p1, to_state="planned").count() == 1


def test_library_is_editable(tree, personas):
    problem = make_problem(personas.county, tree.station_a1, tier=1, library=Library.COUNTY)
    assert (problem.library, problem.owner) == (Library.COUNTY, tree.county_a)


def test_tier_four_escalates_to_committee_above(tree, personas):
    problem = make_problem(personas.county, tree.station_a1, tier=4, library=Library.BRANCH)
    assert problem.owner == tree.county_a and problem.library == Library.COUNTY
    assert problem.escalated_at is not None
    default = make_problem(personas.county, tree.station_a2, tier=4)
    assert default.owner == tree.company and default.library == Library.COMPANY


def test_raising_tier_to_four_escalates_from_current_owner(tree, personas):
    problem = make_problem(personas.county, tree.station_a1, tier=3)
    assert problem.owner == tree.county_a
    filing.problem_update(problem=problem, actor=personas.county, tier=Tier.ESCALATE)
    problem.refresh_from_db()
    assert problem.owner == tree.company and problem.library == Library.COMPANY
    assert problem.escalated_at is not None


def test_escalate_helper(tree, personas):
    problem = make_problem(personas.county, tree.station_a1, tier=2)
    rectify.escalate(problem)
    assert problem.owner == tree.county_a


def test_recurring_within_a_year_suggests_tier_two(tree, personas):
    found = today()
    make_problem(personas.county, tree.station_a1, found_on=found - dt.timedelta(days=365))
    again = make_problem(personas.county, tree.station_a1, found_on=found, tier=1)
    assert again.recurring and again.tier == 2


def test_not_recurring_after_366_days_or_other_category(tree, personas):
    found = today()
    make_problem(personas.county, tree.station_a1, found_on=found - dt.timedelta(days=366))
    later = make_problem(personas.county, tree.station_a1, found_on=found)
    assert not later.recurring and later.tier == 1
    other = make_problem(personas.county, tree.station_a1, category="integrity")
    assert not other.recurring


def test_responsible_org_and_person_rules(tree, people, personas):
    with pytest.raises(ValidationError) as exc:
        make_problem(
            personas.county,
            tree.station_a1,
            responsible_org=tree.station_a2,
            responsible_person=people.wang_wu,
        )
    assert "责任组织须为问题所在组织本身或其下级组织" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        make_problem(personas.county, tree.station_a1, responsible_person=people.wang_wu)
    assert "不在责任组织" in str(exc.value)
    ok = make_problem(personas.county, tree.station_a1, responsible_org=tree.group_a1)
    assert ok.responsible_org == tree.group_a1
    ok = make_problem(personas.county, tree.station_a1, responsible_person=people.zhang_san)
    assert ok.responsible_person == people.zhang_san
    assert Problem.objects.count() == 2


def test_deadline_not_before_found_on(tree, personas):
    with pytest.raises(ValidationError) as exc:
        make_problem(personas.county, tree.station_a1, deadline=today() - dt.timedelta(days=1))
    assert "整改时限不能早于发现日期" in str(exc.value)
    assert not Problem.objects.exists()


def test_problem_outside_scope_refused(tree, personas):
    with pytest.raises(PermissionDenied):
        make_problem(personas.secretary_a, tree.station_b1)
    with pytest.raises(PermissionDenied):
        make_problem(personas.member, tree.station_a1)


def test_problem_from_inspection_must_be_on_an_inspected_org(tree, personas):
    inspection = make_inspection(personas.county, tree.county_a, [tree.station_a1])
    problem = make_problem(personas.county, tree.group_a1, inspection=inspection)
    assert problem.source == Source.INSPECTION
    with pytest.raises(ValidationError) as exc:
        make_problem(personas.county, tree.station_a2, inspection=inspection)
    assert "不是该检查的被检查组织" in str(exc.value)
    with pytest.raises(ValidationError):
        make_problem(personas.county, tree.station_a2, source=Source.INSPECTION)


def test_closed_problem_cannot_be_edited(tree, personas):
    problem = make_problem(personas.county, tree.station_a1)
    Problem.objects.filter(pk=problem.pk).update(state="closed")
    problem.refresh_from_db()
    with pytest.raises(ValidationError):
        filing.problem_update(problem=problem, actor=personas.county, description="改")
