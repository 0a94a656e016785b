"""Excel import and export of people and of the organization tree: the public API.

``run_import`` validates a whole workbook and, when every row is good and ``dry_run`` is false,
writes it in one transaction. Pages and the API go through ``import_job_create`` /
``import_job_commit``, which run the same importers as background jobs with progress.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from bastion.core.excel import Importer, ImportResult, get_importer, register_importer
from bastion.core.jobs import import_job_commit, import_job_create

from . import organizations, people

__all__ = [
    "ImportResult",
    "export_organizations_xlsx",
    "export_people_xlsx",
    "import_job_commit",
    "import_job_create",
    "run_import",
    "template_xlsx",
]

register_importer(
    Importer(
        kind="people",
        label=_("人员名册"),
        permission="orgs.import_person",
        run=people.PeopleImport.run,
        columns=people.COLUMNS,
        template=people.template,
        back="orgs:person_list",
    )
)
register_importer(
    Importer(
        kind="organizations",
        label=_("组织"),
        permission="orgs.import_organization",
        run=organizations.OrganizationImport.run,
        columns=organizations.COLUMNS,
        template=organizations.template,
        back="orgs:tree",
    )
)


def run_import(*, kind: str, actor, file, dry_run: bool = False, progress=None) -> ImportResult:
    """Validate ``file`` (an upload, a binary file object or a path) and write it unless refused.

    ``progress(processed, total)`` is called every thousand rows during validation.
    """
    return get_importer(kind).run(actor=actor, file=file, dry_run=dry_run, progress=progress)


def export_people_xlsx(queryset, *, actor) -> bytes:
    """``queryset`` must already be restricted and filtered by the caller."""
    return people.export(queryset, actor=actor)


def export_organizations_xlsx(queryset, *, actor) -> bytes:
    return organizations.export(queryset, actor=actor)


def template_xlsx(kind: str) -> bytes:
    return get_importer(kind).template()
