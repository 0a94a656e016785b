"""The state machine and the services behind the pages: dispatch, read, submit, review, pass
down, roll-up; task drafts; typed feedback checks. Bad input leaves nothing behind."""

from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError

from bastion.orgs.tests.factories import UserFactory, grant, make_org
from bastion.tasks import selectors
from bastion.tasks.feedback import clean_one, clean_values
from bastion.tasks.models import Assignment, FeedbackField, FeedbackFile, Task, TaskAttachment
from bastion.tasks.services import answers, flow
from bastion.tasks.services import tasks as services

from .factories import GOOD, answer, days, dispatch_to, fake_pdf, make_task, move_due, pdf_file
from .factories import png_file as png

pytestmark = pytest.mark.django_db


@pytest.fixture
def county_task(tree, personas):
    task = make_task(tree.county_a)
    rows = dispatch_to(task, [tree.station_a1, tree.station_a2], actor=personas.county)
    return task, rows


# --- dispatch --------------------------------------------------------------------------------


def test_dispatch_writes_one_assignment_per_recipient_with_history(county_task):
    task, rows = county_task
    assert task.status == "dispatched" and task.dispatched_at is not None
    assert set(rows) == {"C-A-1", "C-A-2"}
    assert {a.state for a in rows.values()} == {"unread"}
    entry = LogEntry.objects.get_for_object(rows["C-A-1"]).get()
    assert entry.changes_dict["state"] == ["None", "unread"]


def test_recipient_outside_the_issuer_subtree_is_refused_and_nothing_written(tree, personas):
    task = make_task(tree.county_a)
    with pytest.raises(ValidationError) as exc:
        flow.task_dispatch(
            task=task, actor=personas.company, recipients=[tree.station_a1.pk, tree.station_b1.pk]
        )
    assert "B1供电所党支部" in str(exc.value)
    task.refresh_from_db()
    assert task.status == "draft"
    assert not Assignment.objects.exists()


def test_dispatch_in_the_name_of_an_issuer_outside_the_scope_is_denied(tree, personas):
    task = make_task(tree.company)
    with pytest.raises(PermissionDenied):
        flow.task_dispatch(task=task, actor=personas.county, recipients=[tree.station_a1.pk])
    assert not Assignment.objects.exists()


def test_inactive_organizations_are_skipped(tree, personas):
    tree.station_a2.is_active = False
    tree.station_a2.save()
    task = make_task(tree.county_a)
    rows = dispatch_to(task, [tree.station_a1, tree.station_a2], actor=personas.county)
    assert set(rows) == {"C-A-1"}
    by_range = make_task(tree.county_a)
    flow.task_dispatch(
        task=by_range,
        actor=personas.county,
        recipients=flow.recipients_query(issuer=tree.county_a, kinds=["branch"]),
    )
    assert set(by_range.assignments.values_list("organization__code", flat=True)) == {"C-A-1"}


def test_only_inactive_recipients_is_an_error(tree, personas):
    tree.station_a2.is_active = False
    tree.station_a2.save()
    task = make_task(tree.county_a)
    with pytest.raises(ValidationError):
        flow.task_dispatch(task=task, actor=personas.county, recipients=[tree.station_a2.pk])
    task.refresh_from_db()
    assert task.status == "draft"


def test_a_second_dispatch_adds_only_new_recipients(county_task, tree, personas):
    task, rows = county_task
    added = flow.task_dispatch(
        task=task, actor=personas.county, recipients=[tree.station_a1.pk, tree.group_a1.pk]
    )
    assert added == 1
    assert task.assignments.count() == 3
    assert Assignment.objects.get(pk=rows["C-A-1"].pk).state == "unread"


def test_a_draft_past_its_due_date_is_not_dispatched(tree, personas):
    task = make_task(tree.county_a)
    move_due(task, days(-1))
    with pytest.raises(ValidationError):
        flow.task_dispatch(task=task, actor=personas.county, recipients=[tree.station_a1.pk])
    assert not Assignment.objects.exists()


# --- read, submit, review --------------------------------------------------------------------


def test_opening_as_the_recipient_marks_read_but_the_issuer_does_not(county_task, personas):
    _task, rows = county_task
    a1 = rows["C-A-1"]
    flow.assignment_mark_read(assignment=a1, actor=personas.county)
    a1.refresh_from_db()
    assert a1.state == "unread"
    flow.assignment_mark_read(assignment=a1, actor=personas.secretary_a)
    a1.refresh_from_db()
    assert a1.state == "read" and a1.read_at is not None


def test_submit_accept_and_lock(county_task, personas):
    _task, rows = county_task
    a1 = answer(rows["C-A-1"], actor=personas.secretary_a, **GOOD)
    assert a1.state == "submitted" and not a1.late and a1.submitted_by == personas.secretary_a
    flow.assignment_accept(assignment=a1, actor=personas.county)
    with pytest.raises(ValidationError, match="锁定"):
        answer(a1, actor=personas.secretary_a, **GOOD)
    with pytest.raises(ValidationError):
        flow.assignment_return(assignment=a1, actor=personas.county, reason="再看看")
    a1.refresh_from_db()
    assert a1.state == "accepted"


def test_no_review_unless_submitted(county_task, personas):
    _task, rows = county_task
    with pytest.raises(ValidationError, match="只能审核"):
        flow.assignment_accept(assignment=rows["C-A-1"], actor=personas.county)
    assert Assignment.objects.get(pk=rows["C-A-1"].pk).state == "unread"


def test_only_the_issuer_reviews(county_task, personas):
    _task, rows = county_task
    a1 = answer(rows["C-A-1"], actor=personas.secretary_a, **GOOD)
    with pytest.raises(PermissionDenied):
        flow.assignment_accept(assignment=a1, actor=personas.secretary_a)


def test_return_needs_a_reason_then_the_recipient_resubmits(county_task, personas):
    _task, rows = county_task
    a1 = answer(rows["C-A-1"], actor=personas.secretary_a, **GOOD)
    with pytest.raises(ValidationError, match="退回原因"):
        flow.assignment_return(assignment=a1, actor=personas.county, reason="   ")
    assert Assignment.objects.get(pk=a1.pk).state == "submitted"
    flow.assignment_return(assignment=a1, actor=personas.county, reason="缺少会议照片")
    a1.refresh_from_db()
    assert a1.state == "returned" and a1.return_reason == "缺少会议照片"
    answer(a1, actor=personas.secretary_a, **GOOD)
    a1.refresh_from_db()
    assert a1.state == "submitted"
    states = [e["state"] for e in selectors.state_history(a1)]
    assert states == ["unread", "read", "submitted", "returned", "submitted"]


def test_a_submission_after_the_due_date_is_marked_late(county_task, personas):
    task, rows = county_task
    move_due(task, days(-2))
    a1 = Assignment.objects.select_related("task").get(pk=rows["C-A-1"].pk)
    answer(a1, actor=personas.secretary_a, **GOOD)
    a1.refresh_from_db()
    assert a1.late is True


def test_the_issuer_never_answers_its_own_sheet(county_task, personas):
    _task, rows = county_task
    with pytest.raises(PermissionDenied):
        answer(rows["C-A-1"], actor=personas.county, **GOOD)


def test_no_answer_after_the_task_is_closed(county_task, personas):
    task, rows = county_task
    services.task_close(task=task, actor=personas.county)
    a1 = Assignment.objects.select_related("task").get(pk=rows["C-A-1"].pk)
    with pytest.raises(ValidationError, match="已结束"):
        answer(a1, actor=personas.secretary_a, **GOOD)


# --- pass down and roll-up -------------------------------------------------------------------


@pytest.fixture
def groups(tree):
    second = make_org(tree.station_a1, name="第二党小组", code="C-A-1-G2", kind="group")
    return [tree.group_a1, second]


def test_pass_down_creates_a_child_task_with_the_same_sheet(county_task, groups, personas):
    task, rows = county_task
    TaskAttachment.objects.create(
        task=task, file="tasks/x/通知.pdf", original_name="通知.pdf", size=10
    )
    child = flow.assignment_pass_down(
        assignment=rows["C-A-1"], actor=personas.secretary_a, recipients=groups, due_on=days(5)
    )
    assert child.issuer.code == "C-A-1" and child.parent_assignment_id == rows["C-A-1"].pk
    assert (child.title, child.body, child.priority) == (task.title, task.body, task.priority)
    assert child.due_on == days(5) and child.status == "dispatched"
    fields = lambda t: list(t.fields.values_list("label", "kind", "choices", "required"))  # noqa: E731
    assert fields(child) == fields(task)
    assert list(child.attachments.values_list("file", flat=True)) == ["tasks/x/通知.pdf"]
    assert child.assignments.count() == 2
    assert Assignment.objects.get(pk=rows["C-A-1"].pk).state == "read"


def test_pass_down_due_date_not_later_than_the_parent(county_task, groups, personas):
    task, rows = county_task
    with pytest.raises(ValidationError, match="不能晚于"):
        flow.assignment_pass_down(
            assignment=rows["C-A-1"],
            actor=personas.secretary_a,
            recipients=groups,
            due_on=task.due_on + (days(1) - days(0)),
        )
    assert Task.objects.count() == 1


def test_pass_down_stays_inside_the_recipient_subtree(county_task, tree, personas):
    _task, rows = county_task
    with pytest.raises((ValidationError, PermissionDenied)):
        flow.assignment_pass_down(
            assignment=rows["C-A-1"], actor=personas.secretary_a, recipients=[tree.station_a2]
        )
    assert Task.objects.count() == 1


def test_accepted_child_answers_roll_up(county_task, groups, personas):
    _task, rows = county_task
    child = flow.assignment_pass_down(
        assignment=rows["C-A-1"], actor=personas.secretary_a, recipients=groups
    )
    one, two = child.assignments.order_by("organization__path")
    leader = UserFactory(username="group_leader")
    for group in groups:
        grant(leader, "branch_secretary", group)
    answer(one, actor=leader, **{**GOOD, "培训党员人数": "12.5"})
    answer(two, actor=leader, **{**GOOD, "培训党员人数": "8", "会议召开日期": "2025-07-01"})
    flow.assignment_accept(assignment=one, actor=personas.secretary_a)
    rolled = selectors.rolled_up_values(Assignment.objects.get(pk=rows["C-A-1"].pk))
    assert rolled["培训党员人数"] == Decimal("12.5")  # only accepted answers count
    flow.assignment_accept(assignment=two, actor=personas.secretary_a)
    rolled = selectors.rolled_up_values(Assignment.objects.get(pk=rows["C-A-1"].pk))
    assert rolled["培训党员人数"] == Decimal("20.5")
    assert rolled["完成情况"] == {"已完成": 2}
    assert rolled["会议召开日期"] == "2025-07-01"


def test_no_pass_down_after_submitting(county_task, groups, personas):
    _task, rows = county_task
    a1 = answer(rows["C-A-1"], actor=personas.secretary_a, **GOOD)
    with pytest.raises(ValidationError):
        flow.assignment_pass_down(assignment=a1, actor=personas.secretary_a, recipients=groups)


# --- drafts ----------------------------------------------------------------------------------

SPECS = [
    {"label": "培训党员人数", "kind": "number", "required": True},
    {"label": "完成情况", "kind": "choice", "choices": "已完成\n未完成", "required": True},
]


def create(actor, issuer, **changes):
    data = {"title": "学习贯彻党的二十届三中全会精神", "due_on": days(7), "fields": SPECS}
    data.update(changes)
    return services.task_create(actor=actor, issuer=issuer, **data)


def test_task_create_writes_the_sheet_fields_and_files(tree, personas):
    task = create(personas.county, tree.county_a, files=[pdf_file()])
    assert task.status == "draft" and task.created_by == personas.county
    assert list(task.fields.values_list("label", "kind", "choices", "position")) == [
        ("培训党员人数", "number", [], 1),
        ("完成情况", "choice", ["已完成", "未完成"], 2),
    ]
    assert task.attachments.get().original_name == "通知.pdf"


@pytest.mark.parametrize(
    "changes,key,message",
    [
        ({"title": " "}, "title", "请填写标题"),
        ({"due_on": days(-1)}, "due_on", "不能早于今天"),
        (
            {"fields": [{"label": "完成情况", "kind": "choice", "choices": "只有一个"}]},
            "fields",
            "至少需要两个选项",
        ),
        (
            {"fields": [{"label": "人数", "kind": "number"}, {"label": "人数", "kind": "text"}]},
            "fields",
            "重复",
        ),
        ({"fields": [{"label": "人数", "kind": "money"}]}, "fields", "请选择字段类型"),
        ({"files": [fake_pdf()]}, "files", "不是允许的类型"),
    ],
)
def test_bad_drafts_are_refused_with_nothing_written(tree, personas, changes, key, message):
    with pytest.raises(ValidationError) as exc:
        create(personas.county, tree.county_a, **changes)
    assert message in " ".join(exc.value.message_dict[key])
    assert not Task.objects.exists() and not FeedbackField.objects.exists()


def test_an_issuer_outside_the_add_scope_is_denied(tree, personas):
    with pytest.raises(PermissionDenied):
        create(personas.secretary_a, tree.county_a)
    assert not Task.objects.exists()


def test_only_drafts_change_and_fields_are_kept_by_id(tree, personas):
    task = create(personas.county, tree.county_a, files=[pdf_file()])
    kept = task.fields.get(label="培训党员人数")
    services.task_update(
        task=task,
        actor=personas.county,
        issuer=tree.county_a,
        title="新标题",
        due_on=days(9),
        fields=[
            {"id": kept.pk, "label": "参训人数", "kind": "number", "required": False},
            {"label": "会议日期", "kind": "date"},
        ],
        remove_attachments=[task.attachments.get().pk],
    )
    task.refresh_from_db()
    assert task.title == "新标题"
    assert list(task.fields.values_list("pk", "label")) == [
        (kept.pk, "参训人数"),
        (task.fields.get(label="会议日期").pk, "会议日期"),
    ]
    assert not task.attachments.exists()
    flow.task_dispatch(task=task, actor=personas.county, recipients=[tree.station_a1.pk])
    with pytest.raises(ValidationError, match="已派发"):
        services.task_update(
            task=task, actor=personas.county, issuer=tree.county_a, title="再改", due_on=days(9)
        )
    task.refresh_from_db()
    assert task.title == "新标题"


def test_a_branch_secretary_drafts_for_its_own_branch(tree, personas):
    task = create(personas.secretary_a, tree.station_a1)
    services.task_update(
        task=task, actor=personas.secretary_a, issuer=tree.station_a1, title="改", due_on=days(3)
    )
    services.task_delete(task=task, actor=personas.secretary_a)
    assert not Task.objects.exists()


# --- typed feedback --------------------------------------------------------------------------


def field(kind, **extra):
    return FeedbackField(pk=1, label="字段", kind=kind, **extra)


@pytest.mark.parametrize(
    "kind,extra,raw,expected",
    [
        ("number", {}, "1,200", "1200"),
        ("number", {}, " 3.50 ", "3.5"),
        ("choice", {"choices": ["是", "否"]}, "是", "是"),
        ("date", {}, "2025-06-18", "2025-06-18"),
        ("text", {}, "已完成\x00", "已完成"),
        ("text", {"required": False}, "", None),
    ],
)
def test_answers_are_cleaned_per_kind(kind, extra, raw, expected):
    assert clean_one(field(kind, **extra), raw) == expected


@pytest.mark.parametrize(
    "kind,extra,raw,message",
    [
        ("number", {}, "十二", "应为数字"),
        ("number", {}, "NaN", "应为数字"),
        ("number", {}, "1e30", "数值过大"),
        ("choice", {"choices": ["是", "否"]}, "也许", "只能选择"),
        ("date", {}, "6月18日", "应为日期"),
        ("date", {}, "2025-02-30", "应为日期"),
        ("text", {"required": True}, "  ", "必须填写"),
    ],
)
def test_bad_answers_name_the_field(kind, extra, raw, message):
    with pytest.raises(ValidationError) as exc:
        clean_one(field(kind, **extra), raw)
    assert message in exc.value.messages[0] and "“字段”" in exc.value.messages[0]


def test_clean_values_reports_every_bad_field_by_label(tree):
    task = make_task(tree.county_a)
    fields = list(task.fields.all())
    ids = {f.label: f.pk for f in fields}
    with pytest.raises(ValidationError) as exc:
        clean_values(fields, {ids["培训党员人数"]: "abc", ids["完成情况"]: "不知道"})
    assert set(exc.value.message_dict) == {"培训党员人数", "会议召开日期", "完成情况"}


def test_assignment_answer_stores_files_and_refuses_bad_ones(county_task, personas):
    task, rows = county_task
    photo = task.fields.get(label="佐证照片")
    ids = {f.label: str(f.pk) for f in task.fields.all()}
    raw = {ids[k]: v for k, v in GOOD.items()}
    a1 = rows["C-A-1"]
    with pytest.raises(ValidationError) as exc:
        answers.assignment_answer(
            assignment=a1, actor=personas.secretary_a, values=raw, files={photo.pk: [fake_pdf()]}
        )
    assert "佐证照片" in exc.value.message_dict
    assert not FeedbackFile.objects.exists()
    assert Assignment.objects.get(pk=a1.pk).state == "unread"
    answers.assignment_answer(
        assignment=a1,
        actor=personas.secretary_a,
        values=raw,
        files={photo.pk: [png()]},
        evidence=[pdf_file()],
    )
    a1.refresh_from_db()
    stored = {f.original_name: f for f in a1.files.all()}
    assert a1.state == "submitted"
    assert a1.values[str(photo.pk)] == [stored["现场.png"].pk]
    assert stored["通知.pdf"].field_id is None


def test_a_required_file_field_needs_a_file(tree, personas):
    task = make_task(tree.county_a, fields=[{"label": "会议照片", "kind": "file"}])
    a1 = dispatch_to(task, [tree.station_a1], actor=personas.county)["C-A-1"]
    with pytest.raises(ValidationError, match="必须上传附件"):
        answers.assignment_answer(assignment=a1, actor=personas.secretary_a, feedback="见附件")
    assert Assignment.objects.get(pk=a1.pk).state == "unread"


def test_a_returned_answer_tells_who_submitted_it(personas, tree):
    import datetime as dt

    from django.utils import timezone

    from bastion.core.notifications.models import Notification
    from bastion.tasks.models import Task
    from bastion.tasks.services import flow

    due = timezone.localdate() + dt.timedelta(days=5)
    task = Task.objects.create(title="统计党员人数", issuer=tree.company, due_on=due)
    flow.task_dispatch(task=task, actor=personas.company, recipients=[tree.station_a1.pk])
    assignment = task.assignments.get()
    flow.assignment_submit(assignment=assignment, actor=personas.secretary_a, feedback="已完成")
    flow.assignment_return(assignment=assignment, actor=personas.company, reason="请补充照片")
    notice = Notification.objects.get(recipient=personas.secretary_a, event="tasks.returned")
    assert "统计党员人数" in notice.title and "请补充照片" in notice.body
    assert notice.url == assignment.get_absolute_url()
