"""The inbox moves from the agenda to the kernel, keeping every row.

The table the agenda created (``agenda_notification``) is taken over in the migration state
only, then renamed to ``core_notification`` and its index given a core name; no row is copied.
``agenda.0007_notification_moved_to_core`` drops the model from the agenda's state.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("agenda", "0006_problem_thresholds"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Notification",
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
                            "level",
                            models.CharField(
                                choices=[
                                    ("green", "绿色通知"),
                                    ("yellow", "黄色提醒"),
                                    ("red", "红色告警"),
                                    ("info", "消息"),
                                ],
                                max_length=10,
                                verbose_name="级别",
                            ),
                        ),
                        ("title", models.CharField(max_length=200, verbose_name="标题")),
                        ("body", models.TextField(blank=True, verbose_name="内容")),
                        ("url", models.CharField(blank=True, max_length=300, verbose_name="链接")),
                        ("items", models.JSONField(blank=True, default=list, verbose_name="事项")),
                        (
                            "digest_on",
                            models.DateField(blank=True, null=True, verbose_name="摘要日期"),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(auto_now_add=True, verbose_name="时间"),
                        ),
                        (
                            "read_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="已读时间"),
                        ),
                        ("emailed_at", models.DateTimeField(blank=True, null=True)),
                        ("webhook_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "recipient",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="notifications",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="接收人",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "通知",
                        "verbose_name_plural": "通知",
                        "ordering": ["-created_at", "-id"],
                        "db_table": "agenda_notification",
                        "indexes": [
                            models.Index(
                                fields=["recipient", "read_at"],
                                name="agenda_noti_recipie_da71ba_idx",
                            )
                        ],
                        "constraints": [
                            models.UniqueConstraint(
                                condition=models.Q(("digest_on__isnull", False)),
                                fields=("recipient", "digest_on"),
                                name="one_digest_per_day",
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name="notification", table=None),
        migrations.RenameIndex(
            model_name="notification",
            new_name="core_notif_unread_idx",
            old_name="agenda_noti_recipie_da71ba_idx",
        ),
        migrations.AddField(
            model_name="notification",
            name="actor",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="发起人",
            ),
        ),
        migrations.AddField(
            model_name="notification",
            name="event",
            field=models.CharField(blank=True, db_index=True, max_length=60, verbose_name="事件"),
        ),
        migrations.AddField(
            model_name="notification",
            name="dedupe_key",
            field=models.CharField(blank=True, max_length=200, verbose_name="去重键"),
        ),
        migrations.AddConstraint(
            model_name="notification",
            constraint=models.UniqueConstraint(
                condition=models.Q(("dedupe_key", ""), _negated=True),
                fields=("dedupe_key", "recipient"),
                name="one_message_per_event",
            ),
        ),
        migrations.CreateModel(
            name="NotificationSubject",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("kind", models.CharField(max_length=60, verbose_name="对象类型")),
                ("object_id", models.PositiveBigIntegerField(verbose_name="对象编号")),
                (
                    "notification",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="subjects",
                        to="core.notification",
                        verbose_name="通知",
                    ),
                ),
            ],
            options={
                "verbose_name": "通知对象",
                "verbose_name_plural": "通知对象",
                "indexes": [
                    models.Index(fields=["kind", "object_id"], name="core_notif_subject_idx")
                ],
            },
        ),
    ]
