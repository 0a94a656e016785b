"""Excel over the API: a renderer that lets clients ask for a workbook by its type, and the
download response every export action answers with."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from rest_framework.renderers import BaseRenderer, JSONRenderer

from .excel import XLSX_CONTENT_TYPE

XLSX = XLSX_CONTENT_TYPE


class XlsxRenderer(BaseRenderer):
    """Lets clients ask for the workbook by its type; errors still come back as JSON text."""

    media_type = XLSX
    format = "xlsx"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        # An error ({"detail": …}) is JSON and says so, whatever format the client asked for.
        response = (renderer_context or {}).get("response")
        if response is not None:
            response["Content-Type"] = JSONRenderer.media_type
        return JSONRenderer().render(data)


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    """A workbook as a download named ``filename``."""
    return HttpResponse(
        content,
        content_type=XLSX,
        headers={"Content-Disposition": content_disposition_header(True, filename)},
    )
