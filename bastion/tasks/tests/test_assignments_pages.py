"""The recipient's pages and the issuer's review: one assignment with its form, submit, accept
or return, pass down, feedback files. Persona matrix, bad input, locked answers, queries."""

from types import SimpleNamespace

import pytest
from django.urls import reverse

from bastion.core.testing import Scope, count_queries, persona_matrix
from bastion.orgs.tests.factories import UserFactory, grant, make_org
from bastion.tasks.models import Assignment, FeedbackFile, Task
from bastion.tasks.services import answers, flow

from .factories import GOOD, answer, days, dispatch_to, fake_pdf, make_task, move_due, pdf_file
from .factories import png_file as png

pytestmark = pytest.mark.django_db


def ids_of(task) -> dict:
    return {f.label: f"f_{f.pk}" for f in task.fields.all()}


@pytest.fixture
def work(tree, personas):
    """A company task to stations a1 and b1; a1 answered with a photo."""
    task = make_task(tree.company, title="市公司工作单")
    rows = dispatch_to(task, [tree.station_a1, tree.station_b1], actor=personas.company)
    photo = task.fields.get(label="佐证照片")
    values = {str(task.fields.get(label=k).pk): v for k, v in GOOD.items()}
    answers.assignment_answer(
        assignment=rows["C-A-1"],
        actor=personas.secretary_a,
        values=values,
        files={photo.pk: [png()]},
    )
    return SimpleNamespace(
        task=task,
        a1=Assignment.objects.get(pk=rows["C-A-1"].pk),
        b1=rows["C-B-1"],
        a1_file=FeedbackFile.objects.get(),
    )


# Who opens which answer's pages; everyone else gets 404.
ANSWERS = [
    Scope(
        objects="work",
        seen_by={"a1": {"company", "county", "secretary_a"}, "b1": {"company", "secretary_b"}},
        detail=["tasks:assignment_detail"],
    ),
    Scope(
        objects="work",
        seen_by={"a1_file": {"company", "county", "secretary_a"}},
        detail=["tasks:feedback_file"],
    ),
    Scope(objects="work", seen_by={"b1": {"secretary_b"}}, detail=["tasks:assignment_pass_down"]),
]

test_pages_are_404_outside_the_scope = persona_matrix(*ANSWERS)


def test_secretary_b_never_sees_station_a1s_answer(client, personas, work):
    client.force_login(personas.secretary_b)
    for url in (
        reverse("tasks:assignment_detail", args=[work.a1.pk]),
        reverse("tasks:feedback_file", args=[work.a1_file.pk]),
        reverse("tasks:assignment_pass_down", args=[work.a1.pk]),
    ):
        assert client.get(url).status_code == 404
    assert client.post(reverse("tasks:assignment_submit", args=[work.a1.pk])).status_code == 404
    response = client.post(
        reverse("tasks:assignment_review", args=[work.a1.pk]), {"decision": "accept"}
    )
    assert response.status_code == 404
    assert Assignment.objects.get(pk=work.a1.pk).state == "submitted"


def test_opening_as_the_recipient_marks_read_the_issuer_does_not(client, personas, work):
    client.force_login(personas.company)
    client.get(reverse("tasks:assignment_detail", args=[work.b1.pk]))
    assert Assignment.objects.get(pk=work.b1.pk).state == "unread"
    client.force_login(personas.secretary_b)
    response = client.get(reverse("tasks:assignment_detail", args=[work.b1.pk]))
    assert Assignment.objects.get(pk=work.b1.pk).state == "read"
    assert response.context["form"] is not None and response.context["review_form"] is None


def post_answer(client, assignment, task, **changes):
    names = ids_of(task)
    data = {
        names["培训党员人数"]: "15",
        names["会议召开日期"]: "2025-06-20",
        names["完成情况"]: "部分完成",
        "feedback": "已组织学习。",
    }
    data.update({names.get(k, k): v for k, v in changes.items()})
    return client.post(reverse("tasks:assignment_submit", args=[assignment.pk]), data)


def test_submit_through_the_page(client, personas, work):
    client.force_login(personas.secretary_b)
    response = post_answer(client, work.b1, work.task, evidence=[pdf_file()])
    assert response.status_code == 302
    b1 = Assignment.objects.get(pk=work.b1.pk)
    assert b1.state == "submitted" and not b1.late
    assert b1.values[str(work.task.fields.get(label="培训党员人数").pk)] == "15"
    assert b1.files.get().original_name == "通知.pdf"


@pytest.mark.parametrize(
    "changes,message",
    [
        ({"培训党员人数": "十五"}, "应为数字"),
        ({"会议召开日期": "昨天"}, "应为日期"),
        ({"完成情况": "差不多"}, "只能选择"),
        ({"培训党员人数": ""}, "必须填写"),
        ({"佐证照片": [fake_pdf()]}, "不是允许的类型"),
        ({"evidence": [fake_pdf("说明.docx")]}, "不是允许的类型"),
    ],
)
def test_bad_answers_show_chinese_errors_and_write_nothing(
    client, personas, work, changes, message
):
    client.force_login(personas.secretary_b)
    response = post_answer(client, work.b1, work.task, **changes)
    assert response.status_code == 200
    assert message in response.content.decode()
    b1 = Assignment.objects.get(pk=work.b1.pk)
    assert b1.state in ("unread", "read") and b1.values == {}
    assert not b1.files.exists()


def test_review_return_needs_a_reason_and_the_reason_is_shown(client, personas, work):
    client.force_login(personas.company)
    url = reverse("tasks:assignment_review", args=[work.a1.pk])
    response = client.post(url, {"decision": "return", "reason": ""})
    assert "退回时必须填写退回原因" in response.content.decode()
    assert Assignment.objects.get(pk=work.a1.pk).state == "submitted"
    client.post(url, {"decision": "return", "reason": "照片不清晰，请重新上传"})
    assert Assignment.objects.get(pk=work.a1.pk).state == "returned"
    client.force_login(personas.secretary_a)
    page = client.get(reverse("tasks:assignment_detail", args=[work.a1.pk]))
    body = page.content.decode()
    assert "照片不清晰，请重新上传" in body and 'data-testid="returned-note"' in body
    form = page.context["form"]
    assert form.initial[ids_of(work.task)["培训党员人数"]] == "12"  # the earlier answer


def test_accepted_feedback_is_locked_read_only(client, personas, work):
    client.force_login(personas.company)
    client.post(reverse("tasks:assignment_review", args=[work.a1.pk]), {"decision": "accept"})
    assert Assignment.objects.get(pk=work.a1.pk).state == "accepted"
    client.force_login(personas.secretary_a)
    page = client.get(reverse("tasks:assignment_detail", args=[work.a1.pk]))
    assert page.context["form"] is None and page.context["locked"]
    assert 'data-testid="locked-note"' in page.content.decode()
    response = post_answer(client, work.a1, work.task)
    assert response.status_code == 302
    assert "不能再修改" in client.get(response["Location"]).content.decode()
    assert (
        Assignment.objects.get(pk=work.a1.pk).values[ids_of(work.task)["培训党员人数"][2:]] == "12"
    )


def test_a_late_answer_shows_the_late_badge(client, personas, work):
    move_due(work.task, days(-1))
    client.force_login(personas.secretary_b)
    before = client.get(reverse("tasks:assignment_detail", args=[work.b1.pk]))
    assert before.context["overdue"]
    post_answer(client, work.b1, work.task)
    b1 = Assignment.objects.get(pk=work.b1.pk)
    assert b1.late
    page = client.get(reverse("tasks:assignment_detail", args=[work.b1.pk]))
    assert "逾期反馈" in page.content.decode() and not page.context["overdue"]


def test_history_lists_the_states(client, personas, work):
    client.force_login(personas.company)
    flow.assignment_return(assignment=work.a1, actor=personas.company, reason="补充材料")
    page = client.get(reverse("tasks:assignment_detail", args=[work.a1.pk]))
    states = [e["state"] for e in page.context["history"]]
    assert states == ["unread", "read", "submitted", "returned"]
    assert "补充材料" in page.content.decode()


# --- pass down -------------------------------------------------------------------------------


@pytest.fixture
def groups(tree):
    second = make_org(tree.station_b1, name="B1第一党小组", code="C-B-1-G1", kind="group")
    third = make_org(tree.station_b1, name="B1第二党小组", code="C-B-1-G2", kind="group")
    return [second, third]


def test_pass_down_through_the_page_then_roll_up(client, personas, work, groups):
    client.force_login(personas.secretary_b)
    url = reverse("tasks:assignment_pass_down", args=[work.b1.pk])
    preview = client.get(url, {"mode": "subtree", "kinds": "group", "preview": "1"})
    assert preview.context["preview"]["count"] == 2
    late = client.post(
        url,
        {
            "mode": "subtree",
            "kinds": "group",
            "due_on": (work.task.due_on + (days(1) - days(0))).isoformat(),
        },
    )
    assert "不能晚于" in late.content.decode()
    assert not Task.objects.filter(parent_assignment=work.b1).exists()
    response = client.post(url, {"mode": "subtree", "kinds": "group", "due_on": days(3)})
    assert response.status_code == 302
    child = Task.objects.get(parent_assignment=work.b1)
    assert child.due_on == days(3) and child.assignments.count() == 2
    leader = UserFactory(username="b1_group_leader")
    for group in groups:
        grant(leader, "branch_secretary", group)
    for row, people in zip(
        child.assignments.order_by("organization__path"), ("4", "6"), strict=True
    ):
        answer(row, actor=leader, **{**GOOD, "培训党员人数": people})
        flow.assignment_accept(assignment=row, actor=personas.secretary_b)
    page = client.get(reverse("tasks:assignment_detail", args=[work.b1.pk]))
    assert page.context["child_progress"].accepted == 2
    number = work.task.fields.get(label="培训党员人数")
    assert page.context["suggestion"][number.pk] == "10"
    assert page.context["form"].initial[f"f_{number.pk}"] == "10"
    assert 'data-testid="rollup"' in page.content.decode()


def test_pass_down_outside_the_own_subtree_writes_nothing(client, personas, tree, work, groups):
    client.force_login(personas.secretary_b)
    url = reverse("tasks:assignment_pass_down", args=[work.b1.pk])
    response = client.post(url, {"mode": "hand", "ids": [groups[0].pk, tree.group_a1.pk]})
    assert response.status_code == 200
    assert "第一党小组" in response.content.decode()
    assert not Task.objects.filter(parent_assignment=work.b1).exists()


def test_no_pass_down_once_submitted(client, personas, work):
    client.force_login(personas.secretary_a)
    response = client.get(reverse("tasks:assignment_pass_down", args=[work.a1.pk]))
    assert response.status_code == 302


# --- constant queries ------------------------------------------------------------------------


def test_detail_does_not_grow_with_fields_files_and_history(client, personas, tree):
    def scenario(n: int, tag: str):
        fields = [{"label": f"数字{i}", "kind": "number"} for i in range(n)]
        fields += [{"label": f"附件{i}", "kind": "file", "required": False} for i in range(n)]
        task = make_task(tree.company, title=f"工作单{tag}", fields=fields)
        row = dispatch_to(task, [tree.station_a1], actor=personas.company)["C-A-1"]
        ids = {f.label: f for f in task.fields.all()}
        for _round in range(n):
            values = {str(ids[f"数字{i}"].pk): str(i) for i in range(n)}
            files = {ids[f"附件{i}"].pk: [png()] for i in range(n)}
            answers.assignment_answer(
                assignment=row,
                actor=personas.secretary_a,
                values=values,
                files=files,
                evidence=[pdf_file()],
            )
            flow.assignment_return(assignment=row, actor=personas.company, reason="再补充")
            row.refresh_from_db()
        return row

    small, large = scenario(1, "S"), scenario(5, "L")
    for persona in ("secretary_a", "company"):
        client.force_login(getattr(personas, persona))
        url = lambda row: reverse("tasks:assignment_detail", args=[row.pk])  # noqa: E731
        count_queries(client, url(small))  # reading marks it read once: not counted
        assert count_queries(client, url(small)) == count_queries(client, url(large))


def test_pass_down_page_does_not_grow_with_the_subtree(client, personas, tree, work):
    client.force_login(personas.secretary_b)
    url = reverse("tasks:assignment_pass_down", args=[work.b1.pk])
    pages = [{}, {"mode": "hand"}, {"mode": "subtree", "kinds": "group", "preview": "1"}]

    def grow(n: int, tag: str):
        for i in range(n):
            make_org(tree.station_b1, name=f"小组{tag}{i}", code=f"C-B-1-{tag}{i}", kind="group")

    grow(2, "S")
    small = [count_queries(client, url, p) for p in pages]
    grow(15, "L")
    large = [count_queries(client, url, p) for p in pages]
    assert small == large


def test_pass_down_is_offered_only_where_there_is_somebody_below(client, personas, tree):
    import datetime as dt

    from django.utils import timezone

    from bastion.tasks.models import Task
    from bastion.tasks.services import flow

    due = timezone.localdate() + dt.timedelta(days=5)
    task = Task.objects.create(title="转派检查", issuer=tree.company, due_on=due)
    flow.task_dispatch(
        task=task, actor=personas.company, recipients=[tree.station_a1.pk, tree.station_a2.pk]
    )
    client.force_login(personas.county)
    for org, offered in ((tree.station_a1, True), (tree.station_a2, False)):
        assignment = task.assignments.get(organization=org)
        page = client.get(reverse("tasks:assignment_detail", args=[assignment.pk])).content
        assert (
            reverse("tasks:assignment_pass_down", args=[assignment.pk]) in page.decode()
        ) is offered
