"""Upgrade check: a database built by an earlier release migrates forward and keeps every row.

    .venv/bin/python scripts/upgrade_check.py [REF]    # REF: a commit, default the last release
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python scripts/upgrade_check.py HEAD             # on a PostgreSQL server

1. checks REF out into a scratch folder, installs it with its own lock and builds its demo company
   (``migrate`` then ``seed_demo``) into a scratch database: a SQLite file, or, when DATABASE_URL
   names a PostgreSQL server, a new database ``bastion_upgrade_<random>`` on that server (created
   with the URL's credentials, dropped at the end unless ``--keep``);
   (``--template NAME``: instead, copies the PostgreSQL database NAME, e.g. a copy of production
   restored from last night's backup, into the scratch database, so that the time measured is
   the one the real data will take);
2. counts the rows of every table;
3. migrates that database with this checkout's migrations, timed, and counts again;
4. prints the migrate time and each table that lost rows or disappeared, and exits 1 if any did
   (a data migration may add rows: those are listed, not failed).

A model that moved between apps took its rows to a renamed table: ``RENAMED`` maps the old
table name to the new one. Tables this checkout adds are listed as new. Nothing is written
outside the scratch folder and the scratch database. docs/deploy.md ("升级") reports the time
measured on PostgreSQL.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_REF = "d50c563"  # the release before the kernel moved into core
RENAMED = {  # moved to core with their rows
    "agenda_notification": "core_notification",
    "agenda_threshold": "core_threshold",
    "authtoken_token": "core_apitoken",  # DRF's plain-key tokens, copied as digests (core.0004)
}


class SqliteDatabase:
    def __init__(self, scratch: Path):
        self.path = scratch / "release.sqlite3"
        self.url = f"sqlite:///{self.path}"

    def create(self) -> None:
        pass

    def drop(self) -> None:
        pass

    def counts(self) -> dict[str, int]:
        with sqlite3.connect(self.path) as connection:
            tables = [
                name
                for (name,) in connection.execute(
                    "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
                )
            ]
            return {
                t: connection.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables
            }


class PostgresDatabase:
    """A scratch database on the server of ``server_url`` (its own database is left alone)."""

    def __init__(self, server_url: str, template: str | None = None):
        parts = urlsplit(server_url)
        self.server_url = server_url
        self.template = template
        self.name = f"bastion_upgrade_{secrets.token_hex(4)}"
        self.url = urlunsplit(parts._replace(path=f"/{self.name}"))

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.server_url, autocommit=True) as connection:
            connection.execute(sql)

    def create(self) -> None:
        template = f' TEMPLATE "{self.template}"' if self.template else ""
        self._admin(f'CREATE DATABASE "{self.name}"{template}')

    def drop(self) -> None:
        self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def counts(self) -> dict[str, int]:
        import psycopg

        with psycopg.connect(self.url) as connection:
            tables = [
                name
                for (name,) in connection.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                )
            ]
            return {
                t: connection.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables
            }


def run(command: list[str], cwd: Path, database_url: str) -> None:
    env = {**os.environ, "DATABASE_URL": database_url}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    subprocess.run(command, cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL)


def build_release(ref: str, scratch: Path, database_url: str) -> None:
    checkout = scratch / "release"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(checkout)], check=True)
    subprocess.run(["git", "checkout", "--quiet", ref], cwd=checkout, check=True)
    subprocess.run(["make", "--quiet", "install"], cwd=checkout, check=True)
    python = str(checkout / ".venv" / "bin" / "python")
    run([python, "manage.py", "migrate", "--noinput"], checkout, database_url)
    run([python, "manage.py", "seed_demo"], checkout, database_url)


def compare(before: dict[str, int], after: dict[str, int]) -> list[str]:
    problems = []
    for table, count in sorted(before.items()):
        if table == "django_migrations":
            continue
        now = RENAMED.get(table, table)
        if now not in after:
            problems.append(f"{table}: {count} rows before, table gone")
        elif after[now] < count:
            problems.append(f"{table}: {count} rows before, {after[now]} in {now} after")
    return problems


def load() -> str:
    return " ".join(f"{n:.2f}" for n in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ref", nargs="?", default=DEFAULT_REF)
    parser.add_argument("--keep", action="store_true", help="keep the scratch PostgreSQL database")
    parser.add_argument("--template", help="copy this PostgreSQL database instead of building REF")
    args = parser.parse_args()
    server_url = os.environ.get("DATABASE_URL", "")
    postgres = server_url.startswith(("postgres://", "postgresql://"))
    with tempfile.TemporaryDirectory(prefix="bastion-upgrade-") as folder:
        scratch = Path(folder)
        if args.template and not postgres:
            parser.error("--template needs DATABASE_URL to name a PostgreSQL server")
        if postgres:
            database = PostgresDatabase(server_url, args.template)
        else:
            database = SqliteDatabase(scratch)
        database.create()
        try:
            if args.template:
                print(f"copied {args.template} into {database.url}", flush=True)
            else:
                print(f"building the demo of {args.ref} into {database.url} …", flush=True)
                build_release(args.ref, scratch, database.url)
            before = database.counts()
            print("migrating it forward …", flush=True)
            started = time.monotonic()
            run([sys.executable, "manage.py", "migrate", "--noinput"], ROOT, database.url)
            seconds = time.monotonic() - started
            started = time.monotonic()  # a second run has nothing to do: Django's start-up
            run([sys.executable, "manage.py", "migrate", "--noinput"], ROOT, database.url)
            startup = time.monotonic() - started
            after = database.counts()
        finally:
            if not (postgres and args.keep):
                database.drop()
    problems = compare(before, after)
    kept = sum(count for table, count in before.items() if table != "django_migrations")
    new_tables = sorted(set(after) - set(before) - set(RENAMED.values()))
    engine = "PostgreSQL" if postgres else "SQLite"
    source = args.template or f"the demo of {args.ref}"
    print(f"{len(before) - 1} tables, {kept:,} rows in {source} ({engine})")
    print(
        f"migrate: {seconds:.1f} s, of which {startup:.1f} s Django's start-up "
        f"(a run with nothing to do); load average {load()}"
    )
    if new_tables:
        print("new tables: " + ", ".join(new_tables))
    for table in sorted(set(before) & set(after)):
        if after[table] > before[table] and table != "django_migrations":
            print(f"added: {table} {before[table]} → {after[table]}")
    for line in problems:
        print("LOST " + line)
    print("every row kept" if not problems else f"{len(problems)} tables lost rows")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
