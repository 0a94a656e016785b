"""Who may open a task's progress: whoever may view the task (the issuer's side), 404 otherwise.

A county committee sees the progress of its own tasks, never of the company's (even for its
stations' rows: those answer in their own assignment pages); a branch secretary sees only the
tasks it passed down to its party groups.
"""

import pytest
from django.urls import reverse

from bastion.core.testing import PERSONAS, Scope, persona_matrix, seen_by_persona
from bastion.tasks.services import flow

from .progress_helpers import make_task

pytestmark = pytest.mark.django_db

VISIBLE = {
    "company": {"company", "county", "station"},
    "county": {"county", "station"},
    "secretary_a": {"station"},
    "secretary_b": set(),
    "member": set(),
    "outsider": set(),
}
EXPORTS = {"company": {"company", "county", "station"}, "county": {"county", "station"}}
REMINDS = {**EXPORTS, "secretary_a": {"station"}}


@pytest.fixture
def tasks(tree, personas):
    made = {}
    for name, issuer, actor, recipients in (
        ("company", tree.company, personas.company, [tree.station_a1, tree.station_b1]),
        ("county", tree.county_a, personas.county, [tree.station_a1, tree.station_a2]),
        ("station", tree.station_a1, personas.secretary_a, [tree.group_a1]),
    ):
        task = make_task(issuer, actor, title=f"{name} 工作单")
        flow.task_dispatch(task=task, actor=actor, recipients=[o.pk for o in recipients])
        made[name] = task
    return made


TASKS = ["company", "county", "station"]
# The progress pages open for whoever may view the task; the export needs the export permission.
PROGRESS = [
    Scope(
        objects="tasks",
        seen_by=seen_by_persona(VISIBLE, TASKS),
        detail=["tasks:progress", "tasks:progress_counts"],
    ),
    Scope(
        objects="tasks", seen_by=seen_by_persona(EXPORTS, TASKS), detail=["tasks:progress_export"]
    ),
]

test_progress_pages_inside_scope_200_outside_404 = persona_matrix(*PROGRESS)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("task_name", ["company", "county", "station"])
def test_remind_needs_dispatch_permission_on_the_issuer(
    client, personas, tasks, persona, task_name
):
    client.force_login(getattr(personas, persona))
    response = client.post(reverse("tasks:progress_remind", args=[tasks[task_name].pk]))
    expected = 302 if task_name in REMINDS.get(persona, set()) else 404
    assert response.status_code == expected


def test_buttons_show_only_with_their_permission(client, personas, tasks):
    """A branch secretary may remind its groups but holds no export permission."""
    client.force_login(personas.secretary_a)
    response = client.get(reverse("tasks:progress", args=[tasks["station"].pk]))
    assert response.context["can_remind"] and not response.context["can_export"]
    assert 'data-testid="progress-export"' not in response.content.decode()


def test_within_outside_the_issuer_subtree_is_404(client, personas, tasks, tree):
    client.force_login(personas.company)
    url = reverse("tasks:progress", args=[tasks["county"].pk])
    assert client.get(url, {"within": tree.county_b.pk}).status_code == 404
    assert client.get(url, {"within": tree.station_b1.pk}).status_code == 404
    assert client.get(url, {"within": "abc"}).status_code == 404
    assert client.get(url, {"within": 999999}).status_code == 404
    assert client.get(url, {"within": tree.station_a1.pk}).status_code == 200
    export = reverse("tasks:progress_export", args=[tasks["county"].pk])
    assert client.get(export, {"within": tree.county_b.pk}).status_code == 404


def test_within_choices_stay_in_the_issuer_subtree(client, personas, tasks, tree):
    client.force_login(personas.company)
    url = reverse("tasks:progress", args=[tasks["county"].pk])
    choices = {o.pk for o in client.get(url).context["choices"]}
    assert choices == {tree.county_a.pk, tree.station_a1.pk, tree.station_a2.pk}
    deeper = {o.pk for o in client.get(url, {"within": tree.station_a1.pk}).context["choices"]}
    assert deeper == {tree.county_a.pk, tree.station_a1.pk, tree.station_a2.pk, tree.group_a1.pk}


def test_anonymous_is_sent_to_login(client, tasks):
    response = client.get(reverse("tasks:progress", args=[tasks["company"].pk]))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_remind_is_post_only(client, personas, tasks):
    client.force_login(personas.company)
    response = client.get(reverse("tasks:progress_remind", args=[tasks["company"].pk]))
    assert response.status_code == 405
