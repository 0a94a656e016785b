"""API tokens that expire and die with the password (``bastion.core.tokens``).

The tokens DRF's ``rest_framework.authtoken`` issued (table ``authtoken_token``, plain keys)
are copied as digests, expiring one lifetime from now, and that table is dropped so no plain
key stays in the database. A database that never had the table (a new one) is left as it is.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from bastion.core.tokens import PREFIX_LENGTH, key_digest, password_fingerprint, token_lifetime

OLD_TABLE = "authtoken_token"


def copy_drf_tokens(apps, schema_editor) -> int:
    """Copy every DRF token into ``core.ApiToken`` and drop DRF's table: the number copied."""
    connection = schema_editor.connection
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if OLD_TABLE not in connection.introspection.table_names(cursor):
            return 0
        cursor.execute(f"SELECT {quote('key')}, {quote('user_id')} FROM {quote(OLD_TABLE)}")
        rows = cursor.fetchall()
    User = apps.get_model("core", "User")
    ApiToken = apps.get_model("core", "ApiToken")
    passwords = dict(
        User.objects.filter(pk__in={user_id for _key, user_id in rows}).values_list(
            "pk", "password"
        )
    )
    now = django.utils.timezone.now()
    ApiToken.objects.bulk_create(
        ApiToken(
            user_id=user_id,
            key_digest=key_digest(key),
            prefix=key[:PREFIX_LENGTH],
            name="",
            created_at=now,
            expires_at=now + token_lifetime(),
            password_fingerprint=password_fingerprint(passwords[user_id]),
        )
        for key, user_id in rows
        if user_id in passwords
    )
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {quote(OLD_TABLE)}")
        # The app is gone from INSTALLED_APPS; were it ever put back, migrate recreates its table.
        cursor.execute(f"DELETE FROM {quote('django_migrations')} WHERE app = %s", ["authtoken"])
    return len(rows)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_threshold"),
    ]

    operations = [
        migrations.CreateModel(
            name="ApiToken",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "key_digest",
                    models.CharField(max_length=64, unique=True, verbose_name="令牌摘要"),
                ),
                ("prefix", models.CharField(max_length=8, verbose_name="令牌前缀")),
                ("name", models.CharField(blank=True, max_length=100, verbose_name="名称")),
                (
                    "created_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="签发时间"
                    ),
                ),
                ("expires_at", models.DateTimeField(db_index=True, verbose_name="到期时间")),
                (
                    "last_used_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="最近使用"),
                ),
                (
                    "password_fingerprint",
                    models.CharField(max_length=16, verbose_name="密码指纹"),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="api_tokens",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="账号",
                    ),
                ),
            ],
            options={
                "verbose_name": "API 令牌",
                "verbose_name_plural": "API 令牌",
                "ordering": ["-created_at", "-pk"],
            },
        ),
        migrations.RunPython(copy_drf_tokens, migrations.RunPython.noop),
    ]
