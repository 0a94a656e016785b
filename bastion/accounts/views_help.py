"""忘记密码申请: the requests a branch secretary (or the party-building department) answers with
a new activation code."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import selectors, services
from .models import Account
from .views import CHANGE, render_code, require_anywhere

PAGE_SIZE = 50


@login_required
def help_list(request):
    user = request.user
    require_anywhere(user, CHANGE)
    show_all = request.GET.get("state") == "all"
    rows = selectors.help_requests(user) if show_all else selectors.open_help_requests(user)
    page = Paginator(rows.order_by("-created_at", "-id"), PAGE_SIZE)
    return render(
        request,
        "accounts/help_list.html",
        {"page": page.get_page(request.GET.get("page")), "show_all": show_all},
    )


@login_required
@require_POST
def help_answer(request, pk: int):
    """发放激活码: a new code (as 重置 does), shown on this page only."""
    help_request = get_object_or_404(selectors.help_requests(request.user), pk=pk)
    try:
        code = services.password_help_answer(actor=request.user, help_request=help_request)
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("accounts:help_list")
    account = Account.objects.with_person().get(pk=help_request.user_id)
    return render_code(
        request,
        account=account,
        code=code,
        title=_("已发放新的激活码"),
        intro=_("请核实是本人后，把激活码当面或电话告诉他，用于设置新密码。原密码已作废。"),
    )
