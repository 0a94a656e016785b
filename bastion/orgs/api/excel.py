"""``people/export/`` and ``people/import/``: the Excel library, behind the pages' scope."""

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from bastion.core.api_excel import XLSX, XlsxRenderer, xlsx_response

from .serializers import ImportErrorsSerializer, ImportRequestSerializer, ImportSummarySerializer


def _error_row(error) -> dict:
    """An importer error (a dict; row 0 = the whole file, column "" = no column) for the API."""

    def get(key, default):
        value = error.get(key) if isinstance(error, dict) else getattr(error, key, None)
        return default if value is None else value

    return {
        "row": int(get("row", 0)),
        "column": str(get("column", "")),
        "message": str(get("message", "")),
    }


def _request_error_rows(serializer) -> list[dict]:
    """The upload form's own errors (no file, not a file …) in the shape of the importer's:
    row 0 (the whole file), no column, the message led by the field's label."""
    rows = []
    for name, messages in serializer.errors.items():
        field = serializer.fields.get(name)
        label = f"{field.label}：" if field is not None else ""
        rows.extend({"row": 0, "column": "", "message": f"{label}{text}"} for text in messages)
    return rows


class PersonExcelMixin:
    """Mixed into the people viewset: export honours its filters, import its services."""

    @extend_schema(
        summary=_("导出人员名册（xlsx）"),
        description=_("按与人员列表相同的筛选条件，导出您有导出权限范围内的人员。"),
        filters=True,
        responses={
            (200, XLSX): OpenApiTypes.BINARY,
            403: OpenApiResponse(description=_("无导出权限")),
        },
    )
    @action(
        detail=False,
        methods=["get"],
        url_path="export",
        scope_action="export",
        renderer_classes=[JSONRenderer, XlsxRenderer],
        pagination_class=None,
    )
    def export(self, request):
        from bastion.orgs.importers import export_people_xlsx

        self.require_permission_anywhere("export")
        queryset = self.filter_queryset(self.get_queryset())
        content = export_people_xlsx(queryset, actor=request.user)
        filename = gettext("人员名册-%(date)s.xlsx") % {
            "date": timezone.localdate().strftime("%Y%m%d")
        }
        return xlsx_response(content, filename)

    @extend_schema(
        summary=_("导入人员名册（xlsx）"),
        description=_(
            "上传按模板填写的 Excel 文件。任何一行有错误时返回 400 和全部错误（行、列、原因），"
            "不写入任何数据；dry_run=1 时只校验不写入。"
        ),
        request={"multipart/form-data": ImportRequestSerializer},
        responses={
            200: ImportSummarySerializer,
            400: ImportErrorsSerializer,
            403: OpenApiResponse(description=_("无导入权限")),
        },
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        url_name="import",
        scope_action="import",
        parser_classes=[MultiPartParser, FormParser],
        serializer_class=ImportRequestSerializer,
    )
    def import_people(self, request):
        from bastion.orgs.importers import run_import

        self.require_permission_anywhere("import")
        serializer = ImportRequestSerializer(data=request.data)
        if not serializer.is_valid():
            # The field's own key stays (clients of v1 read it) beside the documented errors.
            body = {**serializer.errors, "errors": _request_error_rows(serializer)}
            return Response(body, status=status.HTTP_400_BAD_REQUEST)
        dry_run = serializer.validated_data["dry_run"]
        result = run_import(
            kind="people",
            actor=request.user,
            file=serializer.validated_data["file"],
            dry_run=dry_run,
        )
        if not result.ok:
            errors = [_error_row(error) for error in result.errors]
            return Response({"errors": errors}, status=status.HTTP_400_BAD_REQUEST)
        return Response(
            {
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "total_rows": result.total_rows,
                "dry_run": dry_run,
                "warnings": [_error_row(warning) for warning in result.warnings],
            }
        )
