"""Give the roles of the foundation their task permissions (roles are data)."""

from django.db import migrations

from bastion.core.roles import grant_role_permissions

ISSUE = [
    "tasks.view_task", "tasks.add_task", "tasks.change_task", "tasks.delete_task",
    "tasks.dispatch_task", "tasks.review_task", "tasks.export_task",
]
ANSWER = ["tasks.view_assignment", "tasks.change_assignment", "tasks.view_feedbackfile"]
CASCADE_EDIT = ["tasks.view_cascadeitem", "tasks.add_cascadeitem", "tasks.change_cascadeitem"]
ROLE_PERMISSIONS = {
    "party_department": ISSUE + ANSWER + CASCADE_EDIT + ["tasks.delete_cascadeitem"],
    "county_committee": ISSUE + ANSWER + CASCADE_EDIT,
    # A branch answers, and may pass a task down to its party groups.
    "branch_secretary": ANSWER + CASCADE_EDIT + ["tasks.view_task", "tasks.add_task",
                                                 "tasks.dispatch_task", "tasks.review_task"],
    "member": ["tasks.view_cascadeitem"],
    "discipline": ["tasks.view_task", "tasks.view_assignment", "tasks.view_cascadeitem"],
    "first_secretary": ["tasks.view_task", "tasks.view_assignment", "tasks.view_cascadeitem"],
    "business": ["tasks.view_task", "tasks.view_assignment", "tasks.view_cascadeitem"],
    "inspector": ["tasks.view_task", "tasks.view_assignment", "tasks.view_cascadeitem"],
}


class Migration(migrations.Migration):
    dependencies = [("tasks", "0001_initial"), ("orgs", "0002_default_roles")]
    operations = [grant_role_permissions(ROLE_PERMISSIONS, prefix="tasks.")]
