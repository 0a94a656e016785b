"""Constant queries: the tree, the list and the form cost the same for a small cascade and a
larger one (more stations, plans, linked 工作单 and answers)."""

import pytest
from django.urls import reverse

from bastion.core.testing import count_queries
from bastion.orgs.tests.factories import UserFactory, grant, make_org
from bastion.tasks.services.cascade import cascade_item_create, cascade_item_set_status

from .cascade_helpers import answer, build_cascade, linked_task, sheet_fields

pytestmark = pytest.mark.django_db


def grow(tree, personas, cascade, n: int, tag: str):
    """``n`` more stations under county A, each with an action plan; a second task sheet with
    a linked 工作单 answered by every new station; some plans done."""
    sheet = cascade_item_create(
        actor=personas.county,
        parent=cascade.book,
        level="task_sheet",
        organization=tree.county_a,
        title=f"扩展任务单{tag}",
        **sheet_fields(),
    )
    stations = []
    for i in range(n):
        station = make_org(tree.county_a, name=f"扩展供电所{tag}{i}", code=f"C-A-{tag}{i:03d}")
        station.refresh_from_db()
        stations.append(station)
        plan = cascade_item_create(
            actor=personas.county,
            parent=sheet,
            level="action_plan",
            organization=station,
            title=f"扩展方案{tag}{i}",
        )
        if i % 2:
            cascade_item_set_status(item=plan, actor=personas.county, status="done")
    task = linked_task(
        tree.county_a,
        personas.county,
        sheet,
        [*stations, tree.station_a1],
        title=f"扩展工作单{tag}",
    )
    for station in stations[: n // 2]:
        user = UserFactory(username=f"sec_{station.code}")
        grant(user, "branch_secretary", station)
        answer(task, station, actor=user, reviewer=personas.county)
    answer(task, tree.station_a1, actor=personas.secretary_a, reviewer=personas.county)


@pytest.mark.parametrize("persona", ["company", "county", "secretary_a", "secretary_b"])
def test_tree_does_not_grow_with_the_cascade(client, tree, personas, persona):
    cascade = build_cascade(tree, personas.company)
    client.force_login(getattr(personas, persona))
    url = reverse("tasks:cascade_detail", args=[cascade.objective.pk])
    grow(tree, personas, cascade, 2, "S")
    small = count_queries(client, url)
    first = small.response
    grow(tree, personas, cascade, 12, "L")
    large = count_queries(client, url)
    second = large.response
    assert small == large
    assert len(second.context["tree"].nodes) >= len(first.context["tree"].nodes)
    if persona == "company":
        assert len(second.context["tree"].nodes) > len(first.context["tree"].nodes) + 10


@pytest.mark.parametrize("persona", ["company", "secretary_a"])
def test_list_does_not_grow_with_objectives(client, tree, personas, persona):
    client.force_login(getattr(personas, persona))
    url = reverse("tasks:cascade_list")
    cascade = build_cascade(tree, personas.company, tag="1")
    grow(tree, personas, cascade, 1, "S")
    small = count_queries(client, url)
    for tag in ("2", "3", "4"):
        grown = build_cascade(tree, personas.company, tag=tag)
        grow(tree, personas, grown, 3, f"L{tag}")
        cascade_item_create(
            actor=personas.county,
            parent=grown.book,
            level="task_sheet",
            organization=tree.county_a,
            title=f"待编制{tag}",
            **sheet_fields(),
        )
    large = count_queries(client, url)
    response = large.response
    assert len(response.context["rows"]) == 4
    assert small == large


def test_create_form_does_not_grow(client, tree, personas):
    cascade = build_cascade(tree, personas.company)
    client.force_login(personas.secretary_a)
    url = reverse("tasks:cascade_item_create")
    small = count_queries(client, url, {"parent": cascade.sheet_a.pk})
    grow(tree, personas, cascade, 8, "L")
    large = count_queries(client, url, {"parent": cascade.sheet_a.pk})
    assert small == large
