"""Issue 14, item 2: the roll-up counts every child an item should have, an item's status agrees
with its roll-up, and each level is written only by the organizations of that level.

The expected children (see ``bastion/tasks/cascade_rules.py``): an objective expects at least one
task book, a task book at least one task sheet, a task sheet one action plan from every active
支部 (branch, general branch, temporary branch) at or below its 战区. A missing child is 0 %.
An item's progress is the mean of its expected children's; an action plan is 100 % when done.
"""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from bastion.core.testing import login
from bastion.orgs.tests.factories import make_org
from bastion.tasks import selectors_cascade as selectors
from bastion.tasks.models import CascadeItem
from bastion.tasks.services.cascade import cascade_item_create, cascade_item_set_status

from .cascade_helpers import DEADLINE, hq_department, sheet_fields

pytestmark = pytest.mark.django_db


def _objective(actor, tree, title="攻坚目标"):
    return cascade_item_create(
        actor=actor, level="objective", organization=tree.company, title=title, deadline=DEADLINE
    )


def _book(actor, objective, department, title):
    return cascade_item_create(
        actor=actor, parent=objective, level="task_book", organization=department, title=title
    )


def _sheet(actor, book, county, title):
    return cascade_item_create(
        actor=actor,
        parent=book,
        level="task_sheet",
        organization=county,
        title=title,
        **sheet_fields(),
    )


def _plan(actor, sheet, station, *, done=False, started=False):
    plan = cascade_item_create(
        actor=actor,
        parent=sheet,
        level="action_plan",
        organization=station,
        title=f"{station.name}行动方案",
    )
    if done or started:
        status = "done" if done else "in_progress"
        cascade_item_set_status(item=plan, actor=actor, status=status)
    return plan


def _percent(actor, objective, item):
    tree_ = selectors.cascade_tree(actor, objective.pk)
    return tree_.nodes[item.pk].rollup.percent


# --- the bug as reported ------------------------------------------------------------------------


def test_objective_is_not_100_percent_while_one_of_its_two_sheets_has_not_started(tree, personas):
    company = personas.company
    objective = _objective(company, tree)
    book = _book(company, objective, hq_department(tree), "任务书")
    sheet_a = _sheet(company, book, tree.county_a, "A县任务单")
    sheet_b = _sheet(company, book, tree.county_b, "B县任务单")
    _plan(company, sheet_a, tree.station_a1, done=True)
    _plan(company, sheet_a, tree.station_a2, done=True)
    result = selectors.cascade_tree(company, objective.pk)
    assert result.nodes[sheet_a.pk].rollup.percent == 100
    assert result.nodes[sheet_b.pk].rollup.percent == 0  # B1 has written no action plan
    assert result.nodes[book.pk].rollup.percent == 50
    assert result.root.rollup.percent == 50


# --- a hand-built tree with missing children ----------------------------------------------------


@pytest.fixture
def ragged(tree, personas):
    """O ─┬─ B1 ─┬─ SA (county A: A1 done, A2 in progress, A3 has no plan)    1/3  → 33 %
          │      └─ SB (county B: B1 done)                                   1    → 100 %
          │                                            B1 = (1/3 + 1) / 2 = 2/3 → 66 %
          └─ B2 (no task sheet)                                                  → 0 %
    O = (2/3 + 0) / 2 = 1/3 → 33 %. Percent is floored: never 100 before everything is done."""
    company = personas.company
    station_a3 = make_org(tree.county_a, name="A3供电所党支部", code="C-A-3")
    station_a3.refresh_from_db()
    objective = _objective(company, tree)
    book_1 = _book(company, objective, hq_department(tree, "1"), "配网任务书")
    book_2 = _book(company, objective, hq_department(tree, "2"), "营销任务书")
    sheet_a = _sheet(company, book_1, tree.county_a, "A县任务单")
    sheet_b = _sheet(company, book_1, tree.county_b, "B县任务单")
    plan_a1 = _plan(company, sheet_a, tree.station_a1, done=True)
    plan_a2 = _plan(company, sheet_a, tree.station_a2, started=True)
    plan_b1 = _plan(company, sheet_b, tree.station_b1, done=True)
    return type(
        "Ragged",
        (),
        {
            "objective": objective,
            "book_1": book_1,
            "book_2": book_2,
            "sheet_a": sheet_a,
            "sheet_b": sheet_b,
            "plan_a1": plan_a1,
            "plan_a2": plan_a2,
            "plan_b1": plan_b1,
            "station_a3": station_a3,
        },
    )


def test_hand_computed_percentages_with_missing_children(personas, ragged):
    result = selectors.cascade_tree(personas.company, ragged.objective.pk)
    percent = {pk: node.rollup.percent for pk, node in result.nodes.items()}
    assert percent[ragged.plan_a1.pk] == 100
    assert percent[ragged.plan_a2.pk] == 0
    assert percent[ragged.plan_b1.pk] == 100
    assert percent[ragged.sheet_a.pk] == 33
    assert percent[ragged.sheet_b.pk] == 100
    assert percent[ragged.book_1.pk] == 66
    assert percent[ragged.book_2.pk] == 0
    assert percent[ragged.objective.pk] == 33


def test_the_roll_up_names_what_is_missing(personas, ragged):
    result = selectors.cascade_tree(personas.company, ragged.objective.pk)
    sheet_a = result.nodes[ragged.sheet_a.pk].rollup
    assert (sheet_a.complete, sheet_a.expected) == (1, 3)
    assert sheet_a.missing == ["A3供电所党支部"]
    book_2 = result.nodes[ragged.book_2.pk].rollup
    assert (book_2.complete, book_2.expected) == (0, 1)
    assert book_2.missing == ["任务单"]
    objective = result.root.rollup
    assert (objective.complete, objective.expected) == (0, 2)


def test_a_party_group_is_not_expected_to_answer(tree, personas, ragged):
    # group_a1 (党小组) sits under station_a1: its branch answers for it.
    result = selectors.cascade_tree(personas.company, ragged.objective.pk)
    assert tree.group_a1.name not in result.nodes[ragged.sheet_a.pk].rollup.missing


def test_an_inactive_branch_is_not_expected(personas, ragged):
    ragged.station_a3.is_active = False
    ragged.station_a3.save(update_fields=["is_active"])
    assert _percent(personas.company, ragged.objective, ragged.sheet_a) == 50


def test_the_list_shows_the_same_figure_as_the_tree(personas, ragged):
    roots = list(selectors.reachable_roots(personas.company))
    selectors.root_summaries(personas.company, roots)
    [root] = roots
    assert root.rollup.percent == 33
    assert root.status == "in_progress"


def test_the_list_shows_the_readers_part_with_what_is_missing(personas, ragged):
    roots = list(selectors.reachable_roots(personas.county))
    selectors.root_summaries(personas.county, roots)
    [root] = roots
    assert root.rollup.percent == 33  # the county's part: sheet A, A3 missing


# --- status and roll-up agree -------------------------------------------------------------------


def test_a_complete_item_shows_done_whatever_was_stored(personas, ragged):
    result = selectors.cascade_tree(personas.company, ragged.objective.pk)
    sheet_b = result.nodes[ragged.sheet_b.pk]
    assert ragged.sheet_b.status == "planned"
    assert (sheet_b.status, sheet_b.rollup.percent) == ("done", 100)


def test_no_item_shows_done_below_100_percent(personas, ragged):
    # Stored as done before A3 had to answer: shown 推进中 with its 33 %.
    CascadeItem.objects.filter(pk=ragged.sheet_a.pk).update(status="done")
    result = selectors.cascade_tree(personas.company, ragged.objective.pk)
    sheet_a = result.nodes[ragged.sheet_a.pk]
    assert (sheet_a.status, sheet_a.rollup.percent) == ("in_progress", 33)
    for node in result.nodes.values():
        assert (node.status == "done") == (node.rollup.percent == 100), node.item.title


def test_a_parent_cannot_be_marked_done_while_a_child_is_missing(personas, ragged):
    with pytest.raises(ValidationError) as exc:
        cascade_item_set_status(item=ragged.sheet_a, actor=personas.county, status="done")
    message = " ".join(exc.value.messages)
    assert "A3供电所党支部" in message and "33%" in message
    cascade_item_set_status(item=ragged.sheet_b, actor=personas.company, status="done")
    with pytest.raises(ValidationError) as exc:
        cascade_item_set_status(item=ragged.book_1, actor=personas.company, status="done")
    assert "A县任务单" in " ".join(exc.value.messages)


def test_an_objective_without_a_task_book_is_not_done(tree, personas):
    objective = _objective(personas.company, tree)
    with pytest.raises(ValidationError) as exc:
        cascade_item_set_status(item=objective, actor=personas.company, status="done")
    assert "尚无“党建+”工程任务书" in " ".join(exc.value.messages)
    result = selectors.cascade_tree(personas.company, objective.pk)
    assert (result.root.status, result.root.rollup.percent) == ("planned", 0)


def test_the_page_shows_the_derived_status_and_percent(client, personas, ragged):
    login(client, personas.company)
    text = client.get(reverse("tasks:cascade_detail", args=[ragged.objective.pk])).content.decode()
    assert f'data-testid="status-{ragged.sheet_b.pk}" data-status="done"' in text
    assert f'data-testid="status-{ragged.sheet_a.pk}" data-status="in_progress"' in text
    assert "33%" in text
    assert "A3供电所党支部" in text  # named as missing
    listing = client.get(reverse("tasks:cascade_list")).content.decode()
    assert "33%" in listing


# --- each level is written by its own organizations ---------------------------------------------


def test_a_station_branch_cannot_write_a_task_book(tree, personas):
    objective = _objective(personas.company, tree)
    with pytest.raises(ValidationError) as exc:
        _book(personas.secretary_a, objective, tree.station_a1, "支部的任务书")
    assert "公司本部专业部门" in exc.value.message_dict["organization"][0]
    assert not CascadeItem.objects.filter(level="task_book").exists()


@pytest.mark.parametrize(
    "level,org_name,message",
    [
        ("task_book", "county_a", "公司本部专业部门"),
        ("task_book", "company", "公司本部专业部门"),
        ("task_sheet", "station_a1", "县公司或支撑机构"),
        ("task_sheet", "hq", "县公司或支撑机构"),
        ("action_plan", "county_a", "党支部"),
        ("action_plan", "group_a1", "党支部"),
    ],
)
def test_each_level_refuses_organizations_of_another_level(
    tree, personas, level, org_name, message
):
    company = personas.company
    objective = _objective(company, tree)
    department = hq_department(tree)
    book = _book(company, objective, department, "任务书")
    sheet = _sheet(company, book, tree.county_a, "A县任务单")
    parent = {"task_book": objective, "task_sheet": book, "action_plan": sheet}[level]
    organization = department if org_name == "hq" else getattr(tree, org_name)
    with pytest.raises(ValidationError) as exc:
        cascade_item_create(
            actor=company,
            parent=parent,
            level=level,
            organization=organization,
            title="错级事项",
            **(sheet_fields() if level == "task_sheet" else {}),
        )
    assert message in exc.value.message_dict["organization"][0]


def test_station_secretary_has_no_task_book_button_form_or_post(client, tree, personas):
    objective = _objective(personas.company, tree)
    login(client, personas.secretary_a)
    text = client.get(reverse("tasks:cascade_detail", args=[objective.pk])).content.decode()
    assert f'data-testid="add-under-{objective.pk}"' not in text
    url = reverse("tasks:cascade_item_create") + f"?parent={objective.pk}"
    assert client.get(url).status_code == 404
    response = client.post(url, {"organization": tree.station_a1.pk, "title": "支部任务书"})
    assert response.status_code == 404
    assert not CascadeItem.objects.filter(level="task_book").exists()


def test_county_sees_the_sheet_button_but_not_the_book_button(client, tree, personas):
    company = personas.company
    objective = _objective(company, tree)
    book = _book(company, objective, hq_department(tree), "任务书")
    login(client, personas.county)
    text = client.get(reverse("tasks:cascade_detail", args=[objective.pk])).content.decode()
    assert f'data-testid="add-under-{objective.pk}"' not in text
    assert f'data-testid="add-under-{book.pk}"' in text
    form = client.get(reverse("tasks:cascade_item_create"), {"parent": book.pk})
    assert [o.pk for o in form.context["form"].organizations.values()] == [tree.county_a.pk]


def test_action_plan_choices_are_branches_only(client, tree, personas):
    company = personas.company
    objective = _objective(company, tree)
    book = _book(company, objective, hq_department(tree), "任务书")
    sheet = _sheet(company, book, tree.county_a, "A县任务单")
    login(client, personas.secretary_a)
    form = client.get(reverse("tasks:cascade_item_create"), {"parent": sheet.pk})
    assert [o.pk for o in form.context["form"].organizations.values()] == [tree.station_a1.pk]


# Which persona sees which "编制…" button on the tree: only where they may write for an
# organization of the next level (a task book is the company's business departments').
ADD_BUTTONS = {
    "company": {"objective", "book", "sheet_a", "sheet_b"},
    "county": {"book", "sheet_a"},
    "secretary_a": {"sheet_a"},
    "secretary_b": {"sheet_b"},
    "member": set(),
}


@pytest.mark.parametrize("persona", sorted(ADD_BUTTONS))
def test_add_buttons_follow_the_level_writers(client, tree, personas, persona):
    company = personas.company
    objective = _objective(company, tree)
    book = _book(company, objective, hq_department(tree), "任务书")
    items = {
        "objective": objective,
        "book": book,
        "sheet_a": _sheet(company, book, tree.county_a, "A县任务单"),
        "sheet_b": _sheet(company, book, tree.county_b, "B县任务单"),
    }
    login(client, getattr(personas, persona))
    text = client.get(reverse("tasks:cascade_detail", args=[objective.pk])).content.decode()
    shown = {name for name, item in items.items() if f'data-testid="add-under-{item.pk}"' in text}
    assert shown == ADD_BUTTONS[persona]
    for name, item in items.items():
        form = client.get(reverse("tasks:cascade_item_create"), {"parent": item.pk})
        assert (form.status_code == 200) == (name in ADD_BUTTONS[persona]), name
