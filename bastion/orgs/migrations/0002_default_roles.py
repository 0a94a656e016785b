"""Seed the roles of DOMAIN.md. Later modules extend them with their own data migrations."""

from django.db import migrations

ORG_VIEW = ["orgs.view_organization", "orgs.view_committeemember"]
PEOPLE_VIEW = ["orgs.view_person", "orgs.export_person", "orgs.export_organization"]
PEOPLE_MANAGE = [
    "orgs.add_person", "orgs.change_person", "orgs.delete_person", "orgs.import_person",
    "orgs.view_sensitive_person",
]
TREE_MANAGE = [
    "orgs.add_organization", "orgs.change_organization", "orgs.move_organization",
    "orgs.delete_organization", "orgs.import_organization", "orgs.change_committeemember",
]
GRANTS = ["orgs.view_roleassignment", "orgs.add_roleassignment", "orgs.delete_roleassignment"]

ROLES = [
    ("party_department", "党建工作部", "公司党建工作部/组织部：配置、派发、考评，管理全公司",
     ORG_VIEW + PEOPLE_VIEW + PEOPLE_MANAGE + TREE_MANAGE + GRANTS),
    ("county_committee", "县公司党委", "县公司党委：管理本县公司下属组织与人员",
     ORG_VIEW + PEOPLE_VIEW + PEOPLE_MANAGE + TREE_MANAGE + GRANTS),
    ("branch_secretary", "支部书记", "支部书记/党务工作者：管理本支部党员、记录组织生活",
     ORG_VIEW + PEOPLE_VIEW + PEOPLE_MANAGE + ["orgs.change_organization",
                                               "orgs.change_committeemember"]),
    ("member", "党员", "党员：查看本人信息与所在组织", ["orgs.view_organization"]),
    ("discipline", "纪委", "纪委：一线督查、廉洁风险、问题核实", ORG_VIEW + ["orgs.view_person"]),
    ("business", "业务部门", "业务部门：导入对标指标、参与考评", ORG_VIEW),
    ("first_secretary", "第一书记", "第一书记：驻点供电所的月报与任期目标",
     ORG_VIEW + ["orgs.view_person"]),
    ("inspector", "督查巡查人员", "督查/巡查人员：飞行巡查、巡查，记录问题", ORG_VIEW),
]


def seed_roles(apps, schema_editor):
    Role = apps.get_model("orgs", "Role")
    for code, name, description, permissions in ROLES:
        Role.objects.update_or_create(
            code=code,
            defaults={"name": name, "description": description, "permissions": permissions},
        )


class Migration(migrations.Migration):
    dependencies = [("orgs", "0001_initial")]
    operations = [migrations.RunPython(seed_roles, migrations.RunPython.noop)]
