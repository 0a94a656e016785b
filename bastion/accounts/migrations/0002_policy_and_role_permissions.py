"""The default account rules, as data, and who may manage accounts on their subtree."""

from django.db import migrations

from bastion.core.roles import grant_role_permissions

MANAGE = ["accounts.view_account", "accounts.add_account", "accounts.change_account"]
# The account rules are the company's: changed by the party-building department at the root.
RULES = ["accounts.view_accountpolicy", "accounts.change_accountpolicy"]


def seed_policy(apps, schema_editor):
    AccountPolicy = apps.get_model("accounts", "AccountPolicy")
    Role = apps.get_model("orgs", "Role")
    if AccountPolicy.objects.exists():
        return
    AccountPolicy.objects.create(
        username_source="employee_no",
        member_role=Role.objects.filter(code="member").first(),
        member_statuses=["full", "probationary"],
        leaving_statuses=["transferred", "resigned", "deceased"],
        code_valid_days=14,
        source="平台默认规则：工号为用户名；党员在本支部获得“党员”角色；转出、离职、死亡停用账号",
    )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial"), ("orgs", "0004_person_status_branch_roles")]

    operations = [
        migrations.RunPython(seed_policy, migrations.RunPython.noop),
        grant_role_permissions(
            {
                "party_department": MANAGE + RULES,
                "county_committee": MANAGE,
                "branch_secretary": MANAGE,
            },
            prefix="accounts.",
        ),
    ]
