"""Pages of the operation guide (一书, 党务操作指引): search, read, edit, attachments.

Guide pages are company-wide reading for every signed-in user; editing belongs to the
party-building department (root-level ``agenda.add_guidepage`` / ``change_guidepage``).
"""

from __future__ import annotations

from functools import reduce
from operator import and_

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bastion.core.evidence import download
from bastion.core.pages import apply_errors

from ..calendar_view import describe
from ..forms_guide import GuideAttachmentForm, GuidePageForm
from ..guide_render import search_terms
from ..models import CalendarRule, GuideAttachment, GuidePage
from ..services import guide as services

PAGE_SIZE = 20


def search_q(query: str) -> Q | None:
    """Every word must appear in the title, the summary or the body."""
    terms = search_terms(query)
    if not terms:
        return None
    return reduce(
        and_,
        (Q(title__icontains=t) | Q(summary__icontains=t) | Q(body__icontains=t) for t in terms),
    )


def _relevance(query: str):
    """Pages whose title holds the first word come first, then those whose summary does."""
    first = search_terms(query)[0]
    return Case(
        When(title__icontains=first, then=Value(0)),
        When(summary__icontains=first, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )


@login_required
def guide_list(request):
    query = request.GET.get("q", "").strip()[:100]
    pages = GuidePage.objects.annotate(attachment_count=Count("attachments")).order_by(
        "sort_order", "title", "pk"
    )
    condition = search_q(query)
    if condition is not None:
        pages = pages.filter(condition).order_by(_relevance(query), "sort_order", "title", "pk")
    page = Paginator(pages, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "agenda/guide/guide_list.html",
        {"page": page, "q": query, "can_add": services.can_add_guide(request.user)},
    )


def _detail_context(request, page: GuidePage, upload_form=None) -> dict:
    today = timezone.localdate()
    linked = (
        CalendarRule.objects.in_force(today)
        .filter(guide=page, is_active=True)
        .order_by("sort_order", "code")
    )
    can_edit = services.can_edit_guide(request.user)
    return {
        "guide": page,
        "attachments": page.attachments.all(),
        "linked_rules": [describe(rule) for rule in linked],
        "can_edit": can_edit,
        "upload_form": upload_form or (GuideAttachmentForm() if can_edit else None),
    }


def _page_or_404(slug) -> GuidePage:
    return get_object_or_404(
        GuidePage.objects.select_related("updated_by__person__organization"), slug=slug
    )


@login_required
def guide_detail(request, slug):
    page = _page_or_404(slug)
    return render(request, "agenda/guide/guide_detail.html", _detail_context(request, page))


@login_required
def guide_create(request):
    if not services.can_add_guide(request.user):
        raise PermissionDenied(_("只有公司党建工作部可以编辑操作指引。"))
    form = GuidePageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            page = services.guide_page_create(actor=request.user, **form.payload())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已新建操作指引“%(title)s”。") % {"title": page.title})
            return redirect(page)
    return render(request, "agenda/guide/guide_form.html", {"form": form})


@login_required
def guide_edit(request, slug):
    if not services.can_edit_guide(request.user):
        raise PermissionDenied(_("只有公司党建工作部可以编辑操作指引。"))
    page = _page_or_404(slug)
    form = GuidePageForm(request.POST or None, page=page)
    if request.method == "POST" and form.is_valid():
        try:
            services.guide_page_update(actor=request.user, page=page, **form.payload())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已保存操作指引。"))
            return redirect(page)
    return render(request, "agenda/guide/guide_form.html", {"form": form, "guide": page})


@login_required
@require_POST
def guide_attachment_upload(request, slug):
    if not services.can_edit_guide(request.user):
        raise PermissionDenied(_("只有公司党建工作部可以编辑操作指引。"))
    page = _page_or_404(slug)
    form = GuideAttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            attachment = services.guide_attachment_add(
                actor=request.user, page=page, upload=form.cleaned_data["file"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request, _("已上传附件“%(name)s”。") % {"name": attachment.original_name}
            )
            return redirect(page)
    context = _detail_context(request, page, upload_form=form)
    return render(request, "agenda/guide/guide_detail.html", context)


@login_required
def guide_attachment_download(request, pk):
    return download(GuideAttachment.objects.all(), pk)


@login_required
@require_POST
def guide_attachment_delete(request, pk):
    if not services.can_edit_guide(request.user):
        raise PermissionDenied(_("只有公司党建工作部可以编辑操作指引。"))
    attachment = get_object_or_404(GuideAttachment.objects.select_related("page"), pk=pk)
    page = attachment.page
    services.guide_attachment_delete(actor=request.user, attachment=attachment)
    messages.success(request, _("已删除附件“%(name)s”。") % {"name": attachment.original_name})
    return redirect(page)
