"""The issuer's pages: list, draft and edit with the feedback-field builder, detail, dispatch,
close, delete, files. Persona matrix (200 inside the scope, 404 outside), bad input, queries."""

from types import SimpleNamespace

import pytest
from django.urls import NoReverseMatch, reverse

from bastion.core.testing import PERSONAS, Opens, Scope, count_queries, persona_matrix
from bastion.orgs.tests.factories import make_org
from bastion.tasks.models import Assignment, FeedbackField, Task, TaskAttachment
from bastion.tasks.services import flow

from .factories import days, dispatch_to, fake_pdf, make_task, pdf_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def sheets(tree, personas):
    county = make_task(tree.county_a, title="县公司工作单")
    rows = dispatch_to(county, [tree.station_a1, tree.station_a2], actor=personas.county)
    company = make_task(tree.company, title="市公司工作单")
    dispatch_to(company, [tree.station_a1, tree.station_b1], actor=personas.company)
    child = flow.assignment_pass_down(
        assignment=rows["C-A-1"], actor=personas.secretary_a, recipients=[tree.group_a1]
    )
    draft = make_task(tree.county_a, title="县公司草稿")
    attachment = TaskAttachment(task=county, original_name="通知.pdf", size=10)
    attachment.file.save("notice.pdf", pdf_file(), save=True)
    return SimpleNamespace(
        county=county, company=company, child=child, draft=draft, attachment=attachment
    )


ISSUERS = {"company", "county"}
# Who opens which sheet's pages (the issuer's side); everyone else gets 404.
SHEETS = [
    Scope(
        objects="sheets",
        seen_by={
            "county": ISSUERS,
            "company": {"company"},
            "child": {"company", "county", "secretary_a"},
            "draft": ISSUERS,
        },
        detail=["tasks:task_detail"],
    ),
    Scope(objects="sheets", seen_by={"draft": ISSUERS}, detail=["tasks:task_edit"]),
    Scope(
        objects="sheets",
        seen_by={"draft": ISSUERS, "county": ISSUERS},
        detail=["tasks:task_dispatch"],
    ),
    Scope(
        objects="sheets",
        seen_by={"attachment": {"company", "county", "secretary_a"}},
        detail=["tasks:task_file"],
    ),
]
DRAFTERS = Opens(["tasks:task_create"], by={"company", "county", "secretary_a", "secretary_b"})

test_pages_are_404_outside_the_scope = persona_matrix(*SHEETS, DRAFTERS)


@pytest.mark.parametrize("persona", PERSONAS)
def test_list_shows_only_tasks_issued_in_the_scope(client, personas, sheets, persona):
    client.force_login(getattr(personas, persona))
    response = client.get(reverse("tasks:task_list"))
    assert response.status_code == 200
    shown = {t.title for t in response.context["page"]}
    expected = {
        "company": {"县公司工作单", "市公司工作单", "县公司草稿", sheets.child.title},
        "county": {"县公司工作单", "县公司草稿", sheets.child.title},
        "secretary_a": {sheets.child.title},
    }.get(persona, set())
    assert shown == expected


def test_list_shows_the_feedback_summary_and_filters(client, personas, sheets):
    client.force_login(personas.county)
    response = client.get(reverse("tasks:task_list"), {"status": "draft"})
    assert [t.title for t in response.context["page"]] == ["县公司草稿"]
    response = client.get(reverse("tasks:task_list"), {"q": "县公司工作单"})
    row = next(t for t in response.context["page"] if t.pk == sheets.county.pk)
    assert (row.answered_count, row.recipient_count) == (0, 2)
    assert "已反馈 0/2" in response.content.decode()


@pytest.mark.parametrize("param", ["within", "issuer"])
def test_list_of_an_organization_outside_the_scope_is_404(client, personas, sheets, param):
    client.force_login(personas.county)
    url = reverse("tasks:task_list")
    assert client.get(url, {param: sheets.company.issuer_id}).status_code == 404
    assert client.get(url, {param: "x"}).status_code == 404
    inside = client.get(url, {param: sheets.county.issuer_id})
    assert sheets.county.pk in [t.pk for t in inside.context["page"]]


def form_data(issuer, **changes):
    data = {
        "title": "开展“党员身边无违章”承诺",
        "issuer": str(issuer.pk),
        "due_on": days(10).isoformat(),
        "priority": "high",
        "body": "各支部组织党员签订承诺书。",
        "fields-TOTAL_FORMS": "3",
        "fields-INITIAL_FORMS": "0",
        "fields-MIN_NUM_FORMS": "0",
        "fields-MAX_NUM_FORMS": "30",
        "fields-0-label": "签订人数",
        "fields-0-kind": "number",
        "fields-0-required": "on",
        "fields-1-label": "完成情况",
        "fields-1-kind": "choice",
        "fields-1-choices": "已完成\r\n部分完成",
        "fields-1-required": "on",
        "fields-2-label": "",
        "fields-2-kind": "text",
    }
    data.update(changes)
    return data


def test_create_a_draft_with_its_feedback_form_and_files(client, personas, tree):
    client.force_login(personas.county)
    data = form_data(tree.county_a, files=[pdf_file()])
    response = client.post(reverse("tasks:task_create"), data)
    task = Task.objects.get()
    assert response.status_code == 302 and response["Location"] == task.get_absolute_url()
    assert (task.issuer, task.status, task.priority) == (tree.county_a, "draft", "high")
    assert list(task.fields.values_list("label", "kind", "choices")) == [
        ("签订人数", "number", []),
        ("完成情况", "choice", ["已完成", "部分完成"]),
    ]
    assert task.attachments.get().original_name == "通知.pdf"


@pytest.mark.parametrize(
    "changes,message",
    [
        ({"title": ""}, "必填"),
        ({"due_on": days(-3).isoformat()}, "不能早于今天"),
        ({"fields-1-choices": "已完成"}, "至少需要两个选项"),
        ({"fields-1-label": "签订人数", "fields-1-kind": "text"}, "名称重复"),
        ({"fields-2-choices": "甲\r\n乙"}, "请填写字段名称"),
        ({"files": [fake_pdf()]}, "不是允许的类型"),
    ],
)
def test_bad_drafts_show_chinese_errors_and_write_nothing(client, personas, tree, changes, message):
    client.force_login(personas.county)
    response = client.post(reverse("tasks:task_create"), form_data(tree.county_a, **changes))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Task.objects.exists() and not FeedbackField.objects.exists()


def test_an_issuer_outside_the_scope_is_not_a_choice(client, personas, tree):
    client.force_login(personas.secretary_a)
    response = client.get(reverse("tasks:task_create"))
    choices = [value for value, _label in response.context["form"].fields["issuer"].widget.choices]
    assert choices == ["", tree.station_a1.pk, tree.group_a1.pk]
    response = client.post(reverse("tasks:task_create"), form_data(tree.county_a))
    assert response.status_code == 200
    assert "请在列表中选择派发组织" in response.content.decode()
    assert not Task.objects.exists()


def test_edit_a_draft_keeps_removes_and_adds_fields(client, personas, tree, sheets):
    client.force_login(personas.county)
    task = sheets.draft
    first, *_rest = task.fields.all()
    count = task.fields.count()
    url = reverse("tasks:task_edit", args=[task.pk])
    page = client.get(url)
    assert page.context["formset"].total_form_count() == count + 2
    data = form_data(
        tree.county_a,
        **{
            "fields-TOTAL_FORMS": "2",
            "fields-INITIAL_FORMS": "1",
            "fields-0-id": str(first.pk),
            "fields-0-label": "参训党员人数",
            "fields-1-label": "备注",
            "fields-1-kind": "text",
            "fields-1-choices": "",
        },
    )
    response = client.post(url, data)
    assert response.status_code == 302
    assert list(task.fields.values_list("pk", "label")) == [
        (first.pk, "参训党员人数"),
        (task.fields.get(label="备注").pk, "备注"),
    ]


def test_a_dispatched_task_cannot_be_edited(client, personas, sheets):
    client.force_login(personas.county)
    response = client.get(reverse("tasks:task_edit", args=[sheets.county.pk]))
    assert response.status_code == 302
    response = client.post(reverse("tasks:task_edit", args=[sheets.county.pk]), {"title": "x"})
    assert Task.objects.get(pk=sheets.county.pk).title == "县公司工作单"


def test_detail_shows_the_sheet_progress_and_a_guarded_progress_link(client, personas, sheets):
    client.force_login(personas.county)
    response = client.get(reverse("tasks:task_detail", args=[sheets.county.pk]))
    body = response.content.decode()
    assert "培训党员人数" in body and "通知.pdf" in body
    assert response.context["progress"].total == 2
    try:
        url = reverse("tasks:progress", args=[sheets.county.pk])
    except NoReverseMatch:
        url = None
    assert response.context["progress_url"] == url
    if url:
        assert url in body
    draft = client.get(reverse("tasks:task_detail", args=[sheets.draft.pk]))
    assert draft.context["progress_url"] is None and draft.context["can_edit"]


# --- dispatch --------------------------------------------------------------------------------


def test_dispatch_by_range_previews_the_count_then_confirms(client, personas, tree, sheets):
    client.force_login(personas.county)
    url = reverse("tasks:task_dispatch", args=[sheets.draft.pk])
    params = {"mode": "subtree", "unit_kind": "station", "kinds": "branch", "preview": "1"}
    preview = client.get(url, params)
    assert preview.context["preview"]["count"] == 2
    assert "将发给 2 个组织" in preview.content.decode()
    assert not Assignment.objects.filter(task=sheets.draft).exists()
    response = client.post(url, dict(preview.context["confirm_fields"]) | {"kinds": "branch"})
    assert response.status_code == 302
    codes = set(sheets.draft.assignments.values_list("organization__code", flat=True))
    assert codes == {"C-A-1", "C-A-2"}


def test_dispatch_by_hand_from_a_searchable_list(client, personas, tree, sheets):
    client.force_login(personas.county)
    url = reverse("tasks:task_dispatch", args=[sheets.county.pk])
    listed = client.get(url, {"mode": "hand", "q": "第一"})
    rows = listed.context["candidates"]["rows"]
    assert [o.code for o in rows] == ["C-A-1-G1"]
    all_rows = client.get(url, {"mode": "hand"}).context["candidates"]["rows"]
    assert {o.code: bool(o.assigned) for o in all_rows} == {
        "C-A-1": True,
        "C-A-1-G1": False,
        "C-A-2": True,
    }
    preview = client.get(url, {"mode": "hand", "ids": [tree.group_a1.pk], "preview": "1"})
    assert preview.context["preview"]["count"] == 1
    response = client.post(url, {"mode": "hand", "ids": [tree.group_a1.pk]})
    assert response.status_code == 302
    assert sheets.county.assignments.count() == 3


def test_dispatch_to_an_organization_outside_the_subtree_writes_nothing(
    client, personas, tree, sheets
):
    client.force_login(personas.company)
    url = reverse("tasks:task_dispatch", args=[sheets.draft.pk])
    response = client.post(url, {"mode": "hand", "ids": [tree.station_a1.pk, tree.station_b1.pk]})
    assert response.status_code == 200
    assert "B1供电所党支部" in response.content.decode()
    assert not sheets.draft.assignments.exists()
    assert Task.objects.get(pk=sheets.draft.pk).status == "draft"
    outside_within = client.get(
        url, {"mode": "subtree", "within": tree.county_b.pk, "preview": "1"}
    )
    assert "所选范围不在派发组织的下级中" in outside_within.content.decode()


def test_close_and_delete(client, personas, sheets):
    client.force_login(personas.county)
    client.post(reverse("tasks:task_close", args=[sheets.county.pk]))
    assert Task.objects.get(pk=sheets.county.pk).status == "closed"
    client.post(reverse("tasks:task_delete", args=[sheets.county.pk]))
    assert Task.objects.filter(pk=sheets.county.pk).exists()
    client.post(reverse("tasks:task_delete", args=[sheets.draft.pk]))
    assert not Task.objects.filter(pk=sheets.draft.pk).exists()
    client.force_login(personas.secretary_b)
    assert client.post(reverse("tasks:task_close", args=[sheets.company.pk])).status_code == 404


# --- constant queries ------------------------------------------------------------------------


def grow(tree, personas, stations: int, tasks: int, tag: str):
    orgs = [
        make_org(tree.county_a, name=f"扩展供电所{tag}{i}", code=f"C-A-{tag}{i:03d}")
        for i in range(stations)
    ]
    for n in range(tasks):
        task = make_task(tree.county_a, title=f"工作单{tag}{n}")
        TaskAttachment.objects.create(
            task=task, file=f"x/{tag}{n}.pdf", original_name="a.pdf", size=1
        )
        dispatch_to(task, orgs, actor=personas.county)
    return orgs


def test_list_detail_and_dispatch_do_not_grow_with_rows(client, personas, tree, sheets):
    client.force_login(personas.county)
    urls = [
        (reverse("tasks:task_list"), {}),
        (reverse("tasks:task_detail", args=[sheets.county.pk]), {}),
        (reverse("tasks:task_dispatch", args=[sheets.county.pk]), {"mode": "hand"}),
        (
            reverse("tasks:task_dispatch", args=[sheets.county.pk]),
            {"mode": "subtree", "preview": "1"},
        ),
    ]
    orgs = grow(tree, personas, 2, 2, "S")
    dispatch_to(sheets.county, orgs, actor=personas.county)
    small = [count_queries(client, url, params) for url, params in urls]
    orgs = grow(tree, personas, 8, 6, "L")
    dispatch_to(sheets.county, orgs, actor=personas.county)
    large = [count_queries(client, url, params) for url, params in urls]
    assert small == large


def test_edit_page_does_not_grow_with_fields_and_files(client, personas, tree):
    client.force_login(personas.county)

    def draft(n: int):
        fields = [
            {"label": f"字段{i}", "kind": "choice", "choices": ["是", "否"]} for i in range(n)
        ]
        task = make_task(tree.county_a, fields=fields)
        for i in range(n):
            TaskAttachment.objects.create(
                task=task, file=f"x/{i}.pdf", original_name="a.pdf", size=1
            )
        return reverse("tasks:task_edit", args=[task.pk])

    small, large = draft(1), draft(12)
    assert count_queries(client, small) == count_queries(client, large)
