"""The benchmark dataset's database side: fast bulk inserts (``COPY`` on PostgreSQL) and the
``bench_meta`` table that says which generator version a database holds. Split from
``bench/dataset.py``, which decides what the rows are."""

from __future__ import annotations

import json


def insert_rows(model, rows: list[dict], batch: int = 5000) -> None:
    """``bulk_create`` without model instances, several times faster: PostgreSQL gets ``COPY``,
    SQLite one executemany per batch.

    Columns missing from the rows get the field's default (``now`` for auto_now fields); values go
    through the backend's adaptation (dates; JSON as text on SQLite, jsonb on PostgreSQL), as the
    ORM would do. Rows are encoded a batch at a time, so 600,000 people never exist twice.
    """
    from django.db import connection

    if not rows:
        return
    fields = [f for f in model._meta.concrete_fields if f.attname in rows[0] or not f.primary_key]
    encode = row_encoder(fields)
    quote = connection.ops.quote_name
    table, columns = quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY: one stream instead of a statement per row (the national size's 600,000 people)
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(encode(row))
            return
        sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"
        for start in range(0, len(rows), batch):
            cursor.executemany(sql, [encode(row) for row in rows[start : start + batch]])


def row_encoder(fields):
    """A function turning a row dict into the tuple of database values of ``fields``."""
    from django.db import connection
    from django.db.models import DateField, DateTimeField, JSONField
    from django.utils import timezone

    now = timezone.now()
    getters = [value_getter(f, now) for f in fields]
    adapt = {
        DateTimeField: connection.ops.adapt_datetimefield_value,
        DateField: connection.ops.adapt_datefield_value,
    }
    adapters = [next((a for t, a in adapt.items() if isinstance(f, t)), None) for f in fields]
    adapters = [  # JSON columns take the backend's own encoding (text on SQLite, jsonb on PG)
        (lambda v, f=f: f.get_db_prep_save(v, connection)) if isinstance(f, JSONField) else a
        for f, a in zip(fields, adapters, strict=True)
    ]
    pairs = list(zip(getters, adapters, strict=True))
    return lambda row: tuple(a(g(row)) if a else g(row) for g, a in pairs)


def value_getter(field, now):
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return lambda row: row.get(field.attname, now)
    default = field.get_default()
    return lambda row: row.get(field.attname, default)


def read_meta() -> dict | None:
    """The stored version and manifest, or None when the database is empty or half-built."""
    from django.db import connection

    if "bench_meta" not in connection.introspection.table_names():
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT key, value FROM bench_meta")
        meta = dict(cursor.fetchall())
    return {"version": meta.get("version"), "manifest": json.loads(meta.get("manifest", "{}"))}


def write_meta(version_hash: str, manifest: dict):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_meta (key varchar(40) PRIMARY KEY, value text)")
        cursor.execute(
            "INSERT INTO bench_meta (key, value) VALUES (%s, %s), (%s, %s)",
            ["version", version_hash, "manifest", json.dumps(manifest)],
        )


def reset_sequences():
    from django.apps import apps
    from django.core.management.color import no_style
    from django.db import connection

    # Every app's builder inserts explicit ids somewhere: a sequence left behind would make the
    # first row a page or the API creates (load_50 writes problems) collide with an id in use.
    models = apps.get_models()
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)
