"""The data seeds of Bastion's own migrations, replayed for tests that flush the database.

A transactional test (``transaction=True``: live servers, threads with their own connections)
empties every table when it ends, the roles, calendar rules and thresholds the migrations seeded
included; the tests after it need them back.
"""

from __future__ import annotations

from types import SimpleNamespace


def seed_default_roles() -> None:
    """Re-run the data seeds of Bastion's own migrations (roles, calendar rules, thresholds,
    guide pages): each is idempotent (update_or_create), so running them again is harmless."""
    from auditlog.context import disable_auditlog
    from django.apps import apps
    from django.db import connection
    from django.db.migrations import RunPython
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    ours = {config.label for config in apps.get_app_configs() if config.name.startswith("bastion.")}
    targets = [key for key in loader.graph.leaf_nodes() if key[0] in ours]
    plan = []
    for target in targets:
        for key in loader.graph.forwards_plan(target):
            if key[0] in ours and key not in plan:
                plan.append(key)
    # Migrations write no audit entries; neither may their replay (a later test counts them).
    # A migration that moves data looks at the database through its schema editor's connection
    # (the token migration finds no old table to copy here, and leaves).
    editor = SimpleNamespace(connection=connection)
    with disable_auditlog():
        for key in plan:
            for operation in loader.graph.nodes[key].operations:
                if isinstance(operation, RunPython):
                    operation.code(_TodaysModels(apps), editor)


class _TodaysModels:
    """Today's models under the names the old seeds knew them by: the thresholds moved from the
    agenda to the kernel with their table, and their seeds still ask the agenda for them."""

    MOVED = {("agenda", "threshold"): ("core", "Threshold")}

    def __init__(self, apps):
        self.apps = apps

    def get_model(self, app_label, model_name=None):
        if model_name is None:
            app_label, model_name = app_label.split(".")
        moved = self.MOVED.get((app_label, model_name.lower()), (app_label, model_name))
        return self.apps.get_model(*moved)
