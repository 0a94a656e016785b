"""Upgrade check: a database built by an earlier release migrates forward and keeps every row.

    .venv/bin/python scripts/upgrade_check.py [REF]    # REF: a commit, default the last release

1. checks REF out into a scratch folder, installs it with its own lock and builds its demo company
   (``migrate`` then ``seed_demo``) into a scratch SQLite file;
2. counts the rows of every table;
3. migrates that file with this checkout's migrations and counts again;
4. prints each table that lost rows or disappeared, and exits 1 if any did (a data migration
   may add rows: those are listed, not failed).

A model that moved between apps took its rows to a renamed table: ``RENAMED`` maps the old
table name to the new one. Tables this checkout adds are listed as new. Nothing is written
outside the scratch folder.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_REF = "d50c563"  # the release before the kernel moved into core
RENAMED = {  # moved to core with their rows
    "agenda_notification": "core_notification",
    "agenda_threshold": "core_threshold",
    "authtoken_token": "core_apitoken",  # DRF's plain-key tokens, copied as digests (core.0004)
}


def run(command: list[str], cwd: Path, database: Path) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    subprocess.run(command, cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL)


def counts(database: Path) -> dict[str, int]:
    with sqlite3.connect(database) as connection:
        tables = [
            name
            for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {t: connection.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}


def build_release(ref: str, scratch: Path, database: Path) -> None:
    checkout = scratch / "release"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(checkout)], check=True)
    subprocess.run(["git", "checkout", "--quiet", ref], cwd=checkout, check=True)
    subprocess.run(["make", "--quiet", "install"], cwd=checkout, check=True)
    python = str(checkout / ".venv" / "bin" / "python")
    run([python, "manage.py", "migrate", "--noinput"], checkout, database)
    run([python, "manage.py", "seed_demo"], checkout, database)


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ref", nargs="?", default=DEFAULT_REF)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bastion-upgrade-") as folder:
        scratch = Path(folder)
        database = scratch / "release.sqlite3"
        print(f"building the demo of {args.ref} …", flush=True)
        build_release(args.ref, scratch, database)
        before = counts(database)
        print("migrating it forward …", flush=True)
        run([sys.executable, "manage.py", "migrate", "--noinput"], ROOT, database)
        after = counts(database)
    problems = compare(before, after)
    kept = sum(count for table, count in before.items() if table != "django_migrations")
    new_tables = sorted(set(after) - set(before) - set(RENAMED.values()))
    print(f"{len(before) - 1} tables, {kept:,} rows in the release's demo")
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
