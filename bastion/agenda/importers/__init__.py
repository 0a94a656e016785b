"""Excel importers of the agenda app, found by the core registry (``<app>.importers``).

``dues_payments``: one member's dues for one month per row (``payments.py``).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from bastion.core.excel import Importer, ImportResult, get_importer, register_importer

from . import payments

DUES_PAYMENTS = "dues_payments"

__all__ = ["DUES_PAYMENTS", "export_payments_xlsx", "run_import", "template_xlsx"]

register_importer(
    Importer(
        kind=DUES_PAYMENTS,
        label=_("党费缴纳"),
        permission=payments.PERMISSION,
        run=payments.PaymentsImport.run,
        columns=payments.COLUMNS,
        template=payments.template,
        back="agenda:dues_ledger",
    )
)


def run_import(*, actor, file, dry_run: bool = False, progress=None) -> ImportResult:
    """Validate ``file`` and write it unless any row is refused (all or nothing)."""
    return get_importer(DUES_PAYMENTS).run(
        actor=actor, file=file, dry_run=dry_run, progress=progress
    )


def export_payments_xlsx(payments_qs, *, actor) -> bytes:
    """``payments`` must already be restricted to the actor's scope and filtered."""
    return payments.export(payments_qs, actor=actor)


def template_xlsx() -> bytes:
    return get_importer(DUES_PAYMENTS).template()
