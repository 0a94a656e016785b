"""Helpers shared by the problem pages."""

from __future__ import annotations

from django.core.exceptions import ValidationError


def apply_errors(form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form (unknown keys become form errors)."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def querystring(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()
