"""Give the roles of the foundation their problem permissions (roles are data)."""

from django.db import migrations

from bastion.core.roles import grant_role_permissions

READ = ["problems.view_inspection", "problems.view_problem", "problems.view_problemevent",
        "problems.view_problemevidence"]  # fmt: skip
RECORD = ["problems.add_inspection", "problems.change_inspection", "problems.add_problem"]
RECTIFY = ["problems.change_problem"]
VERIFY = ["problems.verify_problem"]
EXCEL = ["problems.import_problem", "problems.export_problem"]
BULLETIN = ["problems.view_bulletin", "problems.generate_bulletin"]
ROLE_PERMISSIONS = {
    "party_department": READ + RECORD + RECTIFY + VERIFY + EXCEL + BULLETIN
    + ["problems.delete_inspection", "problems.delete_problem"],
    "county_committee": READ + RECORD + RECTIFY + VERIFY + EXCEL + BULLETIN,
    # A branch inspects itself (自查), rectifies what was found on it, exports its own list.
    "branch_secretary": READ + RECORD + RECTIFY + ["problems.export_problem"],
    "discipline": READ + RECORD + VERIFY + ["problems.export_problem", "problems.view_bulletin"],
    "inspector": READ + RECORD + VERIFY,
    "first_secretary": READ,
    "business": ["problems.view_problem"],
}


class Migration(migrations.Migration):
    dependencies = [("problems", "0001_initial"), ("orgs", "0002_default_roles")]
    operations = [grant_role_permissions(ROLE_PERMISSIONS, prefix="problems.")]
