"""Bulletin pages (通报晾晒): the list with the request form, a bulletin's progress, downloads.

Scope: bulletins are listed and shown through ``Bulletin.objects.restrict(user, "view")``
(``problems.view_bulletin`` over the bulletin's organization); anything else is 404. The form
offers the nodes where the user holds ``problems.generate_bulletin`` (from ``nearby_choices``);
a node outside that scope is refused with 404 by the service. The detail page polls its status
fragment with htmx until the job is done; the preview is read back from the generated workbook,
so it shows exactly what was issued (and costs no query).
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bastion.core.forms import BootstrapFormMixin
from bastion.core.scope import grant, has_permission_anywhere
from bastion.orgs.models import Organization
from bastion.orgs.selectors import nearby_choices

from ..models import Bulletin, BulletinStatus
from ..selectors_bulletin import current_quarter
from ..services.bulletins import GENERATE, bulletin_request, bulletins_expire

VIEW = "problems.view_bulletin"
PAGE_SIZE = 20
PREVIEW_OVERDUE_ROWS = 20
CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class BulletinForm(BootstrapFormMixin, forms.Form):
    organization = forms.TypedChoiceField(label=gettext_lazy("通报范围"), coerce=int)
    quarter = forms.CharField(
        label=gettext_lazy("季度"), max_length=7, help_text=gettext_lazy("如 2026Q3")
    )
    number = forms.CharField(
        label=gettext_lazy("文号"),
        max_length=60,
        required=False,
        help_text=gettext_lazy("留空则自动编号，如“市公党通〔2026〕3号”"),
    )

    def __init__(self, *args, nodes, **kwargs):
        super().__init__(*args, **kwargs)
        self.nodes = {node.pk: node for node in nodes}
        self.fields["organization"].choices = [
            (node.pk, "\u3000" * (node.depth - 1) + node.name) for node in nodes
        ]


def _generate_nodes(request) -> list[Organization]:
    granted = grant(request.user, GENERATE)
    selected = getattr(request, "current_org", None)
    return [n for n in nearby_choices(request.user, selected) if granted.covers(n)]


@login_required
def bulletin_list(request):
    can_generate = has_permission_anywhere(request.user, GENERATE)
    if not (can_generate or has_permission_anywhere(request.user, VIEW)):
        raise Http404
    form = None
    if can_generate:
        nodes = _generate_nodes(request)
        current = getattr(request, "current_org", None)
        initial = {"quarter": current_quarter().label}
        if current is not None and current.pk in {n.pk for n in nodes}:
            initial["organization"] = current.pk
        data = request.POST if request.method == "POST" else None
        form = BulletinForm(data, nodes=nodes, initial=initial)
        if request.method == "POST" and form.is_valid():
            node = form.nodes[form.cleaned_data["organization"]]
            try:
                bulletin = bulletin_request(
                    actor=request.user,
                    organization=node,
                    quarter=form.cleaned_data["quarter"],
                    number=form.cleaned_data["number"],
                )
            except PermissionDenied as exc:
                raise Http404 from exc
            except ValidationError as exc:
                for name, errors in exc.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                return redirect("problems:bulletin_detail", pk=bulletin.pk)
    elif request.method == "POST":
        raise Http404
    bulletins = (
        Bulletin.objects.restrict(request.user, "view")
        .select_related("organization")
        .order_by("-created_at", "-id")
    )
    page = Paginator(bulletins, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "problems/bulletins/bulletin_list.html",
        {"form": form, "page": page, "bulletins": page.object_list},
    )


def _visible(request, pk) -> Bulletin:
    """The bulletin as it stands now: one whose generation died is failed on reading, so the
    polling status fragment stops."""
    bulletin = get_object_or_404(
        Bulletin.objects.restrict(request.user, "view").select_related("organization"), pk=pk
    )
    pending = bulletin.status in (BulletinStatus.QUEUED, BulletinStatus.RUNNING)
    if pending and bulletins_expire(bulletins=Bulletin.objects.filter(pk=bulletin.pk))["expired"]:
        bulletin.refresh_from_db()
    return bulletin


def _cell(cell):
    """A workbook cell as the preview shows it: dates as dates, rates as “40.0%”."""
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, int | float) and str(cell.number_format).endswith("%"):
        return f"{value * 100:.1f}%"
    return value


def _read_sheet(sheet, limit: int | None) -> dict:
    collected = []
    for row in sheet.iter_rows():
        collected.append([_cell(c) for c in row])
        if limit and len(collected) > limit:
            break
    rows = collected[1:]
    truncated = bool(limit) and len(rows) > limit
    return {"headers": collected[0], "rows": rows[:limit] if limit else rows, "more": truncated}


def read_workbook(bulletin: Bulletin, limit: int | None) -> dict | None:
    """The issued workbook's sheets by name (the long lists cut at ``limit``), or None."""
    if bulletin.status != BulletinStatus.DONE or not bulletin.xlsx:
        return None
    from openpyxl import load_workbook

    from ..bulletin_xlsx import SHEETS

    long_lists = set(SHEETS[3:])
    try:
        with bulletin.xlsx.open("rb") as handle:
            book = load_workbook(handle, read_only=True, data_only=True)
            tables = {
                name: _read_sheet(book[name], limit if name in long_lists else None)
                for name in SHEETS
                if name in book.sheetnames  # bulletins issued before a sheet was added
            }
            book.close()
    except (OSError, KeyError, ValueError, IndexError):
        return None
    return tables if SHEETS[0] in tables else None


def preview(bulletin: Bulletin) -> dict | None:
    """The summary tables read back from the workbook (first rows of the long lists)."""
    from ..bulletin_xlsx import SHEETS

    tables = read_workbook(bulletin, PREVIEW_OVERDUE_ROWS)
    if tables is None:
        return None
    summary = {row[0]: row[1] for row in tables[SHEETS[0]]["rows"]}
    return {"summary": summary, "tables": [(n, tables[n]) for n in SHEETS[1:] if n in tables]}


@login_required
def bulletin_detail(request, pk):
    bulletin = _visible(request, pk)
    context = {"bulletin": bulletin, "preview": preview(bulletin)}
    if request.headers.get("HX-Request"):
        return render(request, "problems/bulletins/_status.html", context)
    return render(request, "problems/bulletins/bulletin_detail.html", context)


@login_required
def bulletin_print(request, pk):
    """The bulletin as an A4 page to print or save as PDF from the browser."""
    from ..bulletin_print import printable

    bulletin = _visible(request, pk)
    tables = read_workbook(bulletin, None)
    document = printable(bulletin, tables) if tables is not None else None
    if document is None:
        raise Http404(_("通报尚未生成。"))
    return render(
        request,
        "problems/bulletins/bulletin_print.html",
        {"bulletin": bulletin, "document": document},
    )


@login_required
def bulletin_download(request, pk, fmt):
    bulletin = _visible(request, pk)
    if fmt not in CONTENT_TYPES or bulletin.status != BulletinStatus.DONE:
        raise Http404
    stored = getattr(bulletin, fmt)
    if not stored:
        raise Http404
    try:
        handle = stored.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404(_("文件不存在。")) from exc
    name = _("%(org)s%(quarter)s问题整改情况通报") % {
        "org": bulletin.organization.name,
        "quarter": bulletin.quarter,
    }
    return FileResponse(
        handle, as_attachment=True, filename=f"{name}.{fmt}", content_type=CONTENT_TYPES[fmt]
    )
