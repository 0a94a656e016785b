from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import tokens
from .models import SecurityEvent
from .tokens import ApiToken, active_tokens


@login_required
def home(request):
    from .dashboard import home_context

    return render(request, "core/home.html", home_context(request))


@login_required
def account(request):
    events = SecurityEvent.objects.filter(user=request.user)[:10]
    assignments = request.user.role_assignments.select_related("role", "organization")
    context = {"events": events, "assignments": assignments}
    context["api_tokens"] = active_tokens(request.user)
    return render(request, "core/account.html", context)


@login_required
@require_POST
def api_token_revoke(request, pk: int):
    """The account page's 撤销 button: one of the user's own tokens, 404 for anyone else's."""
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    tokens.api_token_revoke(actor=request.user, token=token)
    messages.success(request, _("已撤销令牌 %(prefix)s…。") % {"prefix": token.prefix})
    return redirect("account")


@login_required
def security_log(request):
    """Logins and failed logins across the platform: for system administrators only."""
    if not request.user.is_superuser:
        raise Http404
    events = SecurityEvent.objects.select_related("user")
    kind = request.GET.get("kind")
    if kind in SecurityEvent.Kind.values:
        events = events.filter(kind=kind)
    username = request.GET.get("username", "").strip()
    if username:
        events = events.filter(username__icontains=username)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "core/security_log.html",
        {"page": page, "kinds": SecurityEvent.Kind.choices, "kind": kind, "username": username},
    )
