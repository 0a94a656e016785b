"""The problem list in Excel: the import columns first, then what the system adds.

The queryset must already be restricted to the actor's scope and filtered."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _l

from bastion.core.excel import Column, build_workbook

from . import selectors
from .importers.problems import COLUMNS
from .models import Category, Library, State, Tier

EXPORT_COLUMNS = (
    Column("pk", "问题编号", informative=True, width=10),
    *COLUMNS,
    Column("organization_name", "组织名称", informative=True, width=24),
    Column("responsible_name", "责任人", informative=True, width=10),
    Column("library", "问题库", informative=True, width=18),
    Column("owner", "问题库归属组织", informative=True, width=20),
    Column("recurring", "反复出现", informative=True, width=10),
    Column("state", "整改状态", informative=True, width=12),
    Column("colour", "时限状态", informative=True, width=12),
)
NOTES = (_l("导出范围为您有权导出的问题，并按页面上的筛选条件过滤。"),)


def problems_xlsx(problems) -> bytes:
    win = selectors.windows()
    rows = selectors.for_list(problems).order_by("organization__path", "-found_on", "id")
    categories, tiers = dict(Category.choices), dict(Tier.choices)
    libraries, states = dict(Library.choices), dict(State.choices)

    def line(p):
        level = selectors.colour(p, win)
        return [
            p.pk,
            p.inspection_id or "",
            p.description,
            p.organization.code,
            str(categories[p.category]),
            f"{p.tier} {tiers[p.tier]}",
            p.responsible_org.code,
            p.responsible_person.employee_no if p.responsible_person else "",
            p.measures,
            p.deadline,
            p.found_on,
            p.organization.name,
            p.responsible_person.name if p.responsible_person else "",
            str(libraries[p.library]),
            p.owner.name,
            "是" if p.recurring else "否",
            str(states[p.state]),
            str(selectors.LEVEL_LABELS[level]),
        ]

    return build_workbook(
        title="问题清单",
        columns=EXPORT_COLUMNS,
        rows=(line(p) for p in rows.iterator(chunk_size=1000)),
        notes=NOTES,
    )
