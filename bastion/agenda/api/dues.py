"""``dues/``: the monthly dues ledger (scoped; a member sees their own payments), recording a
payment through the service, and ``dues/quote/``: the monthly amount for a category and base."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from bastion.core.api import ScopedViewSetMixin
from bastion.core.api_docs import BAD_REQUEST, FORBIDDEN, NOT_FOUND

from .. import dues_math
from ..models import DuesCategory, DuesPayment
from ..services.dues import payment_record
from .filters import DuesPaymentFilter
from .serializers import (
    DuesPaymentCreateSerializer,
    DuesPaymentSerializer,
    DuesQuoteQuerySerializer,
    DuesQuoteSerializer,
)


def quote_payload(category: str, base) -> dict:
    """``dues_math.quote`` as the API answers it; its errors are about the base."""
    try:
        amount, bracket = dues_math.quote(category, base)
    except DjangoValidationError as exc:
        raise ValidationError({"base": exc.messages}) from exc
    needs_base = category != DuesCategory.FIXED
    return {
        "amount": amount,
        "category": category,
        "category_display": DuesCategory(category).label,
        "base": dues_math.parse_base(base) if needs_base else None,
        "rate": bracket.rate,
        "fixed_amount": bracket.fixed_amount,
        "bracket": str(bracket),
        "effective_from": bracket.effective_from,
        "source": bracket.source,
    }


@extend_schema_view(
    list=extend_schema(
        summary=_("党费缴纳记录列表"),
        description=_("收缴组织在您管理范围内的记录；党员可以看到本人的记录。"),
    ),
    retrieve=extend_schema(
        summary=_("党费缴纳记录详情"),
        description=_("收缴组织在您管理范围内的记录，或本人的记录。"),
        responses={200: DuesPaymentSerializer, 404: NOT_FOUND},
    ),
)
class DuesPaymentViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = DuesPayment.objects.all()
    serializer_class = DuesPaymentSerializer
    filterset_class = DuesPaymentFilter

    def decorate_queryset(self, queryset):
        return queryset.select_related("person", "organization").order_by(
            "-month", "organization__path", "person__name", "id"
        )

    def get_serializer_class(self):
        if self.action == "create":
            return DuesPaymentCreateSerializer
        return DuesPaymentSerializer

    @extend_schema(
        summary=_("登记党费缴纳"),
        description=_("收缴组织为该党员所在的党支部；同一党员同一月份只能登记一次。"),
        request=DuesPaymentCreateSerializer,
        responses={201: DuesPaymentSerializer, 400: BAD_REQUEST, 403: FORBIDDEN},
    )
    def create(self, request, *args, **kwargs):
        self.require_permission_anywhere("add")
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        payment = payment_record(actor=request.user, **serializer.validated_data)
        return self.respond(payment, status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("党费测算"),
        description=_("按现行党费档次计算每月应缴金额，如 category=employed&base=4000 → 40.00。"),
        parameters=[
            OpenApiParameter(
                "category",
                OpenApiTypes.STR,
                required=True,
                enum=DuesCategory.values,
                description=_("党员类别：employed 在职、retired 离退休、fixed 固定金额"),
            ),
            OpenApiParameter(
                "base", OpenApiTypes.STR, description=_("月缴费基数（元，最多两位小数）")
            ),
        ],
        responses={200: DuesQuoteSerializer, 400: BAD_REQUEST},
    )
    @action(
        detail=False,
        methods=["get"],
        permission_classes=[IsAuthenticated],
        filter_backends=[],
        pagination_class=None,
    )
    def quote(self, request):
        query = DuesQuoteQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        payload = quote_payload(query.validated_data["category"], query.validated_data.get("base"))
        return Response(DuesQuoteSerializer(payload).data)
