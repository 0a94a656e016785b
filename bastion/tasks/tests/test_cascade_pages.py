"""Cascade pages: the persona matrix (200 inside, 404 outside), what each persona reads on the
tree, adding, editing, progress and deleting through the pages, Chinese messages."""

import datetime as dt

import pytest
from django.urls import reverse

from bastion.core.testing import PERSONAS, Opens, Scope, Url, login, persona_matrix
from bastion.orgs.tests.factories import UserFactory, grant
from bastion.tasks.models import CascadeItem
from bastion.tasks.services.cascade import cascade_item_create
from bastion.tasks.views.cascade import url_or_none

from .cascade_helpers import answer, build_cascade, linked_task, sheet_fields

pytestmark = pytest.mark.django_db


@pytest.fixture
def cascade(tree, personas):
    return build_cascade(tree, personas.company)


def detail(cascade):
    return reverse("tasks:cascade_detail", args=[cascade.objective.pk])


@pytest.mark.parametrize("persona", PERSONAS)
def test_list_shows_the_objectives_that_reach_each_persona(client, personas, cascade, persona):
    login(client, getattr(personas, persona))
    response = client.get(reverse("tasks:cascade_list"))
    assert response.status_code == 200
    listed = [root.pk for root in response.context["rows"]]
    assert listed == ([] if persona == "outsider" else [cascade.objective.pk])
    text = response.content.decode()
    assert ("编制攻坚目标清单" in text) == (persona in ("company", "county"))  # 党委 only


def test_list_search_and_awaiting_sheet(client, tree, personas, cascade):
    sheet = cascade_item_create(
        actor=personas.county,
        parent=cascade.book,
        level="task_sheet",
        organization=tree.county_a,
        title="A县第二张任务单",
        **sheet_fields(),
    )
    login(client, personas.secretary_a)
    response = client.get(reverse("tasks:cascade_list"))
    assert [s.pk for s in response.context["awaiting"]] == [sheet.pk]
    assert "待编制行动方案的任务单" in response.content.decode()
    assert client.get(reverse("tasks:cascade_list"), {"q": "没有"}).context["rows"] == []


# Who opens which item's pages, and the form adding an item under it; everyone else gets 404.
ITEMS = [
    Scope(
        objects="cascade",
        seen_by={"objective": set(PERSONAS) - {"outsider"}},
        detail=["tasks:cascade_detail"],
    ),
    Scope(
        objects="cascade",
        seen_by={
            "plan_a1": {"company", "county", "secretary_a"},
            "plan_b1": {"company", "secretary_b"},
            "sheet_a": {"company", "county"},
            "objective": {"company"},
        },
        detail=["tasks:cascade_item_edit"],
    ),
    Scope(
        objects="cascade",
        seen_by={
            "sheet_a": {"company", "county", "secretary_a"},
            "sheet_b": {"company", "secretary_b"},
            "book": {"company", "county"},  # a task sheet is a 战区's, not a branch's
        },
        detail=[Url("tasks:cascade_item_create", param="parent")],
    ),
]
OBJECTIVE_FORM = Opens(
    [Url("tasks:cascade_item_create", query={"level": "objective"})], by={"company", "county"}
)

test_item_pages_are_404_outside_scope = persona_matrix(*ITEMS, OBJECTIVE_FORM)


def test_a_county_tree_is_404_for_the_other_county(client, tree, personas):
    objective = cascade_item_create(
        actor=personas.county, level="objective", organization=tree.county_a, title="A县攻坚目标"
    )
    login(client, personas.secretary_b)
    assert client.get(reverse("tasks:cascade_detail", args=[objective.pk])).status_code == 404
    assert client.get(reverse("tasks:cascade_detail", args=[99999])).status_code == 404


def test_secretary_b_reads_nothing_of_station_a1(client, tree, personas, cascade):
    task = linked_task(tree.county_a, personas.county, cascade.sheet_a, [tree.station_a1])
    answer(
        task,
        tree.station_a1,
        actor=personas.secretary_a,
        reviewer=personas.county,
        text="A1反馈的秘密内容",
    )
    login(client, personas.secretary_b)
    text = client.get(detail(cascade)).content.decode()
    for secret in ("A1供电所党支部行动方案", "A县线损治理任务单", "A县措施", "A1反馈的秘密内容"):
        assert secret not in text
    assert "B1供电所党支部行动方案" in text and "B县措施：反窃电" in text
    # a parent pointing into county A is no way in either
    url = reverse("tasks:cascade_item_create")
    assert client.get(url, {"parent": cascade.plan_a1.pk}).status_code == 404


def test_secretary_a_reads_the_path_and_their_own_plan(client, tree, personas, cascade):
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
    answer(task, tree.station_a2, actor=_a2_user(tree), reviewer=personas.county, text="A2的反馈")
    login(client, personas.secretary_a)
    response = client.get(detail(cascade))
    text = response.content.decode()
    for shown in (
        cascade.objective.title,
        "“党建+”配网可靠性任务书",
        "A县措施：逐户排查",
        "台区线损精益治理",
        "A1供电所党支部行动方案",
        "A1已包干高损台区",
        "已采纳",
    ):
        assert shown in text, shown
    for hidden in ("A2供电所党支部行动方案", "A2的反馈", "B县线损治理任务单"):
        assert hidden not in text, hidden
    assert f'data-testid="node-{cascade.sheet_a.pk}"' in text
    assert f'data-testid="status-{cascade.sheet_a.pk}"' not in text  # no status of a directive
    assert f'data-testid="status-form-{cascade.plan_a1.pk}"' in text
    detail_url = url_or_none(
        "tasks:assignment_detail", task.assignments.get(organization=tree.station_a1).pk
    )
    if detail_url:
        assert detail_url in text


def _a2_user(tree):
    user = UserFactory(username="p_secretary_a2")
    grant(user, "branch_secretary", tree.station_a2)
    return user


def test_tree_shows_task_sheet_points_progress_and_overdue(client, tree, personas, cascade):
    CascadeItem.objects.filter(pk=cascade.plan_a2.pk).update(deadline=dt.date(2000, 1, 1))
    task = linked_task(tree.county_a, personas.county, cascade.sheet_a, [tree.station_a1])
    login(client, personas.county)
    text = client.get(detail(cascade)).content.decode()
    for label in ("方向", "目标", "人员", "措施", "时限", "责任"):
        assert f'<dt class="col-sm-2">{label}</dt>' in text
    assert "各供电所所长、台区经理" in text
    assert f'data-testid="overdue-{cascade.plan_a2.pk}"' in text
    assert f'data-testid="overdue-{cascade.plan_a1.pk}"' not in text
    assert "已采纳 0/1" in text
    progress = url_or_none("tasks:progress", task.pk)
    if progress:
        assert progress in text
    dispatch = url_or_none("tasks:task_create", query=f"?cascade_item={cascade.sheet_a.pk}")
    if dispatch:
        assert dispatch.replace("&", "&amp;") in text
    else:
        assert "派发工作单" not in text


def test_url_or_none_guards_missing_pages():
    assert url_or_none("tasks:no_such_page") is None
    assert url_or_none("tasks:cascade_list") == "/tasks/cascade/"


def test_secretary_writes_their_action_plan_through_the_page(client, tree, personas, cascade):
    login(client, personas.secretary_a)
    url = reverse("tasks:cascade_item_create") + f"?parent={cascade.sheet_a.pk}"
    page = client.get(url)
    # Not the 党小组 under A1: its branch answers for it.
    assert [o.pk for o in page.context["form"].organizations.values()] == [tree.station_a1.pk]
    response = client.post(
        url,
        {
            "organization": tree.station_a1.pk,
            "title": "A1第二方案",
            "measures": "每周巡视",
            "deadline": "2099-09-30",
        },
    )
    plan = CascadeItem.objects.get(title="A1第二方案")
    assert response.status_code == 302
    assert response["Location"].endswith(f"/tasks/cascade/{cascade.objective.pk}/#item-{plan.pk}")
    assert (plan.parent, plan.level, plan.root) == (
        cascade.sheet_a,
        "action_plan",
        cascade.objective,
    )


def test_bad_input_gets_a_chinese_message_and_nothing_changes(client, tree, personas, cascade):
    login(client, personas.county)
    before = CascadeItem.objects.count()
    url = reverse("tasks:cascade_item_create") + f"?parent={cascade.book.pk}"
    response = client.post(url, {"organization": tree.county_a.pk, "title": "缺项任务单"})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) >= {"direction", "goal", "measures", "responsibility"}
    late = client.post(
        url,
        {"organization": tree.county_a.pk, "title": "晚", **sheet_fields(deadline="2100-01-01")},
    )
    assert "时限不能晚于上级事项" in late.content.decode()
    outside = client.post(
        url, {"organization": tree.county_b.pk, "title": "越权", **sheet_fields()}
    )
    assert "organization" in outside.context["form"].errors
    wrong_level = client.post(
        reverse("tasks:cascade_item_create") + f"?parent={cascade.book.pk}&level=action_plan",
        {"organization": tree.county_a.pk, "title": "错层", **sheet_fields()},
    )
    assert "其下一级只能是任务单" in wrong_level.content.decode()
    assert client.get(reverse("tasks:cascade_item_create"), {"level": "bogus"}).status_code == 404
    assert client.get(reverse("tasks:cascade_item_create"), {"parent": "x"}).status_code == 404
    assert CascadeItem.objects.count() == before


def test_edit_through_the_page(client, tree, personas, cascade):
    login(client, personas.county)
    url = reverse("tasks:cascade_item_edit", args=[cascade.sheet_a.pk])
    page = client.get(url)
    assert "organization" not in page.context["form"].fields  # it has children
    data = {**sheet_fields(measures="新措施"), "title": "A县任务单（修订）"}
    response = client.post(url, data)
    assert response.status_code == 302
    cascade.sheet_a.refresh_from_db()
    assert (cascade.sheet_a.title, cascade.sheet_a.measures) == ("A县任务单（修订）", "新措施")
    early = client.post(url, {**data, "deadline": "2099-01-01"})
    assert "晚于新时限" in early.content.decode()


@pytest.mark.parametrize("persona", PERSONAS)
def test_status_post_matrix(client, personas, cascade, persona):
    login(client, getattr(personas, persona))
    url = reverse("tasks:cascade_item_status", args=[cascade.plan_a1.pk])
    response = client.post(url, {"status": "in_progress", "progress_note": "已启动"})
    allowed = persona in {"company", "county", "secretary_a"}
    assert response.status_code == (302 if allowed else 404)
    cascade.plan_a1.refresh_from_db()
    assert (cascade.plan_a1.status == "in_progress") == allowed
    assert client.get(url).status_code == 405


def test_status_done_rule_through_the_page(client, personas, cascade):
    login(client, personas.county)
    url = reverse("tasks:cascade_item_status", args=[cascade.sheet_a.pk])
    response = client.post(url, {"status": "done"}, follow=True)
    assert "全部完成后才能标记为已完成" in response.content.decode()
    cascade.sheet_a.refresh_from_db()
    assert cascade.sheet_a.status == "planned"
    bad = client.post(url, {"status": "nonsense"}, follow=True)
    assert "请选择有效的进展状态" in bad.content.decode()


@pytest.mark.parametrize("persona", PERSONAS)
def test_delete_post_matrix(client, personas, cascade, persona):
    login(client, getattr(personas, persona))
    response = client.post(reverse("tasks:cascade_item_delete", args=[cascade.plan_a1.pk]))
    allowed = persona == "company"  # the only role holding tasks.delete_cascadeitem
    assert response.status_code == (302 if allowed else 404)
    assert CascadeItem.objects.filter(pk=cascade.plan_a1.pk).exists() != allowed


def test_delete_with_children_is_refused_in_chinese(client, personas, cascade):
    login(client, personas.company)
    url = reverse("tasks:cascade_item_delete", args=[cascade.sheet_a.pk])
    response = client.post(url, follow=True)
    assert "请先删除下级事项" in response.content.decode()
    assert CascadeItem.objects.filter(pk=cascade.sheet_a.pk).exists()
