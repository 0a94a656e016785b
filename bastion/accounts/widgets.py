"""What the account app adds to other pages: the account panel on a person's page and, on the
home page, what waits for a manager (忘记密码 requests, 开户清单 not yet downloaded)."""

from __future__ import annotations

from django.template.loader import render_to_string

from bastion.core.scope import allows, has_permission_anywhere

from . import selectors
from .models import ActivationCode
from .views import ADD, CHANGE, VIEW

SHOWN = 5


def person_account_panel(request, person) -> str | None:
    """The person's account: username, state, last sign-in, and 开通账号 or 管理账号 for whoever
    may; nothing for anyone else."""
    user = request.user
    organization = person.organization
    can_view = allows(user, VIEW, organization)
    can_open = allows(user, ADD, organization)
    if not (can_view or can_open):
        return None
    account = person.user if person.user_id else None
    context = {"person": person, "account": account, "can_view": can_view, "can_open": can_open}
    if account is not None:
        context["locked"] = bool(selectors.locked_usernames([account.username]))
        context["awaiting"] = ActivationCode.objects.usable().filter(user=account).exists()
    return render_to_string("accounts/_person_panel.html", context, request=request)


def help_requests_waiting(request) -> str | None:
    """A manager's 忘记密码 requests still open, and the 开户清单 they have not downloaded."""
    user = request.user
    if not user.is_authenticated:
        return None
    lists = (
        list(selectors.pending_lists(user)[:SHOWN]) if has_permission_anywhere(user, ADD) else []
    )
    requests, waiting = [], 0
    if has_permission_anywhere(user, CHANGE):
        open_requests = selectors.open_help_requests(user).order_by("-created_at")
        waiting = open_requests.count()
        requests = list(open_requests[:SHOWN]) if waiting else []
    if not lists and not waiting:
        return None
    return render_to_string(
        "accounts/_widget.html",
        {"lists": lists, "requests": requests, "waiting": waiting},
        request=request,
    )
