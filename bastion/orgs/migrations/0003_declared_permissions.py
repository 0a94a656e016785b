"""Declare the permissions that roles already name (``orgs.import_person``,
``orgs.move_organization``, ...): the system check ``bastion.E001`` accepts only permissions
that exist."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("orgs", "0002_default_roles")]

    operations = [
        migrations.AlterModelOptions(
            name="organization",
            options={
                "verbose_name": "组织",
                "verbose_name_plural": "组织",
                "permissions": [
                    ("import_organization", "Can import organizations"),
                    ("export_organization", "Can export organizations"),
                    ("move_organization", "Can move organizations in the tree"),
                ],
            },
        ),
        migrations.AlterModelOptions(
            name="person",
            options={
                "verbose_name": "人员",
                "verbose_name_plural": "人员",
                "ordering": ["organization__path", "name", "id"],
                "permissions": [
                    ("import_person", "Can import people"),
                    ("export_person", "Can export people"),
                    ("view_sensitive_person", "Can view ID numbers and phone numbers"),
                ],
            },
        ),
    ]
