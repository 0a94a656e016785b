"""Pages open to anyone: 首次登录 with an activation code, and 忘记密码."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from . import services
from .forms import ActivationForm, ForgotPasswordForm
from .views import no_store

# The account just proved itself with the code; no other backend needs asking.
BACKEND = "django.contrib.auth.backends.ModelBackend"


def _activation_errors(form, exc: ValidationError) -> None:
    """A wrong code goes beside the code; the password validators' verdicts beside the
    password."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error("password1", exc.messages)


@sensitive_post_parameters("code", "password1", "password2")
def activate(request):
    form = ActivationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.account_activate(
                username=data["username"], code=data["code"], password=data["password1"]
            )
        except ValidationError as exc:
            _activation_errors(form, exc)
        else:
            login(request, user, backend=BACKEND)
            messages.success(
                request,
                _("账号已激活，欢迎您，%(name)s。以后请用用户名和新密码登录。")
                % {"name": user.display_name},
            )
            return redirect("home")
    response = render(request, "accounts/activate.html", {"form": form})
    return no_store(response)


def forgot_password(request):
    """忘记密码: the answer is the same whether the username exists or not."""
    form = ForgotPasswordForm(request.POST if request.method == "POST" else None)
    sent = False
    if request.method == "POST" and form.is_valid():
        services.password_help_request(
            username=form.cleaned_data["username"],
            note=form.cleaned_data["note"],
            ip_address=request.META.get("REMOTE_ADDR") or None,
        )
        sent = True
    return render(request, "accounts/forgot.html", {"form": form, "sent": sent})
