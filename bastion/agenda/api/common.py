"""Pieces every agenda viewset shares: schema responses, "today", the re-read after a write."""

from django.utils import timezone
from rest_framework import status
from rest_framework.response import Response

from bastion.core.api import ScopedViewSetMixin
from bastion.core.api_docs import BAD_REQUEST, FORBIDDEN, NOT_FOUND  # noqa: F401 - re-exported


class AgendaViewSetMixin(ScopedViewSetMixin):
    # Scoped reads, one "today" per request, and the answer to a write re-read in scope.
    # (A comment, not a docstring: drf-spectacular would show a docstring as the description.)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["today"] = timezone.localdate()
        return context

    def respond(self, obj, status_code=status.HTTP_200_OK):
        # Re-read with the list's joins; a record the actor may write but not read back
        # (no such role today) is answered as written rather than with a 500.
        instance = self.scoped_queryset("view").filter(pk=obj.pk).first() or obj
        serializer = self.serializer_class(instance, context=self.get_serializer_context())
        return Response(serializer.data, status=status_code)
