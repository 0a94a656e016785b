"""The demo company's tasks: one sheet pushed to all 86 stations in every state, a county's
sheet falling due soon, a company sheet passed down by the demo county, a draft, and one full
四级贯通 cascade from the committee's objective to the secretary's action plan.

Rows are written directly (bulk), as a year of use would have left them; relative to
``ctx.today`` so the states stay meaningful. A second run finds the tasks and adds nothing.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from bastion.core.demo import DemoContext
from bastion.core.notifications.models import Notification

from .demo_cascade import build_cascade
from .models import Assignment, FeedbackField, Task
from .services.notify import EVENT_DISPATCHED, notify_dispatched
from .services.tally import task_tallies_rebuild

DEMO_ORDER = 50
SAFETY_PLEDGE = "关于开展党员安全承诺践诺活动的通知"


def has_data() -> bool:
    return Task.objects.exists()


def build_demo(ctx: DemoContext) -> None:
    company = ctx.require("orgs")
    if not Task.objects.filter(title=SAFETY_PLEDGE).exists():
        rng = ctx.rng("tasks")
        cascade_sheet = build_cascade(ctx, company)
        _station_pledge(rng, ctx.today, company)
        _county_survey(rng, ctx.today, company, cascade_sheet)
        _passed_down(rng, ctx.today, company)
        _draft(ctx.today, company)
        task_tallies_rebuild()  # the demo writes its assignments in bulk, past the services
    ctx.report(_("工作单"), total=Task.objects.count(), created=None)
    ctx.report(_("任务承办"), total=Assignment.objects.count(), created=None)


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    """That hour of ``day``, but never later than now: the demo tells no future (issue 13)."""
    return min(timezone.make_aware(dt.datetime.combine(day, dt.time(hour))), timezone.now())


def _task(title, body, issuer, due_on, dispatched_on, user, **extra) -> Task:
    return Task.objects.create(
        title=title,
        body=body,
        issuer=issuer,
        due_on=due_on,
        status="dispatched",
        dispatched_at=_at(dispatched_on, 9),
        created_by=user,
        **extra,
    )


def _fields(task: Task, specs) -> list[FeedbackField]:
    return [
        FeedbackField.objects.create(
            task=task, label=label, kind=kind, choices=choices, required=required, position=i
        )
        for i, (label, kind, choices, required) in enumerate(specs)
    ]


def _answer(rng, fields, on: dt.date) -> dict:
    values = {}
    for field in fields:
        if field.kind == "number":
            values[str(field.pk)] = str(rng.randint(3, 12))
        elif field.kind == "choice":
            values[str(field.pk)] = rng.choice(field.choices)
        elif field.kind == "date":
            values[str(field.pk)] = (on - dt.timedelta(days=rng.randint(1, 6))).isoformat()
        elif field.kind == "text":
            values[str(field.pk)] = "已按要求组织开展，党员全部参加。"
    return values


def _assign(rng, task, fields, orgs, plan, reviewer, keep=None):
    """``plan``: list of (state, count); ``keep``: org → state forced for the demo accounts."""
    states = [state for state, count in plan for _i in range(count)]
    rng.shuffle(states)  # spread over the counties, not one county per state
    rows = []
    for index, org in enumerate(orgs):
        state = (keep or {}).get(org.pk) or (states[index] if index < len(states) else "unread")
        rows.append(_row(rng, task, fields, org, state, reviewer))
    Assignment.objects.bulk_create(rows, batch_size=1000)
    _tell_answerers(task, rows, reviewer)


def _tell_answerers(task, rows, issuer_user) -> None:
    """The demo's sheets reach their answerers as a real dispatch does: one message each, dated
    at the dispatch, and read once every organization it lists has opened the sheet."""
    notify_dispatched(task, actor=issuer_user, assignments=rows)
    opened = {row.pk: row.read_at for row in rows}
    notes = list(
        Notification.objects.filter(dedupe_key=f"{EVENT_DISPATCHED}:{task.pk}").prefetch_related(
            "subjects"
        )
    )
    for note in notes:
        reads = [opened.get(subject.object_id) for subject in note.subjects.all()]
        note.created_at = task.dispatched_at
        note.read_at = min(max(reads), timezone.now()) if reads and all(reads) else None
    Notification.objects.bulk_update(notes, ["created_at", "read_at"])


def _row(rng, task, fields, org, state, reviewer) -> Assignment:
    row = Assignment(task=task, organization=org, state=state)
    if state == "unread":
        return row
    today = timezone.localdate()
    opened = min(task.dispatched_at.date() + dt.timedelta(days=rng.randint(0, 3)), today)
    row.read_at = _at(opened, 11)
    if state == "read":
        return row
    late = state.endswith("_late")
    row.state = state.removesuffix("_late")
    answered = (
        task.due_on + dt.timedelta(days=rng.randint(1, 5))
        if late
        else (task.due_on - dt.timedelta(days=rng.randint(0, 6)))
    )
    answered = min(max(answered, opened), today)  # nobody answers on a day still to come
    row.submitted_at, row.late = _at(answered, 16), answered > task.due_on
    row.feedback = "已按通知要求组织开展，详见反馈字段与附件。"
    row.values = _answer(rng, fields, answered)
    if row.state in ("accepted", "returned"):
        row.reviewed_by, row.reviewed_at = reviewer, _at(answered + dt.timedelta(days=1), 9)
    if row.state == "returned":
        row.return_reason = "照片未体现承诺签字环节，请补充后重新反馈。"
    return row


def _station_pledge(rng, today, company):
    """All 86 stations, due ten days ago: every state, some late, some still owing."""
    user = company.users["company"]
    body = (
        "各供电所党支部组织党员签订“党员身边无违章”安全承诺，"
        "并反馈参加人数、开展日期与形式，上传活动照片。"
    )
    task = _task(
        SAFETY_PLEDGE,
        body,
        company.root,
        today - dt.timedelta(days=10),
        today - dt.timedelta(days=30),
        user,
        priority="high",
    )
    fields = _fields(
        task,
        [
            ("参加承诺党员人数", "number", [], True),
            ("活动开展日期", "date", [], True),
            ("开展形式", "choice", ["集中承诺", "分散承诺", "线上承诺"], True),
            ("活动照片", "file", [], False),
        ],
    )
    plan = [
        ("accepted", 40),
        ("accepted_late", 10),
        ("submitted", 10),
        ("returned", 5),
        ("read", 11),
        ("unread", 10),
    ]
    stations = sorted(company.stations, key=lambda o: o.path)
    _assign(rng, task, fields, stations, plan, user, keep={company.secretary_branch.pk: "read"})


def _county_survey(rng, today, company, cascade_sheet):
    county = company.demo_county
    user = company.users["county"]
    task = _task(
        "迎峰度夏保电党员突击队组建情况统计",
        "请各供电所党支部反馈党员突击队人数、队长姓名和组建日期。",
        county,
        today + dt.timedelta(days=2),
        today - dt.timedelta(days=5),
        user,
        cascade_item=cascade_sheet,
    )
    fields = _fields(
        task,
        [
            ("突击队党员人数", "number", [], True),
            ("队长姓名", "text", [], True),
            ("组建日期", "date", [], True),
        ],
    )
    stations = sorted(
        (s for s in company.stations if s.path.startswith(county.path)), key=lambda o: o.path
    )
    _assign(
        rng,
        task,
        fields,
        stations,
        [("accepted", 2), ("submitted", 2), ("read", 2)],
        user,
        keep={company.secretary_branch.pk: "unread"},
    )


def _passed_down(rng, today, company):
    """A company sheet to the counties; the demo county passes it down to its stations."""
    user = company.users["company"]
    task = _task(
        "上半年“党建+”工作成效总结",
        "各县公司党委汇总所属支部“党建+”项目成效，反馈项目数和典型做法。",
        company.root,
        today + dt.timedelta(days=15),
        today - dt.timedelta(days=3),
        user,
    )
    fields = _fields(task, [("“党建+”项目数", "number", [], True), ("典型做法", "text", [], True)])
    _assign(rng, task, fields, sorted(company.counties, key=lambda o: o.path), [("read", 8)], user)
    parent = Assignment.objects.get(task=task, organization=company.demo_county)
    child = Task.objects.create(
        title=task.title,
        body=task.body,
        issuer=company.demo_county,
        due_on=task.due_on - dt.timedelta(days=5),
        status="dispatched",
        dispatched_at=_at(today - dt.timedelta(days=2)),
        parent_assignment=parent,
        created_by=company.users["county"],
    )
    child_fields = _fields(child, [(f.label, f.kind, f.choices, f.required) for f in fields])
    stations = sorted(
        (s for s in company.stations if s.path.startswith(company.demo_county.path)),
        key=lambda o: o.path,
    )
    _assign(
        rng, child, child_fields, stations, [("accepted", 3), ("read", 3)], company.users["county"]
    )


def _draft(today, company):
    Task.objects.create(
        title="关于报送第四季度主题党日安全案例的通知（草稿）",
        body="待完善。",
        issuer=company.root,
        due_on=today + dt.timedelta(days=30),
        created_by=company.users["company"],
    )
