"""The inbox now belongs to the kernel (``core.0002_notification`` took over the table and its
rows); the agenda forgets the model without touching the database."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("agenda", "0006_problem_thresholds"),
        ("core", "0002_notification"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Notification")],
            database_operations=[],
        ),
    ]
