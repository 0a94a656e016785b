"""API plumbing shared by every app: pagination, error shape, the scope door for viewsets.

Every app's viewsets mix in ``ScopedViewSetMixin`` so that what an API client can read or write is
exactly what the pages allow: ``Model.objects.restrict(user, action)``, 404 outside the scope.
Serializer fields with a schema of their own (organization references, enums) live in
``bastion.core.api_fields``: DRF imports this module while loading its settings, before
drf-spectacular may be imported. API tokens: ``bastion.core.tokens`` (model, authentication)
and ``bastion.core.api_tokens`` (the endpoints).
"""

from __future__ import annotations

import logging

from django.core.exceptions import NON_FIELD_ERRORS, ObjectDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError
from django.http import Http404, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, PermissionDenied, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from .orgtree import scoped_organizations
from .scope import OutsideScope, has_permission_anywhere, permission_name


class StandardPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


# --- errors -----------------------------------------------------------------------------------

OUTSIDE_SCOPE_AFTER_WRITE = _("保存后的对象将超出您的管理范围，操作已撤销。")


# What the database refuses after every check passed: a duplicate written meanwhile by someone
# else (two creates racing past the serializer's uniqueness check), or a number no column holds.
DUPLICATE_WRITE = _("与已有记录重复或冲突（可能他人刚刚提交了相同的内容），未保存。请刷新后重试。")
NUMBER_OUT_OF_RANGE = _("输入的数值超出了允许的范围，未保存。请检查各数字字段后重试。")

logger = logging.getLogger(__name__)


def exception_handler(exc, context):
    """Services raise Django's exceptions; the API answers them as 400 / 403 with their message.
    What the database refuses (a unique rule, a number out of range) is a 400, never a 500."""
    if isinstance(exc, DjangoValidationError):
        exc = ValidationError(_validation_detail(exc))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = PermissionDenied(_permission_message(exc))
    elif isinstance(exc, IntegrityError | DataError | OverflowError):
        exc = _refused_by_database(exc, context)
    return drf_exception_handler(exc, context)


class RefusedByDatabase(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "refused_by_database"


def _refused_by_database(exc, context) -> RefusedByDatabase:
    request = context.get("request")
    logger.warning(
        "database refused %s %s: %s: %s",
        getattr(request, "method", "?"),
        getattr(request, "path", "?"),
        type(exc).__name__,
        exc,
    )
    message = DUPLICATE_WRITE if isinstance(exc, IntegrityError) else NUMBER_OUT_OF_RANGE
    return RefusedByDatabase(message)


def _validation_detail(exc: DjangoValidationError):
    key = api_settings.NON_FIELD_ERRORS_KEY
    if hasattr(exc, "error_dict"):
        return {
            (key if field == NON_FIELD_ERRORS else field): messages
            for field, messages in exc.message_dict.items()
        }
    return {key: exc.messages}


def _permission_message(exc: DjangoPermissionDenied):
    message = str(exc.args[0]) if exc.args else ""
    if isinstance(exc, OutsideScope) and exc.permission:  # ensure_in_scope(), after a write
        return OUTSIDE_SCOPE_AFTER_WRITE
    return message or None


API_PREFIX = "/api/"
NO_SUCH_ADDRESS = _("接口地址不存在，请核对路径（对象编号只能是数字）。")


def not_found(request, exception):
    """``handler404``: a path no view matched answers JSON under ``/api/`` (what an API client
    and the schema expect), the site's own 404 page elsewhere."""
    from django.views.defaults import page_not_found

    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": str(NO_SUCH_ADDRESS)}, status=404)
    return page_not_found(request, exception)


# --- the scope door for viewsets ------------------------------------------------------------

# DRF action → scope action; custom @action()s declare theirs with ``scope_action=...``.
ACTION_SCOPES = {
    "list": "view",
    "retrieve": "view",
    "metadata": "view",
    "create": "add",
    "update": "change",
    "partial_update": "change",
    "destroy": "delete",
}
METHOD_SCOPES = {"POST": "add", "PUT": "change", "PATCH": "change", "DELETE": "delete"}


class ScopedViewSetMixin:
    """``get_queryset`` is ``Model.objects.restrict(request.user, action)``.

    Objects outside the scope are 404. An object the user may see but not act on (a member
    editing their own record) is 403, which tells nothing the user could not read already.
    Subclasses set ``queryset`` (for the model and the schema) and may override
    ``decorate_queryset`` to add ``select_related`` or annotations. Writes go through the
    app's services (which call ``ensure_in_scope``); ``respond`` answers with the object
    re-read in the reader's scope. Serializers find one "today" per request in their context.
    """

    scope_action: str | None = None
    not_permitted_message = _("您无权对该对象执行此操作。")

    def get_scope_action(self) -> str:
        if self.scope_action:
            return self.scope_action
        action = getattr(self, "action", None)
        if action in ACTION_SCOPES:
            return ACTION_SCOPES[action]
        return METHOD_SCOPES.get(self.request.method, "view")

    @property
    def scope_model(self):
        return self.queryset.model

    def scoped_queryset(self, action: str):
        model = self.scope_model
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return model.objects.none()
        return self.decorate_queryset(model.objects.restrict(self.request.user, action))

    def decorate_queryset(self, queryset):
        return queryset

    def get_queryset(self):
        return self.scoped_queryset(self.get_scope_action())

    def get_object(self):
        try:
            return super().get_object()
        except Http404:
            if self.get_scope_action() != "view" and self._visible_object_exists():
                raise PermissionDenied(self.not_permitted_message) from None
            raise

    def _visible_object_exists(self) -> bool:
        lookup = self.lookup_url_kwarg or self.lookup_field
        value = self.kwargs.get(lookup)
        try:
            return self.scoped_queryset("view").filter(**{self.lookup_field: value}).exists()
        except (ValueError, TypeError, DjangoValidationError):
            return False

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context.setdefault("today", timezone.localdate())
        return context

    def respond(self, obj, status_code=status.HTTP_200_OK, serializer_class=None):
        """The answer to a write: ``obj`` re-read with the list's joins in the view scope.
        A record the actor may write but not read back is answered as written, not a 500."""
        instance = self.scoped_queryset("view").filter(pk=obj.pk).first() or obj
        serializer_class = serializer_class or self.serializer_class
        serializer = serializer_class(instance, context=self.get_serializer_context())
        return Response(serializer.data, status=status_code)

    def organization_param(self, name: str = "within"):
        """The query parameter ``name`` as an organization in the reader's scope, None when
        absent; 404 when it names none there (the same answer as an object outside it)."""
        return organization_param(self.request, name)

    def require_permission_anywhere(self, action: str) -> None:
        """403 unless the user holds ``action`` on this model somewhere (import, export, add)."""
        if not has_permission_anywhere(
            self.request.user, permission_name(self.scope_model, action)
        ):
            raise PermissionDenied(self.not_permitted_message)


def organization_param(request, name: str = "within"):
    """``?<name>=<id>`` as an organization the requester may see; None when absent, 404 when
    it names none in the scope (as ``bastion.core.filters.ScopedFilterSet`` answers)."""
    raw = request.query_params.get(name, "").strip()
    if not raw:
        return None
    found = None
    if raw.isdigit():
        found = scoped_organizations(request).filter(pk=raw).first()
    if found is None:
        raise Http404(_("没有找到该组织，或不在您的管理范围内。"))
    return found


class ScopedRelatedField(serializers.PrimaryKeyRelatedField):
    """A foreign key chosen by id, from the objects the requester may ``action`` (choice lists
    go through the door too), or, with ``permission``, from those whose organization lies where
    the requester holds it (``tasks.add_task`` for an issuer): any other id reads as "does not
    exist"."""

    def __init__(self, *, model, action: str = "view", permission: str | None = None, **kwargs):
        self.scope_model = model
        self.scope_action = action
        self.scope_permission = permission
        kwargs.setdefault("queryset", model.objects.none())  # the model, for the schema
        super().__init__(**kwargs)

    def get_queryset(self):
        user = getattr(self.context.get("request"), "user", None)
        if self.scope_permission:
            return self.scope_model.objects.permitted(user, self.scope_permission)
        return self.scope_model.objects.restrict(user, self.scope_action)

    def to_internal_value(self, data):
        if isinstance(data, bool):
            self.fail("incorrect_type", data_type=type(data).__name__)
        try:
            return self.get_queryset().get(pk=data)
        except (ObjectDoesNotExist, ValueError, TypeError, DjangoValidationError):
            raise serializers.ValidationError(
                _("编号为 %(pk)s 的%(model)s不存在或不在您的管理范围内。")
                % {"pk": data, "model": self.scope_model._meta.verbose_name},
                code="does_not_exist",
            ) from None
