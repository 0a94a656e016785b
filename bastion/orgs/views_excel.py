"""Pages for Excel: upload → validation with progress → preview or bad rows → commit; exports.

The import pages serve every importer in the core registry (people, organizations, dues
payments…): each names its label, permission, columns and the page to return to. An import job
belongs to the account that uploaded it: anyone else gets 404. Rows are checked against the
uploader's scope by the importer itself, on validation and again on commit.
"""

import datetime as dt

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from bastion.core.excel import XLSX_CONTENT_TYPE, get_importer
from bastion.core.forms import UploadInput
from bastion.core.job_recovery import import_job_refresh, import_job_retry
from bastion.core.models import ImportJob
from bastion.core.scope import has_permission_anywhere

from .filters import OrganizationFilter
from .importers import (
    export_organizations_xlsx,
    export_people_xlsx,
    import_job_commit,
    import_job_create,
)
from .models import Organization, Person
from .views_people import roster_filter

IN_PROGRESS = (ImportJob.Status.VALIDATING, ImportJob.Status.QUEUED, ImportJob.Status.RUNNING)
ACTIONS = {
    "create": _l("新增"),
    "update": _l("更新"),
    "unchanged": _l("不变"),
    "error": _l("有错误"),
}


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_l("Excel 文件（.xlsx 或 .csv）"),
        widget=UploadInput(attrs={"class": "form-control", "accept": ".xlsx,.csv,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.BASTION_MAX_UPLOAD_BYTES
        if upload.size > limit:
            raise ValidationError(
                _("文件大小为 %(size).1f MB，超过了上限 %(max).1f MB；请分成多个文件导入。")
                % {"size": upload.size / 1048576, "max": limit / 1048576}
            )
        return upload


def _importer_for(request, kind: str):
    """The importer of ``kind`` if the user may import it somewhere; 404 otherwise."""
    try:
        importer = get_importer(kind)
    except LookupError:
        raise Http404 from None
    if not has_permission_anywhere(request.user, importer.permission):
        raise Http404
    return importer


def _own_job(request, pk) -> ImportJob:
    """The user's own job as it stands now (a run whose worker died is failed on reading)."""
    return import_job_refresh(get_object_or_404(ImportJob, pk=pk, created_by=request.user))


def _polling(job: ImportJob) -> bool:
    """Whether the page keeps asking: only while the job runs, and never past a bound."""
    if not job.in_progress:
        return False
    since = job.queued_at or job.created_at
    bound = dt.timedelta(minutes=settings.BASTION_JOB_POLL_MAX_MINUTES)
    return timezone.now() - since < bound


def _xlsx_response(content: bytes, filename: str) -> HttpResponse:
    return HttpResponse(
        content,
        content_type=XLSX_CONTENT_TYPE,
        headers={"Content-Disposition": content_disposition_header(True, filename)},
    )


def _dated(name: str) -> str:
    return f"{name}-{timezone.localdate():%Y%m%d}.xlsx"


@login_required
def import_start(request, kind):
    importer = _importer_for(request, kind)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = import_job_create(
                actor=request.user, kind=kind, uploaded_file=form.cleaned_data["file"]
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        return redirect("orgs:import_job", pk=job.pk)
    recent = ImportJob.objects.filter(created_by=request.user, kind=kind)[:5]
    return render(
        request,
        "orgs/excel/start.html",
        {"form": form, "kind": kind, "importer": importer, "recent": recent, "back": importer.back},
    )


@login_required
def import_template(request, kind):
    importer = _importer_for(request, kind)
    template = importer.template_of(request.user)
    return _xlsx_response(template, f"{importer.label}-{_('导入模板')}.xlsx")


@login_required
def import_job(request, pk):
    job = _own_job(request, pk)
    importer = get_importer(job.kind)
    headers = [c.header for c in importer.columns]
    context = {
        "job": job,
        "importer": importer,
        "in_progress": job.status in IN_PROGRESS,
        "polling": _polling(job),
        "back": importer.back,
        "headers": [h for h in headers if any(h in row for row in job.preview)],
    }
    context["preview"] = [
        {
            "row": row.get("_row"),
            "action": row.get("_action"),
            "action_label": ACTIONS.get(row.get("_action"), ""),
            "cells": [row.get(h, "") for h in context["headers"]],
        }
        for row in job.preview
    ]
    return render(request, "orgs/excel/job.html", context)


@login_required
def import_progress(request, pk):
    """htmx fragment polled every second; once the job leaves the queue the page reloads."""
    job = _own_job(request, pk)
    response = render(request, "orgs/excel/_progress.html", {"job": job, "polling": _polling(job)})
    if job.status not in IN_PROGRESS:
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def import_retry(request, pk):
    """Run a failed job again from its stored file (its creator only: others get 404)."""
    job = _own_job(request, pk)
    _importer_for(request, job.kind)
    try:
        import_job_retry(actor=request.user, job=job)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("orgs:import_job", pk=job.pk)


@login_required
@require_POST
def import_commit(request, pk):
    job = _own_job(request, pk)
    _importer_for(request, job.kind)
    try:
        import_job_commit(actor=request.user, job=job)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("orgs:import_job", pk=job.pk)


@login_required
def person_export(request):
    if not has_permission_anywhere(request.user, "orgs.export_person"):
        raise Http404
    base = Person.objects.restrict(request.user, "export")
    people = roster_filter(request, base).qs
    return _xlsx_response(export_people_xlsx(people, actor=request.user), _dated(_("人员名册")))


@login_required
def org_export(request):
    if not has_permission_anywhere(request.user, "orgs.export_organization"):
        raise Http404
    base = Organization.objects.restrict(request.user, "export")
    orgs = OrganizationFilter(request.GET, queryset=base, request=request).qs
    return _xlsx_response(export_organizations_xlsx(orgs, actor=request.user), _dated(_("组织")))
