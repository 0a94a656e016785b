"""Requests refused before any view reads them.

A NUL character cannot be stored by PostgreSQL (SQLite takes it), so a search box or an address
bar holding one would end in a server error on one database and not the other. Forms already
refuse NUL in their fields; this refuses it in every parameter a view might read directly.
"""

from __future__ import annotations

from django.http import HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _

from .api import API_PREFIX

NUL = "\x00"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _holds_nul(params) -> bool:
    return any(NUL in key or any(NUL in value for value in params.getlist(key)) for key in params)


class RefuseNulCharactersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _holds_nul(request.GET) or (
            request.method == "POST"
            and request.content_type in FORM_TYPES
            and _holds_nul(request.POST)
        ):
            return self._refused(request)
        return self.get_response(request)

    @staticmethod
    def _refused(request):
        message = _("请求中含有不可见的空字符（NUL），请删除后重试。")
        if request.path.startswith(API_PREFIX):
            return JsonResponse({"detail": message}, status=400)
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
