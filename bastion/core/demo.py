"""The demo registry behind ``manage.py seed_demo``.

Core knows no domain app, so every installed app that has a demo part ships a module
``<app>.demo`` with:

- ``DEMO_ORDER: int`` — when it runs, lowest first, so that what a part builds on exists: orgs
  is 10; suggested for the others: agenda 20, partnership 30, secretaries 40, tasks 50,
  problems 60, fieldwork 70, evaluation 80 (it scores what the others recorded), cockpit 90;
- ``build_demo(ctx: DemoContext) -> None`` — adds the app's rows. It must be deterministic (draw
  only from ``ctx.rng(name)`` and dates relative to ``ctx.today``) and idempotent: on a second run
  it creates nothing and changes nothing (look rows up by a natural key, or detect that the part
  is already built and skip it);
- optionally ``has_data() -> bool`` — True when the database already holds the app's data (real
  or demo); ``seed_demo --if-empty`` does nothing when any module says so.

Builders hand each other what they built through ``ctx.publish(key, value)`` and
``ctx.require(key)``: the organization builder publishes ``"orgs"`` (the demo company's nodes and
accounts), on every run, so later builders can find their footing on a second run as well.
"""

from __future__ import annotations

import datetime as dt
import importlib
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.module_loading import module_has_submodule

DEMO_PASSWORD = "bastion-demo"  # noqa: S105 - the documented password of the demo accounts
SEED = "bastion-demo"


@dataclass(frozen=True)
class DemoModule:
    label: str
    order: int
    build: Callable[[DemoContext], None]
    has_data: Callable[[], bool] | None


@dataclass
class DemoLine:
    label: str
    total: int
    created: int | None  # None: a figure derived from other lines, nothing created as such


@dataclass
class DemoLogin:
    username: str
    description: str


@dataclass
class DemoContext:
    """What every builder receives: the day, seeded randomness, shared results, the report."""

    today: dt.date = field(default_factory=timezone.localdate)
    lines: list[DemoLine] = field(default_factory=list)
    logins: list[DemoLogin] = field(default_factory=list)
    shared: dict[str, Any] = field(default_factory=dict)

    def rng(self, name: str) -> random.Random:
        """A random source of its own per builder (or per part of one), seeded by name.

        Separate sources keep one module's data unchanged when another module is added or
        changes how much randomness it draws. String seeds hash the same on every machine.
        """
        return random.Random(f"{SEED}/{name}")

    def publish(self, key: str, value: Any) -> None:
        self.shared[key] = value

    def require(self, key: str) -> Any:
        try:
            return self.shared[key]
        except KeyError:
            raise ImproperlyConfigured(
                f"demo part {key!r} is not built yet: check the DEMO_ORDER of the modules"
            ) from None

    def report(self, label: str, *, total: int, created: int | None = None) -> None:
        self.lines.append(DemoLine(label, total, created))

    def login(self, username: str, description: str) -> None:
        self.logins.append(DemoLogin(username, description))


def discover() -> list[DemoModule]:
    """Every installed app's ``demo`` module that defines ``build_demo``, in DEMO_ORDER."""
    found = []
    for app_config in apps.get_app_configs():
        if not module_has_submodule(app_config.module, "demo"):
            continue
        module = importlib.import_module(f"{app_config.name}.demo")
        if not hasattr(module, "build_demo"):
            continue  # this registry itself, or a third-party app's unrelated module
        found.append(_describe(app_config.label, module))
    return sorted(found, key=lambda m: (m.order, m.label))


def _describe(label: str, module: ModuleType) -> DemoModule:
    order = getattr(module, "DEMO_ORDER", None)
    if not isinstance(order, int):
        raise ImproperlyConfigured(f"{module.__name__} defines build_demo but no DEMO_ORDER int")
    return DemoModule(label, order, module.build_demo, getattr(module, "has_data", None))


def database_has_data(modules: list[DemoModule]) -> bool:
    return any(m.has_data() for m in modules if m.has_data is not None)


def build(modules: list[DemoModule], ctx: DemoContext | None = None) -> DemoContext:
    """Run the builders in order, in one transaction, with the audit log off.

    A demo load is not a change made by a user: the audit log would only fill up with thousands
    of entries nobody made, and writing them would make the load several times slower.
    """
    from auditlog.context import disable_auditlog
    from django.db import transaction

    ctx = ctx or DemoContext()
    with transaction.atomic(), disable_auditlog():
        for module in modules:
            module.build(ctx)
    return ctx


# --- fast writes for the builders ---------------------------------------------------------------
# Django's bulk_update builds one CASE expression per field and row, and bulk_create prepares
# every value through the query compiler: for the demo's tens of thousands of rows that is most
# of its load time. These write the same rows with one prepared statement run for all of them
# (executemany). No signals are sent, as with bulk_create and bulk_update.


def rows_update(objs: list, fields: list[str]) -> None:
    """``Model.objects.bulk_update(objs, fields)`` in one executemany UPDATE by primary key."""
    if not objs:
        return
    from django.db import connection

    meta = type(objs[0])._meta
    columns = [meta.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    sql = "UPDATE {} SET {} WHERE {} = %s".format(
        quote(meta.db_table),
        ", ".join(f"{quote(field.column)} = %s" for field in columns),
        quote(meta.pk.column),
    )
    values = [
        [field.get_db_prep_save(getattr(obj, field.attname), connection) for field in columns]
        + [obj.pk]
        for obj in objs
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, values)


def rows_insert(objs: list) -> None:
    """``Model.objects.bulk_create(objs)`` in one executemany INSERT, for rows whose primary
    keys the builder does not need afterwards (they are not set on ``objs``). Field defaults
    and ``auto_now`` stamps apply as in bulk_create (each field's ``pre_save``)."""
    if not objs:
        return
    from django.db import connection

    meta = type(objs[0])._meta
    columns = [field for field in meta.concrete_fields if field is not meta.auto_field]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(meta.db_table),
        ", ".join(quote(field.column) for field in columns),
        ", ".join(["%s"] * len(columns)),
    )
    values = [
        [field.get_db_prep_save(field.pre_save(obj, True), connection) for field in columns]
        for obj in objs
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, values)
