"""Where each benchmark database lives: SQLite files under bench/data/ (the target), or PostgreSQL.

A database has a name (``small``, ``large``, ``job-<name>``); ``env(name)`` is what a process needs
in its environment to use it with ``bastion.settings_bench``.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

# BENCH_DATA_DIR lets several checkouts (or people) measure side by side without sharing files.
DATA = Path(os.environ.get("BENCH_DATA_DIR") or Path(__file__).resolve().parent / "data")


class SqliteDatabases:
    vendor = "sqlite"

    def path(self, name: str) -> Path:
        return DATA / f"{name}.sqlite3"

    def env(self, name: str) -> dict[str, str]:
        return {"BENCH_DB": str(self.path(name))}

    def clone(self, source: str, target: str) -> None:
        """A consistent copy even of a WAL database, through SQLite's backup API."""
        self.drop(target)
        with sqlite3.connect(self.path(source)) as src, sqlite3.connect(self.path(target)) as dst:
            src.backup(dst)
        src.close()
        dst.close()

    def drop(self, name: str) -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.path(name)}{suffix}").unlink(missing_ok=True)

    def describe(self) -> str:
        return f"SQLite files in {DATA}"


class PostgresDatabases:
    """``BENCH_DATABASE_URL`` names a base database; each benchmark database gets a suffix."""

    vendor = "postgresql"

    def __init__(self, url: str):
        self.parts = urlsplit(url)
        self.base = self.parts.path.lstrip("/") or "bastion_bench"

    def db_name(self, name: str) -> str:
        return f"{self.base}_{name.replace('-', '_')}"

    def url(self, db: str) -> str:
        return urlunsplit(self.parts._replace(path=f"/{db}"))

    def env(self, name: str) -> dict[str, str]:
        return {"BENCH_DATABASE_URL": self.url(self.db_name(name))}

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(sql)

    def create_if_missing(self, name: str) -> None:
        import psycopg

        db = self.db_name(name)
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db]).fetchone()
            if not found:
                conn.execute(f'CREATE DATABASE "{db}"')

    def clone(self, source: str, target: str) -> None:
        self.drop(target)
        # FILE_COPY (PostgreSQL 15+): copy the files after a checkpoint instead of logging every
        # block to WAL; the national dataset (gigabytes) clones in seconds instead of minutes.
        self._admin(
            f'CREATE DATABASE "{self.db_name(target)}" TEMPLATE "{self.db_name(source)}"'
            + (" STRATEGY FILE_COPY" if self._server_version() >= 150000 else "")
        )

    def _server_version(self) -> int:
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            return conn.info.server_version

    def drop(self, name: str) -> None:
        self._admin(f'DROP DATABASE IF EXISTS "{self.db_name(name)}" WITH (FORCE)')

    def describe(self) -> str:
        return f"PostgreSQL databases {self.base}_<size> at {self.parts.hostname}"


def databases():
    url = os.environ.get("BENCH_DATABASE_URL")
    return PostgresDatabases(url) if url else SqliteDatabases()
