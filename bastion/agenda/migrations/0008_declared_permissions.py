"""Declare the permissions that roles already name (``agenda.generate_obligation``,
``agenda.export_obligation``): the system check ``bastion.E001`` accepts only permissions that
exist."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("agenda", "0007_notification_moved_to_core")]

    operations = [
        migrations.AlterModelOptions(
            name="obligation",
            options={
                "verbose_name": "应办事项",
                "verbose_name_plural": "应办事项",
                "ordering": ["due_on", "rule__sort_order"],
                "permissions": [
                    ("generate_obligation", "Can generate obligations from the calendar rules"),
                    ("export_obligation", "Can export obligations"),
                ],
            },
        ),
    ]
