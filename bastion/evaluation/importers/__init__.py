"""Excel importers of the evaluation app, found by the core registry (``<app>.importers``).

``benchmarks``: 同业对标指标, one row per station and month, one column per indicator
(``benchmarks.py``).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from bastion.core.excel import Importer, register_importer

from . import benchmarks

BENCHMARKS = "benchmarks"

register_importer(
    Importer(
        kind=BENCHMARKS,
        label=_("同业对标指标"),
        permission=benchmarks.PERMISSION,
        run=benchmarks.BenchmarksImport.run,
        columns=benchmarks.IndicatorColumns(),
        template=benchmarks.template,
        template_for=benchmarks.template_for,
        back="evaluation:benchmark_list",
    )
)
