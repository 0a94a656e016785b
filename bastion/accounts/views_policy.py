"""账号规则: the rules in force and the ones before, and a new rule for whoever may change them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import model_to_dict
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from bastion.orgs.models.person import MembershipStatus, PersonStatus

from . import services
from .forms import PolicyForm
from .models import AccountPolicy
from .views import require_anywhere

VIEW = "accounts.view_accountpolicy"


@login_required
def policy(request):
    require_anywhere(request.user, VIEW)
    current = AccountPolicy.current()
    may_change = services.may_change_rules(request.user)
    form = None
    if may_change:
        form = PolicyForm(request.POST or None, initial=_starting_from(current))
        if request.method == "POST" and form.is_valid():
            try:
                services.account_policy_save(actor=request.user, data=form.cleaned_data)
            except ValidationError as exc:
                _errors_to(form, exc)
            except PermissionDenied as exc:
                raise Http404 from exc
            else:
                messages.success(request, _("已保存新的账号规则。"))
                return redirect("accounts:policy")
    elif request.method == "POST":
        raise Http404
    context = {
        "current": current,
        "member_labels": _labels(MembershipStatus, current.member_statuses),
        "leaving_labels": _labels(PersonStatus, current.leaving_statuses),
        "history": AccountPolicy.objects.select_related("member_role")[:20],
        "form": form,
    }
    return render(
        request, "accounts/policy.html", context, status=400 if form and form.errors else 200
    )


def _labels(choices, values) -> list[str]:
    names = dict(choices.choices)
    return [str(names.get(value, value)) for value in values]


def _starting_from(current: AccountPolicy) -> dict:
    initial = model_to_dict(current, fields=PolicyForm.Meta.fields)
    initial["effective_from"] = timezone.localdate()
    initial["source"] = ""
    return initial


def _errors_to(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
