"""The demo company's tasks: every state, late answers, a pass-down, a full cascade."""

from io import StringIO

from django.core.management import call_command

from bastion.core.notifications.models import Notification
from bastion.tasks.demo import SAFETY_PLEDGE
from bastion.tasks.models import Assignment, CascadeItem, Task
from bastion.tasks.selectors import progress


def test_the_station_sheet_reaches_all_86_stations_in_every_state(demo):
    task = Task.objects.get(title=SAFETY_PLEDGE)
    result = progress(task)
    assert result.total == 86
    assert set(result.by_state) == {"unread", "read", "submitted", "returned", "accepted"}
    assert result.late_submitted > 0 and result.overdue_open > 0


def test_the_secretary_owes_an_overdue_answer(demo):
    mine = Assignment.objects.filter(organization__code="NY-C01-Z01", task__title=SAFETY_PLEDGE)
    assert mine.get().state == "read"


def test_each_sheet_reached_the_secretary_once_and_is_read_where_the_branch_opened_it(demo):
    told = Notification.objects.filter(recipient__username="secretary", event="tasks.dispatched")
    open_sheets = Task.objects.filter(
        status="dispatched", assignments__organization__code="NY-C01-Z01"
    )
    assert told.count() == open_sheets.count() > 0
    pledge = told.get(title__contains=SAFETY_PLEDGE)
    assert pledge.read_at is not None  # the branch opened the sheet
    assert pledge.created_at == Task.objects.get(title=SAFETY_PLEDGE).dispatched_at


def test_a_county_passed_a_sheet_down_and_one_draft_waits(demo):
    child = Task.objects.get(parent_assignment__isnull=False)
    assert child.issuer == child.parent_assignment.organization
    assert child.assignments.filter(state="accepted").exists()
    assert Task.objects.filter(status="draft").count() == 1


def test_one_cascade_runs_from_the_objective_to_the_secretarys_action_plan(demo):
    plan = CascadeItem.objects.get(level="action_plan", organization__code="NY-C01-Z01")
    chain = [plan.level]
    item = plan
    while item.parent_id:
        item = item.parent
        chain.append(item.level)
    assert chain == ["action_plan", "task_sheet", "task_book", "objective"]
    assert plan.root == item
    assert Task.objects.filter(cascade_item=plan.parent).exists()


def test_a_second_run_adds_no_task(demo):
    counts = (Task.objects.count(), Assignment.objects.count(), CascadeItem.objects.count())
    call_command("seed_demo", stdout=StringIO())
    assert counts == (Task.objects.count(), Assignment.objects.count(), CascadeItem.objects.count())
