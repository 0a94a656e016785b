"""人员账号: the accounts a manager may see, one account, and what may be done to it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bastion.core.history import render_history
from bastion.core.scope import allows, has_permission_anywhere, within
from bastion.orgs.models import RoleAssignment
from bastion.orgs.selectors import nearby_choices

from . import selectors, services
from .filters import AccountFilter
from .forms import DeactivateForm
from .views import ADD, CHANGE, VIEW, render_code, require_anywhere, scoped_account

PAGE_SIZE = 50
SIGN_INS_SHOWN = 10


@login_required
def account_list(request):
    user = request.user
    require_anywhere(user, VIEW)
    account_filter = AccountFilter(
        request.GET, queryset=selectors.accounts_for(user), request=request
    )
    page = Paginator(account_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page)
    locked = selectors.locked_usernames([row.username for row in rows])
    for row in rows:
        row.locked = row.username in locked
    valid = account_filter.is_valid()
    selected = account_filter.form.cleaned_data.get("within") if valid else None
    return render(
        request,
        "accounts/account_list.html",
        {
            "filter": account_filter,
            "page": page,
            "rows": rows,
            "within_options": nearby_choices(user, selected, VIEW),
            "within_selected": selected.pk if selected else None,
            "can_open": has_permission_anywhere(user, ADD),
        },
    )


def _roles_seen_by(viewer, account):
    """The roles ``account`` holds where ``viewer`` manages accounts or sees role grants."""
    seen = within(viewer, VIEW) | within(viewer, "orgs.view_roleassignment")
    return (
        RoleAssignment.objects.filter(user=account)
        .filter(seen)
        .select_related("role", "organization")
        .order_by("organization__path", "role__name")
    )


def _detail_context(request, account, **extra) -> dict:
    viewer = request.user
    person = account.linked_person
    organization = person.organization if person else None
    context = {
        "account": account,
        "person": person,
        "locked": account.username in selectors.locked_usernames([account.username]),
        "roles": _roles_seen_by(viewer, account),
        "sign_ins": selectors.recent_sign_ins(account, SIGN_INS_SHOWN),
        "can_change": allows(viewer, CHANGE, organization) and account.pk != viewer.pk,
        "deactivate_form": DeactivateForm(),
    }
    context.update(extra)
    return context


@login_required
def account_detail(request, pk: int):
    account = scoped_account(request, pk)
    return render(request, "accounts/account_detail.html", _detail_context(request, account))


@login_required
def account_history(request, pk: int):
    account = scoped_account(request, pk)
    return render_history(
        request,
        account,
        back_url=reverse("accounts:account_detail", args=[account.pk]),
        title=_("%(name)s的账号变更记录") % {"name": account.display_name},
    )


def _act(request, pk: int, act, done: str):
    """Run a management service on one account; outside the scope is 404, a refusal is a
    message on the account's page."""
    account = scoped_account(request, pk)
    try:
        act(account)
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, done % {"name": account.display_name})
    return redirect("accounts:account_detail", pk=account.pk)


@login_required
@require_POST
def account_deactivate(request, pk: int):
    form = DeactivateForm(request.POST)
    if not form.is_valid():
        account = scoped_account(request, pk)
        context = _detail_context(request, account, deactivate_form=form)
        return render(request, "accounts/account_detail.html", context, status=400)
    reason = form.cleaned_data["reason"]
    return _act(
        request,
        pk,
        lambda account: services.account_deactivate(
            actor=request.user, user=account, reason=reason
        ),
        _("已停用%(name)s的账号，其 API 令牌同时作废。"),
    )


@login_required
@require_POST
def account_reactivate(request, pk: int):
    return _act(
        request,
        pk,
        lambda account: services.account_reactivate(actor=request.user, user=account),
        _("已启用%(name)s的账号。"),
    )


@login_required
@require_POST
def account_unlock(request, pk: int):
    return _act(
        request,
        pk,
        lambda account: services.account_unlock(actor=request.user, user=account),
        _("已解除%(name)s的账号锁定。"),
    )


@login_required
@require_POST
def account_reset(request, pk: int):
    """重置: the old password stops working; the new code is shown on this page only."""
    account = scoped_account(request, pk)
    try:
        code = services.account_reset(actor=request.user, user=account)
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("accounts:account_detail", pk=account.pk)
    return render_code(
        request,
        account=account,
        code=code,
        title=_("已重置账号"),
        intro=_("原密码和 API 令牌已作废。请把新的激活码交给本人，用于首次登录设置新密码。"),
    )
