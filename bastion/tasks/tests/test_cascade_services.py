"""Cascade services: level order, where organizations may sit, the task sheet's six points,
时限 against the parent's, the done rule, deleting, scope."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bastion.orgs.grants import forget_grants
from bastion.orgs.tests.factories import grant, make_org
from bastion.tasks.models import CascadeItem
from bastion.tasks.services.cascade import (
    cascade_item_create,
    cascade_item_delete,
    cascade_item_set_status,
    cascade_item_update,
)

from .cascade_helpers import DEADLINE, build_cascade, linked_task, sheet_fields

pytestmark = pytest.mark.django_db


@pytest.fixture
def cascade(tree, personas):
    return build_cascade(tree, personas.company)


def test_root_is_set_down_the_whole_cascade(cascade):
    assert cascade.objective.root_id is None
    for item in (cascade.book, cascade.sheet_a, cascade.plan_a1, cascade.plan_b1):
        assert item.root_id == cascade.objective.pk
    assert cascade.plan_a1.get_absolute_url().endswith(f"/tasks/cascade/{cascade.objective.pk}/")


@pytest.mark.parametrize(
    "parent,level,message",
    [
        (None, "task_book", "只有攻坚目标清单是第一级"),
        ("objective", "objective", "其下一级只能是“党建+”工程任务书"),
        ("objective", "task_sheet", "其下一级只能是“党建+”工程任务书"),
        ("book", "action_plan", "其下一级只能是任务单"),
        ("plan_a1", "action_plan", "行动方案是最末一级"),
    ],
)
def test_levels_follow_each_other(tree, personas, cascade, parent, level, message):
    before = CascadeItem.objects.count()
    with pytest.raises(ValidationError) as exc:
        cascade_item_create(
            actor=personas.company,
            parent=getattr(cascade, parent) if parent else None,
            level=level,
            organization=tree.county_a,
            title="错层事项",
            **sheet_fields(),
        )
    assert message in str(exc.value.message_dict["level"])
    assert CascadeItem.objects.count() == before


def test_action_plan_must_lie_under_its_task_sheet(tree, personas, cascade):
    with pytest.raises(ValidationError) as exc:
        cascade_item_create(
            actor=personas.company,
            parent=cascade.sheet_a,
            level="action_plan",
            organization=tree.station_b1,
            title="跨县行动方案",
        )
    assert "必须是“A县公司党委”或其下级组织" in exc.value.message_dict["organization"][0]
    with pytest.raises(ValidationError) as exc:  # a 党小组's branch answers for it
        cascade_item_create(
            actor=personas.company,
            parent=cascade.sheet_a,
            level="action_plan",
            organization=tree.group_a1,
            title="党小组行动方案",
        )
    assert "行动方案由党支部" in exc.value.message_dict["organization"][0]
    plan = cascade_item_create(
        actor=personas.company,
        parent=cascade.sheet_a,
        level="action_plan",
        organization=tree.station_a1,
        title="A1第二份行动方案",
    )
    assert plan.organization == tree.station_a1


def test_task_books_and_sheets_sit_anywhere_in_the_committee_subtree(tree, personas, cascade):
    # The county (战区) answers the HQ department's task book though it is not under it.
    assert not tree.county_a.path.startswith(cascade.book.organization.path)
    assert cascade.sheet_a.parent == cascade.book
    other = make_org(name="外单位党委", code="X", kind="committee", unit_kind="company")
    grant(personas.company, "party_department", other)
    forget_grants(personas.company)
    for parent, level in ((cascade.objective, "task_book"), (cascade.book, "task_sheet")):
        with pytest.raises(ValidationError) as exc:
            cascade_item_create(
                actor=personas.company,
                parent=parent,
                level=level,
                organization=other,
                title="外单位",
                **sheet_fields(),
            )
        assert "必须是“市公司党委”或其下级组织" in exc.value.message_dict["organization"][0]


def test_task_sheet_states_direction_goal_measures_deadline_responsibility(tree, personas, cascade):
    with pytest.raises(ValidationError) as exc:
        cascade_item_create(
            actor=personas.county,
            parent=cascade.book,
            level="task_sheet",
            organization=tree.county_a,
            title="空任务单",
            people="",
        )
    errors = exc.value.message_dict  # 时限 is the book's when left blank
    assert set(errors) == {"direction", "goal", "measures", "responsibility"}
    assert errors["direction"] == ["任务单必须写明方向。"]
    assert errors["responsibility"] == ["任务单必须写明责任。"]
    open_ended = cascade_item_create(
        actor=personas.company, level="objective", organization=tree.company, title="无时限目标"
    )
    book = cascade_item_create(
        actor=personas.company,
        parent=open_ended,
        level="task_book",
        organization=cascade.department,
        title="无时限任务书",
    )
    with pytest.raises(ValidationError) as exc:
        cascade_item_create(
            actor=personas.county,
            parent=book,
            level="task_sheet",
            organization=tree.county_a,
            title="空任务单",
        )
    assert exc.value.message_dict["deadline"] == ["任务单必须写明时限。"]
    sheet = cascade_item_create(
        actor=personas.county,
        parent=cascade.book,
        level="task_sheet",
        organization=tree.county_a,
        title="完整任务单",
        **sheet_fields(people=""),
    )
    assert sheet.people == ""  # 人员 is optional


def test_deadline_is_not_later_than_the_parent(tree, personas, cascade):
    late = cascade.sheet_a.deadline + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        cascade_item_create(
            actor=personas.secretary_a,
            parent=cascade.sheet_a,
            level="action_plan",
            organization=tree.station_a1,
            title="晚的方案",
            deadline=late,
        )
    assert "时限不能晚于上级事项“A县线损治理任务单”的时限 2099-11-30" in str(exc.value)
    plan = cascade_item_create(
        actor=personas.secretary_a,
        parent=cascade.sheet_a,
        level="action_plan",
        organization=tree.station_a1,
        title="沿用时限",
    )
    assert plan.deadline == cascade.sheet_a.deadline


def test_moving_a_deadline_before_a_child_is_refused(personas, cascade):
    with pytest.raises(ValidationError) as exc:
        cascade_item_update(
            item=cascade.sheet_a, actor=personas.county, deadline=dt.date(2099, 1, 1)
        )
    assert "A1供电所党支部行动方案" in exc.value.message_dict["deadline"][0]
    cascade.sheet_a.refresh_from_db()
    assert cascade.sheet_a.deadline == dt.date(2099, 11, 30)
    cascade_item_update(
        item=cascade.sheet_a, actor=personas.county, deadline=dt.date(2099, 11, 1), goal="  新目标 "
    )
    cascade.sheet_a.refresh_from_db()
    assert (cascade.sheet_a.deadline, cascade.sheet_a.goal) == (dt.date(2099, 11, 1), "新目标")


def test_update_keeps_the_task_sheet_complete(personas, cascade):
    with pytest.raises(ValidationError) as exc:
        cascade_item_update(item=cascade.sheet_a, actor=personas.county, measures=" ")
    assert exc.value.message_dict == {"measures": ["任务单必须写明措施。"]}


def test_organization_changes_only_without_children(tree, personas, cascade):
    with pytest.raises(ValidationError) as exc:
        cascade_item_update(
            item=cascade.sheet_a, actor=personas.company, organization=tree.county_b
        )
    assert "已有下级事项" in exc.value.message_dict["organization"][0]
    with pytest.raises(ValidationError):
        cascade_item_update(
            item=cascade.plan_a1, actor=personas.company, organization=tree.station_b1
        )
    with pytest.raises(ValidationError) as exc:
        cascade_item_update(item=cascade.plan_a1, actor=personas.county, organization=tree.group_a1)
    assert "行动方案由党支部" in exc.value.message_dict["organization"][0]
    cascade_item_update(item=cascade.plan_a1, actor=personas.county, organization=tree.station_a2)
    cascade.plan_a1.refresh_from_db()
    assert cascade.plan_a1.organization == tree.station_a2


def test_a_parent_is_done_only_when_every_child_is_done(personas, cascade):
    with pytest.raises(ValidationError) as exc:
        cascade_item_set_status(item=cascade.sheet_a, actor=personas.county, status="done")
    message = str(exc.value)
    assert "该事项推进进度为 0%" in message
    assert "“A1供电所党支部行动方案”（0%）、“A2供电所党支部行动方案”（0%）" in message
    cascade_item_set_status(
        item=cascade.plan_a1,
        actor=personas.secretary_a,
        status="done",
        progress_note=" 已完成计量改造 ",
    )
    cascade.plan_a1.refresh_from_db()
    assert cascade.plan_a1.progress_note == "已完成计量改造"
    with pytest.raises(ValidationError):
        cascade_item_set_status(item=cascade.sheet_a, actor=personas.county, status="done")
    cascade_item_set_status(item=cascade.plan_a2, actor=personas.county, status="done")
    cascade_item_set_status(item=cascade.sheet_a, actor=personas.county, status="done")
    cascade.sheet_a.refresh_from_db()
    assert cascade.sheet_a.status == "done"


def test_a_done_parent_keeps_its_children_done(tree, personas, cascade):
    for plan in (cascade.plan_a1, cascade.plan_a2):
        cascade_item_set_status(item=plan, actor=personas.county, status="done")
    cascade_item_set_status(item=cascade.sheet_a, actor=personas.county, status="done")
    cascade.sheet_a.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        cascade_item_set_status(
            item=cascade.plan_a1, actor=personas.secretary_a, status="in_progress"
        )
    assert "请先将上级事项改为推进中" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        cascade_item_create(
            actor=personas.county,
            parent=cascade.sheet_a,
            level="action_plan",
            organization=tree.station_a1,
            title="迟到的方案",
        )
    assert "已完成，不能再添加下级事项" in str(exc.value)
    cascade_item_set_status(item=cascade.sheet_a, actor=personas.county, status="in_progress")
    cascade_item_set_status(item=cascade.plan_a1, actor=personas.secretary_a, status="in_progress")
    cascade.plan_a1.refresh_from_db()
    assert cascade.plan_a1.status == "in_progress"


def test_unknown_status_is_refused(personas, cascade):
    with pytest.raises(ValidationError):
        cascade_item_set_status(item=cascade.plan_a1, actor=personas.secretary_a, status="finished")


def test_scope_of_writes(tree, personas, cascade):
    # secretary_b writes only for station_b1; the county only inside county_a.
    with pytest.raises(PermissionDenied):
        cascade_item_create(
            actor=personas.secretary_b,
            parent=cascade.sheet_a,
            level="action_plan",
            organization=tree.station_a1,
            title="越权",
        )
    with pytest.raises(PermissionDenied):
        cascade_item_create(
            actor=personas.county,
            parent=cascade.book,
            level="task_sheet",
            organization=tree.county_b,
            title="越权",
            **sheet_fields(),
        )
    with pytest.raises(PermissionDenied):
        cascade_item_create(
            actor=personas.member,
            level="objective",
            organization=tree.station_a1,
            title="党员不能编制",
        )
    with pytest.raises(PermissionDenied):
        cascade_item_set_status(item=cascade.plan_a2, actor=personas.secretary_a, status="done")
    with pytest.raises(PermissionDenied):
        cascade_item_update(item=cascade.plan_b1, actor=personas.county, title="越权修改")
    own = cascade_item_create(
        actor=personas.secretary_a,
        parent=cascade.sheet_a,
        level="action_plan",
        organization=tree.station_a1,
        title="A1第二个行动方案",
    )
    assert own.created_by == personas.secretary_a


def test_delete_only_leaves_without_tasks(tree, personas, cascade):
    with pytest.raises(ValidationError) as exc:
        cascade_item_delete(item=cascade.sheet_a, actor=personas.company)
    assert "还有 2 项下级事项" in str(exc.value)
    with pytest.raises(PermissionDenied):  # the county role holds no delete permission
        cascade_item_delete(item=cascade.plan_a1, actor=personas.county)
    linked_task(tree.county_a, personas.county, cascade.plan_a2, [tree.station_a2])
    with pytest.raises(ValidationError) as exc:
        cascade_item_delete(item=cascade.plan_a2, actor=personas.company)
    assert "已有 1 份工作单关联该事项" in str(exc.value)
    cascade_item_delete(item=cascade.plan_a1, actor=personas.company)
    assert not CascadeItem.objects.filter(pk=cascade.plan_a1.pk).exists()


def test_objective_deadline_bounds_the_task_book(tree, personas, cascade):
    with pytest.raises(ValidationError):
        cascade_item_create(
            actor=personas.company,
            parent=cascade.objective,
            level="task_book",
            organization=tree.company,
            title="晚",
            deadline=DEADLINE + dt.timedelta(days=1),
        )


def test_inactive_organization_is_refused(tree, personas):
    tree.station_a2.is_active = False
    tree.station_a2.save()
    with pytest.raises(ValidationError) as exc:
        cascade_item_create(
            actor=personas.company,
            level="objective",
            organization=tree.station_a2,
            title="撤销组织",
        )
    assert "已撤销" in exc.value.message_dict["organization"][0]


def test_blank_title_is_refused(tree, personas):
    with pytest.raises(ValidationError) as exc:
        cascade_item_create(
            actor=personas.company, level="objective", organization=tree.company, title="  "
        )
    assert "title" in exc.value.message_dict


def test_an_objective_belongs_to_a_party_committee(tree, personas):
    with pytest.raises(ValidationError) as exc:
        cascade_item_create(
            actor=personas.secretary_a,
            level="objective",
            organization=tree.station_a1,
            title="支部的攻坚目标",
        )
    assert "攻坚目标清单由党委编制" in exc.value.message_dict["organization"][0]


def test_a_cleared_deadline_follows_the_parent(personas, cascade):
    cascade_item_update(item=cascade.plan_a1, actor=personas.secretary_a, deadline=None)
    cascade.plan_a1.refresh_from_db()
    assert cascade.plan_a1.deadline == cascade.sheet_a.deadline
