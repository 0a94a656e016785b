"""Dues in Excel: the export of a branch's ledger, and the way into the import.

The import itself runs on the shared import pages (``orgs:import_start`` with the kind
``dues_payments``): upload → validation with progress → bad rows or preview → commit.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from bastion.core.excel import XLSX_CONTENT_TYPE, get_importer
from bastion.core.scope import has_permission_anywhere
from bastion.orgs.models import Person

from ..importers import DUES_PAYMENTS, export_payments_xlsx
from ..models import DuesPayment
from ..selectors_dues import ledger_people
from .dues import VIEW, scoped_org, selected_year


def _importer(request):
    importer = get_importer(DUES_PAYMENTS)
    if not has_permission_anywhere(request.user, importer.permission):
        raise Http404
    return importer


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    return HttpResponse(
        content,
        content_type=XLSX_CONTENT_TYPE,
        headers={"Content-Disposition": content_disposition_header(True, filename)},
    )


@login_required
def dues_import(request):
    """The sidebar's 导入党费: the shared import pages, for this kind."""
    _importer(request)
    return redirect("orgs:import_start", kind=DUES_PAYMENTS)


@login_required
def dues_export(request):
    """The branch's payments of the year, in the import template's layout."""
    user, year = request.user, selected_year(request)
    branch = scoped_org(request, VIEW, branch=True)
    people = ledger_people(branch, year, Person.objects.restrict(user, "view"))
    payments = (
        DuesPayment.objects.restrict(user, "view")
        .filter(month__year=year)
        .filter(Q(organization=branch) | Q(person__in=people.values("pk")))
    )
    content = export_payments_xlsx(payments, actor=user)
    return _xlsx(content, f"{_('党费缴纳')}-{branch.name}-{year}.xlsx")
