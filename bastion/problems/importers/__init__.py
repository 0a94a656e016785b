"""Excel importers of the problems app, found by the core registry (``<app>.importers``).

``problems``: the problems of an inspection report, one per row (``problems.py``).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from bastion.core.excel import Importer, register_importer

from . import problems

PROBLEMS = "problems"

register_importer(
    Importer(
        kind=PROBLEMS,
        label=_("问题清单"),
        permission=problems.PERMISSION,
        run=problems.ProblemsImport.run,
        columns=problems.COLUMNS,
        template=problems.template,
        back="problems:problem_list",
    )
)
