"""OpenAPI pieces every app's API shares (kept out of ``bastion.core.api``, which DRF imports
while loading its settings, before drf-spectacular may be imported)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.decorators import action

NOT_FOUND = OpenApiResponse(description=_("不存在或不在您的管理范围内"))
FORBIDDEN = OpenApiResponse(description=_("无权执行此操作"))
BAD_REQUEST = OpenApiResponse(description=_("输入有误，按字段列出原因"))
BINARY = OpenApiResponse(OpenApiTypes.BINARY)


def download_action(url_path: str, url_name: str, *, summary, description):
    """A ``GET <object>/<url_path>/`` action that answers with a file, documented as binary;
    the view looks the file up inside the object (404 otherwise) and returns ``file_response``."""

    def decorate(view):
        view = action(
            detail=True,
            methods=["get"],
            url_path=url_path,
            url_name=url_name,
            filter_backends=[],
            pagination_class=None,
        )(view)
        return extend_schema(
            summary=summary,
            description=description,
            responses={(200, "application/octet-stream"): BINARY, 404: NOT_FOUND},
        )(view)

    return decorate
