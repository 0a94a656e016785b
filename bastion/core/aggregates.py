"""The registry of precomputed aggregates: what pages read instead of scanning a whole subtree.

An app that keeps an aggregate (counts per organization and subtree, a roll-up per year …)
maintains it incrementally as rows change, and declares on its AppConfig how to rebuild it from
scratch, without importing any other app::

    aggregate_rebuilders = ["bastion.orgs.services.counts.member_counts_rebuild"]  # () -> dict

``rebuild_aggregates()`` runs them in the order of ``INSTALLED_APPS``: after a restore, a bulk
load that bypassed the services (the benchmark's dataset, a data migration), or to repair drift
(``manage.py rebuild_aggregates``). A rebuild is idempotent and reports what it wrote.
"""

from __future__ import annotations

from django.apps import apps
from django.utils.module_loading import import_string


def aggregate_rebuilders() -> list[tuple[str, object]]:
    return [
        (dotted, import_string(dotted))
        for config in apps.get_app_configs()
        for dotted in getattr(config, "aggregate_rebuilders", ())
    ]


def rebuild_aggregates() -> dict[str, dict]:
    """``{rebuilder's dotted path: what it reported}``, every rebuilder run once."""
    return {dotted: rebuild() or {} for dotted, rebuild in aggregate_rebuilders()}
