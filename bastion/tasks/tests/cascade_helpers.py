"""A small 四级贯通 cascade on the shared ``tree``: the company's objective, a task book by an HQ
business department, a task sheet per county, an action plan per station."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from bastion.orgs.tests.factories import make_org
from bastion.tasks.models import Task
from bastion.tasks.services import flow
from bastion.tasks.services.cascade import cascade_item_create

DEADLINE = dt.date(2099, 12, 31)


def sheet_fields(**extra):
    fields = {
        "direction": "台区线损精益治理",
        "goal": "高损台区减少一半",
        "people": "各供电所所长、台区经理",
        "measures": "党员责任区包干高损台区",
        "deadline": dt.date(2099, 11, 30),
        "responsibility": "县公司党委",
    }
    fields.update(extra)
    return fields


def hq_department(tree, tag: str = ""):
    org = make_org(
        tree.company, name=f"营销部党支部{tag}", code=f"C-HQ1{tag}", unit_kind="hq_department"
    )
    org.refresh_from_db()
    return org


def build_cascade(tree, actor, *, tag: str = "") -> SimpleNamespace:
    department = hq_department(tree, tag)
    objective = cascade_item_create(
        actor=actor,
        level="objective",
        organization=tree.company,
        title=f"攻坚目标{tag}：供电可靠性99.96%",
        deadline=DEADLINE,
    )
    book = cascade_item_create(
        actor=actor,
        parent=objective,
        level="task_book",
        organization=department,
        title=f"“党建+”配网可靠性任务书{tag}",
        goal="户均停电时间下降20%",
    )
    sheet_a = cascade_item_create(
        actor=actor,
        parent=book,
        level="task_sheet",
        organization=tree.county_a,
        title=f"A县线损治理任务单{tag}",
        **sheet_fields(measures="A县措施：逐户排查"),
    )
    sheet_b = cascade_item_create(
        actor=actor,
        parent=book,
        level="task_sheet",
        organization=tree.county_b,
        title=f"B县线损治理任务单{tag}",
        **sheet_fields(measures="B县措施：反窃电"),
    )
    plans = {}
    for name in ("station_a1", "station_a2", "station_b1"):
        org = getattr(tree, name)
        plans[name] = cascade_item_create(
            actor=actor,
            parent=sheet_a if name.startswith("station_a") else sheet_b,
            level="action_plan",
            organization=org,
            title=f"{org.name}行动方案{tag}",
            measures=f"{org.name}的措施",
            deadline=dt.date(2099, 10, 31),
        )
    return SimpleNamespace(
        department=department,
        objective=objective,
        book=book,
        sheet_a=sheet_a,
        sheet_b=sheet_b,
        plan_a1=plans["station_a1"],
        plan_a2=plans["station_a2"],
        plan_b1=plans["station_b1"],
    )


def linked_task(issuer, actor, item, recipients, *, title="线损治理进展反馈"):
    """A 工作单 pointing at ``item``, dispatched to ``recipients``."""
    task = Task.objects.create(
        title=title,
        issuer=issuer,
        due_on=dt.date(2099, 6, 30),
        cascade_item=item,
        created_by=actor,
    )
    flow.task_dispatch(task=task, actor=actor, recipients=[org.pk for org in recipients])
    return task


def answer(task, org, *, actor, reviewer, text="已完成3个台区治理", accept=True):
    assignment = task.assignments.get(organization=org)
    flow.assignment_submit(assignment=assignment, actor=actor, feedback=text)
    if accept:
        flow.assignment_accept(assignment=assignment, actor=reviewer)
    return assignment
