"""``bulletins/``: the quarterly bulletin (通报晾晒) of one node of the tree as a file, built on
request: ``?within=<org>&quarter=2026Q3&format=docx|xlsx``. The Word file is the bulletin in
the form of a party document; the workbook holds its tables with the full overdue list."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import JSONRenderer

from bastion.core.api import organization_param
from bastion.core.scope import allows

from ..bulletin_docx import DOCX_OVERDUE_LIMIT, build_docx, default_number
from ..bulletin_xlsx import build_xlsx
from ..selectors_bulletin import bulletin_data, current_quarter, parse_quarter
from .common import BAD_REQUEST, FORBIDDEN, NOT_FOUND
from .enums import FORMAT_CHOICES

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CONTENT_TYPES = {"docx": DOCX, "xlsx": XLSX}
VIEW_BULLETIN = "problems.view_bulletin"
MAX_NUMBER = 60


def bulletin_title(quarter) -> str:
    return gettext("关于%(quarter)s问题整改情况的通报") % {"quarter": quarter.title}


class BulletinViewSet(viewsets.ViewSet):
    # ``format`` is this endpoint's own parameter (the file type), not DRF's renderer switch:
    # errors are always JSON and the file is sent as it is.
    renderer_classes = [JSONRenderer]

    def perform_content_negotiation(self, request, force=False):
        return JSONRenderer(), JSONRenderer.media_type

    @extend_schema(
        summary=_("下载季度问题整改通报"),
        description=_(
            "按季度统计某组织及其下级的发现问题、应整改、已整改、整改率和逾期未改，按整改率"
            "排名，列出问题类别分布和逾期未整改问题：format=docx 为红头通报（Word），"
            "format=xlsx 为通报附表（Excel，含全部逾期问题）。需要查看通报权限。"
        ),
        parameters=[
            OpenApiParameter(
                "within",
                OpenApiTypes.INT,
                required=True,
                description=_("通报范围：组织编号（须在您的管理范围内）"),
            ),
            OpenApiParameter(
                "quarter",
                OpenApiTypes.STR,
                description=_("季度，如 2026Q3；不填为本季度"),
            ),
            OpenApiParameter(
                "format",
                OpenApiTypes.STR,
                enum=[value for value, _label in FORMAT_CHOICES],
                description=_("文件格式：docx（Word 通报，默认）或 xlsx（Excel 附表）"),
            ),
            OpenApiParameter(
                "number",
                OpenApiTypes.STR,
                description=_("文号，如 市公党通〔2026〕12号；不填按季度自动生成"),
            ),
        ],
        responses={
            (200, DOCX): OpenApiResponse(OpenApiTypes.BINARY, description=_("Word 通报")),
            (200, XLSX): OpenApiResponse(OpenApiTypes.BINARY, description=_("Excel 附表")),
            400: BAD_REQUEST,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    def list(self, request):
        node, quarter, kind, number = self.read_parameters(request)
        if not allows(request.user, VIEW_BULLETIN, node):
            raise PermissionDenied(gettext("您无权查看“%(org)s”的通报。") % {"org": node.name})
        today = timezone.localdate()
        limit = DOCX_OVERDUE_LIMIT if kind == "docx" else None
        data = bulletin_data(node, quarter, today=today, overdue_limit=limit)
        number = number or default_number(node.name, quarter.year, quarter.number)
        if kind == "docx":
            content = build_docx(data, number=number, issued_on=today)
        else:
            content = build_xlsx(data, number=number, title=bulletin_title(quarter))
        filename = f"{node.name}{quarter.title}问题整改通报.{kind}"
        return HttpResponse(
            content,
            content_type=CONTENT_TYPES[kind],
            headers={"Content-Disposition": content_disposition_header(True, filename)},
        )

    def read_parameters(self, request):
        params = request.query_params
        errors = {}
        node = organization_param(request, "within")  # 404 outside the scope, as every list
        if node is None:
            errors["within"] = [gettext("请指定通报范围（within，组织编号）。")]
        quarter = None
        raw_quarter = params.get("quarter", "").strip()
        try:
            quarter = parse_quarter(raw_quarter) if raw_quarter else current_quarter()
        except DjangoValidationError as exc:
            errors.update(exc.message_dict)
        kind = params.get("format", "").strip().lower() or "docx"
        if kind not in CONTENT_TYPES:
            errors["format"] = [
                gettext("文件格式“%(value)s”无效，可选：docx、xlsx。") % {"value": kind}
            ]
        number = params.get("number", "").strip()
        if len(number) > MAX_NUMBER:
            errors["number"] = [gettext("文号不能超过 %(n)d 个字。") % {"n": MAX_NUMBER}]
        if errors:
            raise ValidationError(errors)
        return node, quarter, kind, number
