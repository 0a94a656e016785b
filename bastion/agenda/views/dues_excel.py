"""Dues in Excel: template, export of a branch's ledger, and the import through the core's job
flow (upload → validation with progress → bad rows or preview → commit, all or nothing).

The core's job pages in ``orgs`` serve only their own kinds, so these few views drive the same
``ImportJob`` for the kind ``dues_payments``. A job belongs to its uploader: others get 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from bastion.core.excel import XLSX_CONTENT_TYPE, get_importer
from bastion.core.models import ImportJob
from bastion.core.scope import has_permission_anywhere
from bastion.core.tasks import import_job_commit, import_job_create
from bastion.orgs.models import Person

from ..forms_dues import UploadForm
from ..importers import DUES_PAYMENTS, export_payments_xlsx, template_xlsx
from ..models import DuesPayment
from ..selectors_dues import ledger_people
from .dues import VIEW, scoped_org, selected_year

IN_PROGRESS = (ImportJob.Status.VALIDATING, ImportJob.Status.QUEUED, ImportJob.Status.RUNNING)
ACTIONS = {"create": _l("新增"), "error": _l("有错误")}


def _importer(request):
    importer = get_importer(DUES_PAYMENTS)
    if not has_permission_anywhere(request.user, importer.permission):
        raise Http404
    return importer


def _own_job(request, pk) -> ImportJob:
    return get_object_or_404(ImportJob, pk=pk, created_by=request.user, kind=DUES_PAYMENTS)


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    return HttpResponse(
        content,
        content_type=XLSX_CONTENT_TYPE,
        headers={"Content-Disposition": content_disposition_header(True, filename)},
    )


@login_required
def dues_import_template(request):
    importer = _importer(request)
    return _xlsx(template_xlsx(), f"{importer.label}-{_('导入模板')}.xlsx")


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


@login_required
def dues_import(request):
    importer = _importer(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = import_job_create(
                actor=request.user, kind=DUES_PAYMENTS, uploaded_file=form.cleaned_data["file"]
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        return redirect("agenda:dues_import_job", pk=job.pk)
    recent = ImportJob.objects.filter(created_by=request.user, kind=DUES_PAYMENTS)[:5]
    return render(
        request,
        "agenda/dues/import_start.html",
        {"form": form, "importer": importer, "recent": recent},
    )


@login_required
def dues_import_job(request, pk):
    job = _own_job(request, pk)
    importer = get_importer(job.kind)
    headers = [c.header for c in importer.columns]
    headers = [h for h in headers if any(h in row for row in job.preview)]
    preview = [
        {
            "row": row.get("_row"),
            "action": row.get("_action"),
            "action_label": ACTIONS.get(row.get("_action"), ""),
            "cells": [row.get(h, "") for h in headers],
        }
        for row in job.preview
    ]
    return render(
        request,
        "agenda/dues/import_job.html",
        {
            "job": job,
            "importer": importer,
            "in_progress": job.status in IN_PROGRESS,
            "headers": headers,
            "preview": preview,
        },
    )


@login_required
def dues_import_progress(request, pk):
    """htmx fragment polled every second; once the job leaves the queue the page reloads."""
    job = _own_job(request, pk)
    response = render(request, "agenda/dues/_import_progress.html", {"job": job})
    if job.status not in IN_PROGRESS:
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def dues_import_commit(request, pk):
    job = _own_job(request, pk)
    _importer(request)
    try:
        import_job_commit(actor=request.user, job=job)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("agenda:dues_import_job", pk=job.pk)
