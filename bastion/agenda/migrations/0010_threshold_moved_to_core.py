"""The alert thresholds now belong to the kernel (``core.0003_threshold`` took the table with
its rows): drop the model from the agenda's state, touching no table."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("agenda", "0009_problem_escalate_threshold"),
        ("core", "0003_threshold"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Threshold")],
            database_operations=[],
        ),
    ]
