"""Alert thresholds move from the agenda to the kernel, keeping every row.

The table the agenda created (``agenda_threshold``) is taken over in the migration state only,
then renamed to ``core_threshold``; no row is copied. ``agenda.0010_threshold_moved_to_core``
drops the model from the agenda's state.
"""

from django.db import migrations, models

CODES = [
    ("dues_missed_months", "连续未缴党费告警月数"),
    ("inactive_days", "静默支部判定天数"),
    ("task_due_soon_days", "工作单即将到期提醒天数"),
    ("problem_notice_days", "整改时限绿色通知提前天数"),
    ("problem_reminder_days", "整改时限黄色提醒提前天数"),
    ("problem_escalate_days", "逾期问题提级天数（0 为不提级）"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_notification"),
        ("agenda", "0009_problem_escalate_threshold"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Threshold",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "code",
                            models.CharField(choices=CODES, max_length=40, verbose_name="名称"),
                        ),
                        ("value", models.PositiveSmallIntegerField(verbose_name="数值")),
                        ("effective_from", models.DateField(verbose_name="生效日期")),
                        (
                            "source",
                            models.CharField(blank=True, max_length=200, verbose_name="依据来源"),
                        ),
                    ],
                    options={
                        "verbose_name": "阈值",
                        "verbose_name_plural": "阈值",
                        "ordering": ["code", "-effective_from"],
                        "db_table": "agenda_threshold",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("code", "effective_from"), name="threshold_once"
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name="threshold", table=None),
    ]
