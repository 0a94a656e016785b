"""The database part, per vendor: a consistent copy taken while the site runs, with the row counts
and migration state read from that same copy, and loading it into the target database.

SQLite: the online backup API (``sqlite3.Connection.backup``) copies the live database in one
step, which holds a read transaction, so the copy is a single point in time even under writes.
PostgreSQL: a REPEATABLE READ transaction exports its snapshot; the counts are taken in it and
``pg_dump --snapshot`` dumps exactly that state. Passwords reach ``pg_dump``/``pg_restore``
through ``PGPASSWORD`` in their environment, never on the command line.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from django.db import connection
from django.utils.translation import gettext as _

from .errors import BackupError
from .state import latest_migrations, model_tables, quote, row_counts

# libpq's environment variables for the connection settings Django knows.
LIBPQ_ENV = {
    "NAME": "PGDATABASE",
    "USER": "PGUSER",
    "PASSWORD": "PGPASSWORD",
    "HOST": "PGHOST",
    "PORT": "PGPORT",
}
LIBPQ_OPTIONS_ENV = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "options": "PGOPTIONS",
    "service": "PGSERVICE",
    "passfile": "PGPASSFILE",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
}
DUMP_MEMBER = {"sqlite": "database/db.sqlite3", "postgresql": "database/db.pgdump"}


@dataclass
class DatabaseSnapshot:
    vendor: str
    path: Path
    tool: str
    row_counts: dict[str, int]
    migrations: dict[str, str]


def vendor() -> str:
    return connection.vendor


def dump(target: Path) -> DatabaseSnapshot:
    if connection.vendor == "sqlite":
        return dump_sqlite(target)
    if connection.vendor == "postgresql":
        return dump_postgresql(target)
    raise BackupError(
        _("不支持的数据库类型 %(vendor)s：只能备份 SQLite 和 PostgreSQL。")
        % {"vendor": connection.vendor}
    )


def load(source: Path) -> None:
    if connection.vendor == "sqlite":
        load_sqlite(source)
    else:
        load_postgresql(source)


# --- SQLite -------------------------------------------------------------------------------------


def sqlite_tables(cursor) -> set[str]:
    cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    return {name for (name,) in cursor.fetchall()}


def dump_sqlite(target: Path) -> DatabaseSnapshot:
    connection.ensure_connection()
    if connection.in_atomic_block:
        # The backup API waits forever on a source that holds an open write transaction;
        # only a caller inside atomic() (a test) gets here: copy its own view of the database.
        target.write_bytes(connection.connection.serialize())
    else:
        # Django's own connection is the source: it also works for an in-memory database.
        with closing(sqlite3.connect(target)) as copy:
            connection.connection.backup(copy)
    with closing(sqlite3.connect(target)) as copy:
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        with closing(copy.cursor()) as cursor:
            present = sqlite_tables(cursor)
            counts = row_counts(cursor, [t for t in model_tables() if t in present])
            migrations = latest_migrations(cursor) if "django_migrations" in present else {}
    version = sqlite3.sqlite_version
    return DatabaseSnapshot("sqlite", target, f"SQLite {version} backup API", counts, migrations)


def load_sqlite(source: Path) -> None:
    """Copy the archived database over the target through the backup API (page by page into
    the target connection, so the target keeps its path, permissions and WAL setting)."""
    connection.close()
    connection.ensure_connection()
    with closing(sqlite3.connect(source)) as archived:
        archived.backup(connection.connection)
    connection.close()


# --- PostgreSQL ---------------------------------------------------------------------------------


def libpq_environment() -> dict[str, str]:
    """The connection settings of ``DATABASES['default']`` as libpq environment variables."""
    settings = connection.settings_dict
    env = {var: str(settings[key]) for key, var in LIBPQ_ENV.items() if settings.get(key)}
    for key, var in LIBPQ_OPTIONS_ENV.items():
        if settings.get("OPTIONS", {}).get(key):
            env[var] = str(settings["OPTIONS"][key])
    return env


def run_tool(command: list[str]) -> None:
    tool = shutil.which(command[0])
    if tool is None:
        raise BackupError(
            _(
                "找不到 %(tool)s：请安装与数据库服务器同版本的 PostgreSQL 客户端"
                "（Debian：postgresql-client）。"
            )
            % {"tool": command[0]}
        )
    result = subprocess.run(  # noqa: S603 - fixed program, arguments built here
        [tool, *command[1:]],
        env={**os.environ, **libpq_environment()},
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(
            _("%(tool)s 失败（退出码 %(code)s）：%(error)s")
            % {
                "tool": command[0],
                "code": result.returncode,
                "error": result.stderr.strip()[-2000:],
            }
        )


def tool_version(name: str) -> str:
    tool = shutil.which(name)
    if tool is None:
        return name
    result = subprocess.run([tool, "--version"], capture_output=True, text=True, check=False)  # noqa: S603
    return result.stdout.strip() or name


def dump_postgresql(target: Path) -> DatabaseSnapshot:
    import psycopg

    env = libpq_environment()
    conninfo = {
        "dbname": env.get("PGDATABASE"),
        "user": env.get("PGUSER"),
        "password": env.get("PGPASSWORD"),
        "host": env.get("PGHOST"),
        "port": env.get("PGPORT"),
    }
    with psycopg.connect(**{k: v for k, v in conninfo.items() if v}) as snapshot_holder:
        snapshot_holder.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        snapshot_holder.read_only = True
        with snapshot_holder.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
            present = {name for (name,) in cursor.fetchall()}
            counts = row_counts(cursor, [t for t in model_tables() if t in present])
            migrations = latest_migrations(cursor) if "django_migrations" in present else {}
            # The exporting transaction stays open until pg_dump has taken the snapshot over.
            run_tool(
                [
                    "pg_dump",
                    "--format=custom",
                    f"--snapshot={snapshot}",
                    f"--file={target}",
                    "--no-password",
                ]
            )
        snapshot_holder.rollback()
    return DatabaseSnapshot("postgresql", target, tool_version("pg_dump"), counts, migrations)


def load_postgresql(source: Path) -> None:
    """Drop the (empty) tables the target's ``migrate`` created, then restore the dump in one
    transaction: ``pg_restore`` either loads everything or nothing."""
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"DROP TABLE IF EXISTS {quote(table)} CASCADE")
    connection.close()
    run_tool(
        [
            "pg_restore",
            "--no-owner",
            "--no-acl",
            "--clean",
            "--if-exists",
            "--single-transaction",
            "--no-password",
            f"--dbname={connection.settings_dict['NAME']}",
            str(source),
        ]
    )
