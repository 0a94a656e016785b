"""What the manifest records about a database: the latest applied migration per app and the rows
of every Django model's table. The same SQL runs on both vendors, through any DB-API cursor, so
the counts can be taken inside the very snapshot that is archived."""

from __future__ import annotations

from django.apps import apps
from django.db import connection
from django.db.migrations.loader import MigrationLoader


def model_tables() -> list[str]:
    """Every table a Django model (many-to-many tables included) stores rows in."""
    tables = {
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }
    return sorted(tables)


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def row_counts(cursor, tables: list[str]) -> dict[str, int]:
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608 - names from models
        counts[table] = cursor.fetchone()[0]
    return counts


def latest_migrations(cursor) -> dict[str, str]:
    """The latest applied migration of each app (names start with their number)."""
    cursor.execute("SELECT app, name FROM django_migrations")
    latest: dict[str, str] = {}
    for app, name in cursor.fetchall():
        if name > latest.get(app, ""):
            latest[app] = name
    return latest


def existing_tables() -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.table_names(cursor))


def unknown_migrations(migrations: dict[str, str]) -> list[str]:
    """Migrations of the archive this code does not have: the archive is from a newer release."""
    known = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    return sorted(f"{app}.{name}" for app, name in migrations.items() if (app, name) not in known)
