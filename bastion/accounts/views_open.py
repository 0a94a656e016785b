"""开通账号: one person from their page, 批量开通 (form → preview → confirm), and the 开户清单
each opening leaves behind, downloadable once by whoever opened the accounts."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bastion.core.api_excel import xlsx_response
from bastion.orgs.models import Person

from . import exports, selectors, services
from .forms import BulkOpenForm
from .models import AccountList
from .views import ADD, no_store, render_code, require_anywhere

SHOWN_ROWS = 200  # a preview of 5,000 people shows the first rows and the totals


@login_required
@require_POST
def person_open(request, person_pk: int):
    """开通账号 on the person's page: the code is shown once, with its one-row 开户清单."""
    people = Person.objects.restrict(request.user, "view").select_related("organization", "user")
    person = get_object_or_404(people, pk=person_pk)
    try:
        opened = services.account_open(actor=request.user, person=person)
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(person.get_absolute_url())
    return render_code(
        request,
        account=opened.user,
        code=opened.code,
        title=_("已开通账号"),
        intro=_("请把用户名和激活码交给本人，首次登录时用激活码设置自己的密码。"),
        account_list=opened.account_list,
    )


def _preview_page(request, form, *, error=None, status=200):
    preview = services.accounts_bulk_preview(actor=request.user, people=form.people())
    shown_ids = preview.to_open[:SHOWN_ROWS]
    to_open = Person.objects.filter(pk__in=shown_ids).select_related("organization")
    return render(
        request,
        "accounts/bulk_preview.html",
        {
            "form": form,
            "preview": preview,
            "to_open": to_open.order_by("organization__path", "name", "id"),
            "to_open_more": max(len(preview.to_open) - SHOWN_ROWS, 0),
            "skipped": preview.skipped[:SHOWN_ROWS],
            "skipped_more": max(len(preview.skipped) - SHOWN_ROWS, 0),
            "organization": form.cleaned_data["organization"],
            "error": error,
        },
        status=status,
    )


@login_required
def bulk_open(request):
    """GET: the form, and with its fields the preview (nothing written). POST: the
    confirmation, carrying the preview's signature; a changed roster is refused."""
    user = request.user
    require_anywhere(user, ADD)
    if request.method == "POST":
        return _bulk_confirm(request)
    if not request.GET.get("organization"):
        form = BulkOpenForm(user=user)
        return _form_page(request, form)
    form = BulkOpenForm(request.GET, user=user)
    if not form.is_valid():
        return _form_page(request, form)
    return _preview_page(request, form)


def _form_page(request, form):
    return render(
        request,
        "accounts/bulk_form.html",
        {"form": form, "pending": selectors.pending_lists(request.user)[:10]},
    )


def _bulk_confirm(request):
    form = BulkOpenForm(request.POST, user=request.user)
    if not form.is_valid() or not form.cleaned_data["signature"]:
        return _form_page(request, form)
    try:
        account_list = services.accounts_bulk_open(
            actor=request.user,
            people=form.people(),
            description=form.description(),
            signature=form.cleaned_data["signature"],
        )
    except ValidationError as exc:
        return _preview_page(request, form, error=" ".join(exc.messages), status=409)
    messages.success(
        request,
        _("已开通 %(count)s 个账号。请立即下载开户清单，清单只能下载一次。")
        % {"count": account_list.count},
    )
    return redirect("accounts:list_detail", pk=account_list.pk)


def _own_list(request, pk: int) -> AccountList:
    """A 开户清单 exists only for the person who opened its accounts."""
    return get_object_or_404(AccountList, pk=pk, opened_by=request.user)


@login_required
def list_detail(request, pk: int):
    account_list = _own_list(request, pk)
    return render(request, "accounts/list_detail.html", {"account_list": account_list})


@login_required
@require_POST
def list_download(request, pk: int):
    """The 开户清单 workbook, once: the codes leave the database with it."""
    account_list = _own_list(request, pk)
    try:
        rows = services.account_list_take(
            actor=request.user,
            account_list=account_list,
            sign_in_url=request.build_absolute_uri(reverse("accounts:activate")),
        )
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("accounts:list_detail", pk=account_list.pk)
    response = xlsx_response(
        exports.account_list_xlsx(rows), exports.account_list_filename(account_list)
    )
    return no_store(response)
