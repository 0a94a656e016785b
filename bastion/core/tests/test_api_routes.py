"""The API route convention (docs/api.md) holds for every app, and the old v1 paths still answer."""

import re

import pytest

from bastion.api_urls import OLD_ACTION_PATHS, OLD_PREFIXES, router
from bastion.core.testing import login
from bastion.tasks.models import Task
from bastion.tasks.tests.api_helpers import assignment_of, tasks_fixture  # noqa: F401

KEBAB = re.compile(r"[a-z]+(-[a-z]+)*")
PARAMETER = re.compile(r"\(\?P<[a-z_]+>[^)]*\)")


@pytest.fixture(name="api")
def company_api(api, personas):
    """The root ``api`` client, logged in as the company administrator."""
    return login(api, personas.company)


def test_every_resource_is_a_top_level_kebab_case_name():
    for prefix, _viewset, basename in router.registry:
        assert KEBAB.fullmatch(prefix), prefix
        assert KEBAB.fullmatch(basename), basename


def test_no_two_apps_share_a_resource_name():
    prefixes = [prefix for prefix, _viewset, _basename in router.registry]
    assert len(prefixes) == len(set(prefixes))


def test_every_action_path_is_kebab_case():
    for prefix, viewset, _basename in router.registry:
        for action in viewset.get_extra_actions():
            for part in action.url_path.split("/"):
                assert KEBAB.fullmatch(part) or PARAMETER.fullmatch(part), (prefix, part)


def test_the_schema_shows_only_the_conventional_paths(api_schema):
    paths = set(api_schema["paths"])
    assert {"/api/v1/schemes/", "/api/v1/assignments/{id}/pass-down/"} <= paths
    assert not [path for path in paths if path.startswith("/api/v1/evaluation/")]
    assert not [path for path in paths if "pass_down" in path]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/api/v1/evaluation/schemes/", "/api/v1/schemes/"),
        ("/api/v1/evaluation/rounds/", "/api/v1/rounds/"),
        ("/api/v1/evaluation/indicators/", "/api/v1/benchmark-values/"),
        ("/api/v1/evaluation/indicators/definitions/", "/api/v1/benchmark-values/definitions/"),
        ("/api/v1/evaluation/titles/", "/api/v1/titles/"),
    ],
)
def test_an_old_evaluation_path_answers_as_the_new_one(api, old, new):
    answer = api.get(new)
    assert answer.status_code == 200
    assert api.get(old).json() == answer.json()


def test_an_old_scheme_detail_path_answers_as_the_new_one(api):
    scheme = api.get("/api/v1/schemes/").json()["results"][0]
    old = api.get(f"/api/v1/evaluation/schemes/{scheme['id']}/")
    assert old.status_code == 200
    assert old.json() == api.get(f"/api/v1/schemes/{scheme['id']}/").json()


def test_an_old_path_stays_inside_the_scope(api, personas):
    api.force_login(personas.outsider)
    scheme = api.get("/api/v1/schemes/").json()["results"]
    assert scheme == api.get("/api/v1/evaluation/schemes/").json()["results"]


def test_the_old_pass_down_path_passes_down(api, personas, tree, tasks):
    target = assignment_of(tasks, tree, "company", "station_a1")
    api.force_login(personas.secretary_a)
    path = f"/api/v1/assignments/{target.pk}/pass_down/"
    response = api.post(path, {"recipients": [tree.group_a1.pk]}, format="json")
    assert response.status_code == 201, response.content
    assert Task.objects.get(pk=response.json()["id"]).parent_assignment_id == target.pk


def test_every_old_path_is_covered_here():
    assert set(OLD_PREFIXES) == {
        "evaluation/schemes",
        "evaluation/rounds",
        "evaluation/indicators",
        "evaluation/titles",
    }
    assert [name for _prefix, name in OLD_ACTION_PATHS.values()] == ["pass_down"]
