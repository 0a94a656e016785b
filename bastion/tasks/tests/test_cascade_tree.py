"""The tree as each persona sees it, the roll-up, feedback per organization, the list of
objectives and the task sheets waiting for a branch's action plan."""

import pytest

from bastion.tasks import selectors_cascade as selectors
from bastion.tasks.services.cascade import cascade_item_create, cascade_item_set_status

from .cascade_helpers import answer, build_cascade, hq_department, linked_task, sheet_fields

pytestmark = pytest.mark.django_db


@pytest.fixture
def cascade(tree, personas):
    return build_cascade(tree, personas.company)


def seen(tree_):
    return {node.item.title: node.access for node in tree_.nodes.values()}


def test_company_sees_every_item_in_full(personas, cascade):
    shown = seen(selectors.cascade_tree(personas.company, cascade.objective.pk))
    assert len(shown) == 7
    assert set(shown.values()) == {"full"}


def test_secretary_a_sees_the_path_to_their_plan_and_nothing_of_other_branches(personas, cascade):
    shown = seen(selectors.cascade_tree(personas.secretary_a, cascade.objective.pk))
    assert shown == {
        cascade.objective.title: "directive",
        cascade.book.title: "directive",
        cascade.sheet_a.title: "directive",
        cascade.plan_a1.title: "full",
    }


def test_secretary_b_never_sees_station_a1(personas, cascade):
    result = selectors.cascade_tree(personas.secretary_b, cascade.objective.pk)
    shown = seen(result)
    assert cascade.plan_a1.title not in shown
    assert cascade.sheet_a.title not in shown
    assert shown[cascade.plan_b1.title] == "full"
    assert shown[cascade.sheet_b.title] == "directive"
    book = result.nodes[cascade.book.pk]
    assert [c.item.pk for c in book.children] == [cascade.sheet_b.pk]
    assert book.child_count == 2  # counted for the delete rule, not shown


def test_county_sees_its_sheets_in_full_and_the_directives_above(personas, cascade):
    shown = seen(selectors.cascade_tree(personas.county, cascade.objective.pk))
    assert shown == {
        cascade.objective.title: "directive",
        cascade.book.title: "directive",
        cascade.sheet_a.title: "full",
        cascade.plan_a1.title: "full",
        cascade.plan_a2.title: "full",
    }


def test_member_reads_like_their_branch_and_outsider_sees_nothing(personas, cascade):
    member = seen(selectors.cascade_tree(personas.member, cascade.objective.pk))
    assert member[cascade.plan_a1.title] == "full"
    assert cascade.plan_a2.title not in member
    assert selectors.cascade_tree(personas.outsider, cascade.objective.pk) is None


def test_a_county_cascade_does_not_reach_another_county(tree, personas):
    objective = cascade_item_create(
        actor=personas.county, level="objective", organization=tree.county_a, title="A县攻坚目标"
    )
    assert selectors.cascade_tree(personas.secretary_b, objective.pk) is None
    assert selectors.cascade_tree(personas.secretary_a, objective.pk) is not None


def test_a_non_objective_pk_is_not_a_tree(personas, cascade):
    assert selectors.cascade_tree(personas.company, cascade.sheet_a.pk) is None


def test_progress_rolls_up_from_action_plans_and_accepted_answers(tree, personas, cascade):
    cascade_item_set_status(item=cascade.plan_a1, actor=personas.secretary_a, status="done")
    task = linked_task(
        tree.county_a, personas.county, cascade.sheet_a, [tree.station_a1, tree.station_a2]
    )
    answer(task, tree.station_a1, actor=personas.secretary_a, reviewer=personas.county)
    result = selectors.cascade_tree(personas.company, cascade.objective.pk)
    sheet = result.nodes[cascade.sheet_a.pk].rollup
    assert (sheet.plans_done, sheet.plans_total) == (1, 2)
    assert (sheet.assignments_accepted, sheet.assignments_total) == (1, 2)
    assert sheet.percent == 50  # A1 done of A1, A2; the answers are read beside, not counted
    root = result.root.rollup
    assert (root.plans_done, root.plans_total, root.assignments_total) == (1, 3, 2)
    assert result.nodes[cascade.sheet_b.pk].rollup.percent == 0
    assert root.percent == 25  # the book: (50 % + 0 %) / 2; the objective: its one book
    assert result.nodes[cascade.plan_a1.pk].rollup.percent == 100
    assert result.nodes[cascade.plan_b1.pk].rollup.percent == 0
    [linked] = result.nodes[cascade.sheet_a.pk].tasks
    assert (linked.assignment_accepted, linked.assignment_total) == (1, 2)


def test_feedback_shows_under_the_answering_branch_only(tree, personas, cascade):
    task = linked_task(
        tree.county_a, personas.county, cascade.sheet_a, [tree.station_a1, tree.station_a2]
    )
    answer(
        task,
        tree.station_a1,
        actor=personas.secretary_a,
        reviewer=personas.county,
        text="A1已包干高损台区",
    )
    mine = selectors.cascade_tree(personas.secretary_a, cascade.objective.pk)
    [fb] = mine.nodes[cascade.plan_a1.pk].feedback
    assert (fb.organization, fb.feedback, fb.state) == (
        tree.station_a1,
        "A1已包干高损台区",
        "accepted",
    )
    assert mine.nodes[cascade.sheet_a.pk].tasks == []  # a directive shows no tasks
    county = selectors.cascade_tree(personas.county, cascade.objective.pk)
    assert [a.organization for a in county.nodes[cascade.plan_a2.pk].feedback] == [tree.station_a2]
    assert [a.organization for a in county.nodes[cascade.plan_a1.pk].feedback] == [tree.station_a1]
    other = selectors.cascade_tree(personas.secretary_b, cascade.objective.pk)
    assert other.nodes[cascade.plan_b1.pk].feedback == []


def test_roots_reached_by_each_persona(tree, personas, cascade):
    county_only = cascade_item_create(
        actor=personas.county, level="objective", organization=tree.county_a, title="A县攻坚目标"
    )
    expected = {
        "company": {cascade.objective.pk, county_only.pk},
        "county": {cascade.objective.pk, county_only.pk},
        "secretary_a": {cascade.objective.pk, county_only.pk},
        "secretary_b": {cascade.objective.pk},
        "member": {cascade.objective.pk, county_only.pk},
        "outsider": set(),
    }
    for persona, roots in expected.items():
        got = set(
            selectors.reachable_roots(getattr(personas, persona)).values_list("pk", flat=True)
        )
        assert got == roots, persona


def test_list_counts_cover_the_readers_part(personas, cascade):
    cascade_item_set_status(item=cascade.plan_a1, actor=personas.secretary_a, status="done")
    roots = list(selectors.reachable_roots(personas.county))
    selectors.root_summaries(personas.county, roots)
    [root] = roots
    assert root.level_counts == [("task_book", 0), ("task_sheet", 1), ("action_plan", 2)]
    assert (root.rollup.plans_done, root.rollup.plans_total) == (1, 2)
    assert root.in_scope is False
    roots = list(selectors.reachable_roots(personas.company))
    selectors.root_summaries(personas.company, roots)
    assert roots[0].level_counts == [("task_book", 1), ("task_sheet", 2), ("action_plan", 3)]
    assert roots[0].in_scope is True


def test_task_sheets_wait_for_the_branch_plan(tree, personas):
    objective = cascade_item_create(
        actor=personas.company, level="objective", organization=tree.company, title="目标"
    )
    book = cascade_item_create(
        actor=personas.company,
        parent=objective,
        level="task_book",
        organization=hq_department(tree),
        title="任务书",
    )
    sheet = cascade_item_create(
        actor=personas.county,
        parent=book,
        level="task_sheet",
        organization=tree.county_a,
        title="A县任务单",
        **sheet_fields(),
    )
    assert list(selectors.awaiting_plans(personas.secretary_a)) == [sheet]
    assert list(selectors.awaiting_plans(personas.secretary_b)) == []
    assert list(selectors.awaiting_plans(personas.member)) == []  # cannot write one
    cascade_item_create(
        actor=personas.secretary_a,
        parent=sheet,
        level="action_plan",
        organization=tree.station_a1,
        title="A1方案",
    )
    assert list(selectors.awaiting_plans(personas.secretary_a)) == []
