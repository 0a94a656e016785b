"""The stored progress figures (``TaskTally``) stay equal to a fresh count through every write of
the task services, and the pages that read them show what counting the rows shows."""

import pytest
from django.urls import reverse
from django.utils import timezone

from bastion.orgs.tests.factories import UserFactory, grant
from bastion.tasks import selectors
from bastion.tasks.models import TaskTally
from bastion.tasks.selectors_progress import breakdown
from bastion.tasks.selectors_totals import field_totals, totalled_fields
from bastion.tasks.services import flow
from bastion.tasks.services.tally import task_tallies_rebuild

from .factories import answer, days, dispatch_to, make_task, move_due

pytestmark = pytest.mark.django_db


def stored(task) -> dict:
    return {row.node_path: row.figures for row in TaskTally.objects.filter(task=task)}


def recounted(task) -> dict:
    task_tallies_rebuild([task.pk])
    return stored(task)


def assert_in_step(task):
    before = stored(task)
    assert before == recounted(task)
    return before


@pytest.fixture
def sheet(tree, personas):
    task = make_task(tree.company)
    orgs = [tree.county_a, tree.station_a1, tree.station_a2, tree.group_a1, tree.station_b1]
    rows = dispatch_to(task, orgs, actor=personas.company)
    answerer = {}
    for org in orgs:
        user = UserFactory()
        grant(user, "branch_secretary", org)
        answerer[org.code] = user
    return task, rows, answerer


def test_tally_equals_a_recount_after_every_service_write(sheet, tree, personas):
    task, rows, who = sheet
    figures = assert_in_step(task)
    assert figures[tree.company.path]["total"] == 5
    assert figures[tree.company.path]["unread"] == 5
    a1, a2, b1 = (rows[o.code] for o in (tree.station_a1, tree.station_a2, tree.station_b1))
    flow.assignment_mark_read(assignment=a1, actor=who[a1.organization.code])
    # station A1's subtree: itself (now read) and its party group (unread)
    assert assert_in_step(task)[tree.station_a1.path] == {"total": 2, "read": 1, "unread": 1}
    a1 = answer(
        a1,
        actor=who[a1.organization.code],
        培训党员人数="12",
        会议召开日期="2025-06-18",
        完成情况="已完成",
    )
    b1 = answer(
        b1,
        actor=who[b1.organization.code],
        培训党员人数="7.5",
        会议召开日期="2025-06-18",
        完成情况="未开展",
    )
    assert_in_step(task)
    flow.assignment_return(assignment=b1, actor=personas.company, reason="请补充材料")
    assert_in_step(task)
    b1.refresh_from_db()
    answer(
        b1,
        actor=who[b1.organization.code],
        培训党员人数="9",
        会议召开日期="2025-06-18",
        完成情况="部分完成",
    )
    flow.assignment_accept(assignment=a1, actor=personas.company)
    move_due(task, days(-2))
    answer(
        a2,
        actor=who[a2.organization.code],
        培训党员人数="3",
        会议召开日期="2025-06-18",
        完成情况="已完成",
    )
    figures = assert_in_step(task)
    top = figures[tree.company.path]
    assert top["accepted"] == 1 and top["submitted"] == 2 and top["late"] == 1
    fields = {f.label: f.pk for f in task.fields.all()}
    assert top[f"f{fields['培训党员人数']}:sum"] == "24"
    assert top[f"f{fields['完成情况']}:c:已完成"] == 2
    flow.task_dispatch(task=task, actor=personas.company, recipients=[tree.county_b.pk])
    assert assert_in_step(task)[tree.company.path]["total"] == 6


def _page(client, task, within=None):
    url = reverse("tasks:progress", args=[task.pk])
    return client.get(url, {"within": within.pk} if within else {}).context


@pytest.mark.parametrize("within", [None, "county_a", "station_a1"])
def test_the_page_shows_what_counting_the_rows_shows(client, sheet, tree, personas, within):
    task, rows, who = sheet
    a1, b1 = rows[tree.station_a1.code], rows[tree.station_b1.code]
    answer(
        a1,
        actor=who[a1.organization.code],
        培训党员人数="12",
        会议召开日期="2025-06-18",
        完成情况="已完成",
    )
    answer(
        b1,
        actor=who[b1.organization.code],
        培训党员人数="4",
        会议召开日期="2025-06-18",
        完成情况="未开展",
    )
    move_due(task, days(-1))
    node = getattr(tree, within) if within else tree.company
    client.force_login(personas.company)
    context = _page(client, task, getattr(tree, within) if within else None)
    live_rows = selectors.within(task.assignments.all(), node)
    today = timezone.localdate()
    assert context["progress"] == selectors.progress(task, assignments=live_rows, today=today)
    fields = totalled_fields(task)
    assert context["field_totals"] == field_totals(live_rows, fields)
    assert context["breakdown"] == breakdown(live_rows, task, node, today, fields)
    assert context["page"].paginator.count == live_rows.count()


def test_a_reader_who_sees_part_of_the_subtree_gets_a_count_of_what_they_see(
    client, sheet, tree, personas
):
    """The county secretary opening a company task inside county A sees county A's rows, counted
    (the stored figures are for readers who see the whole subtree shown)."""
    task, rows, who = sheet
    client.force_login(personas.company)
    whole = _page(client, task)["progress"]
    assert whole.total == 5
    client.force_login(personas.county)
    response = client.get(reverse("tasks:progress", args=[task.pk]))
    if response.status_code == 200:  # the county may or may not see the company's sheet
        assert response.context["progress"].total == 4  # county_a, station_a1, a2, group_a1


def test_tally_follows_a_subtree_moved_to_another_county(sheet, tree, personas):
    """Moving station A1 (and its party group) under county B carries its recipients' figures
    from county A's row to county B's, as a recount would."""
    from bastion.orgs.services import organization_move

    task, _rows, _who = sheet
    before = assert_in_step(task)
    organization_move(
        actor=personas.company, organization=tree.station_a1, new_parent=tree.county_b
    )
    after = stored(task)
    assert after == recounted(task)
    tree.county_a.refresh_from_db()
    tree.county_b.refresh_from_db()
    assert after[tree.county_a.path]["total"] == before[tree.county_a.path]["total"] - 2
    assert after[tree.county_b.path]["total"] == before[tree.county_b.path]["total"] + 2
