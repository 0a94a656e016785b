"""The system check bastion.E001: every permission name in the project's code exists."""

from django.core import checks

from bastion.core.checks import (
    ERROR_ID,
    PermissionNames,
    check_permission_names,
    unknown_permissions,
)

SOURCE = """
ISSUE = ["tasks.add_task", "tasks.chnage_task"]


def view(user):
    return user.has_perm("tasks.dispatch_tsak")


EVENT = "agenda.meeting_returned"
MODULE = "bastion.tasks.services"
"""


def test_project_names_only_existing_permissions():
    assert check_permission_names() == []


def test_the_check_runs_with_the_system_checks():
    errors = checks.run_checks(tags=None)
    assert not [error for error in errors if error.id == ERROR_ID]


def test_made_up_permissions_are_reported_with_file_and_line():
    errors = unknown_permissions(SOURCE, filename="x.py", names=PermissionNames.from_registry())
    assert [error.msg for error in errors] == [
        '"tasks.chnage_task" names no permission (x.py:2).',
        '"tasks.dispatch_tsak" names no permission (x.py:6).',
    ]
    assert {error.id for error in errors} == {ERROR_ID}


def test_custom_and_default_permissions_are_known():
    names = PermissionNames.from_registry()
    assert {"tasks.dispatch_task", "orgs.view_person", "orgs.move_organization"} <= names.known


def test_event_codes_and_module_paths_are_not_permission_names():
    names = PermissionNames.from_registry()
    assert not names.looks_like_permission("agenda.meeting_returned")
    assert not names.looks_like_permission("bastion.tasks.services")
    assert not names.looks_like_permission("auth.add_user")  # not one of the project's apps
