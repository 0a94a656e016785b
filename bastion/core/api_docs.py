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


# --- the answers every operation may give -------------------------------------------------------

ERROR_SCHEMA = {
    "type": "object",
    "properties": {"detail": {"type": "string", "description": _("原因")}},
    "required": ["detail"],
}
# A 400 names each field with its reasons ({"year": ["…"]}), or the whole request ({"detail": "…"}).
VALIDATION_ERRORS_SCHEMA = {
    "type": "object",
    "description": _("按字段列出原因：字段名 → 原因列表；不针对某个字段时为 detail"),
    "additionalProperties": {},
}
COMMON_ERRORS = {
    "401": (_("未登录，或令牌无效、已过期"), "Error"),
    "403": (_("无权执行此操作"), "Error"),
    "404": (_("不存在或不在您的管理范围内"), "Error"),
}


def document_error_responses(result, generator, request, public):
    """drf-spectacular post-processing hook: every operation documents the errors it can answer
    (401, 403, 404; 400 where it takes input; 415 where it takes a body), each with its JSON
    shape, so that a client (and schemathesis) finds every answer in the schema. Answers an
    operation documents itself are kept."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Error", ERROR_SCHEMA)
    schemas.setdefault("ValidationErrors", VALIDATION_ERRORS_SCHEMA)
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                _document_errors(operation)
    return result


def _document_errors(operation: dict) -> None:
    responses = operation.setdefault("responses", {})
    expected = dict(COMMON_ERRORS)
    if operation.get("parameters") or operation.get("requestBody"):
        expected["400"] = (_("输入有误，按字段列出原因"), "ValidationErrors")
    if operation.get("requestBody"):
        expected["415"] = (_("不支持的请求内容类型"), "Error")
    for code, (description, component) in expected.items():
        response = responses.setdefault(code, {"description": description})
        response.setdefault("description", description)
        response.setdefault(
            "content",
            {"application/json": {"schema": {"$ref": f"#/components/schemas/{component}"}}},
        )
