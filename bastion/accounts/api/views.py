"""``users/``: the accounts of the people in the caller's scope, opening them (one or a whole
roster at once), and managing them; ``auth/activate/``: the first sign-in with a one-time code.

Reads go through ``selectors.accounts_for`` (the scope door), writes through the services. A
service's PermissionDenied means "outside your scope" and is answered 404, like a read."""

from __future__ import annotations

import contextlib

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from bastion.core.api import ScopedViewSetMixin
from bastion.core.api_docs import BAD_REQUEST, FORBIDDEN, NOT_FOUND
from bastion.core.api_excel import XLSX, XlsxRenderer, xlsx_response
from bastion.orgs.models import Person

from .. import codes, exports, selectors, services
from ..filters import PARTY as FILTER_PARTY
from ..filters import AccountFilter, open_organizations, people_to_open
from ..models import Account, AccountList
from ..services.opening import OPEN_PERMISSION
from .serializers import (
    MEMBERS,
    AccountOpenedSerializer,
    AccountOpenSerializer,
    AccountSerializer,
    ActivatedSerializer,
    ActivateSerializer,
    ActivationCodeSerializer,
    BulkOpenedSerializer,
    BulkOpenSerializer,
    BulkPreviewSerializer,
    DeactivateSerializer,
)

OUTSIDE = _("该账号不存在或不在您的管理范围内。")
PERSON_OUTSIDE = _("该人员不存在或不在您的管理范围内。")
ORGANIZATION_OUTSIDE = _("没有找到该组织，或不在您的管理范围内。")


@contextlib.contextmanager
def outside_scope_is_404(message=OUTSIDE):
    """A service refusing the actor's scope answers as a read outside it would: 404."""
    try:
        yield
    except DjangoPermissionDenied as exc:
        raise Http404(message) from exc


def _action(summary, description=None, request=None, responses=None, **kwargs):
    """A POST detail action on one account (its scope: "change"), documented in Chinese."""

    def decorate(view):
        view = action(detail=True, methods=["post"], scope_action="change", **kwargs)(view)
        return extend_schema(
            summary=summary,
            description=description,
            request=request,
            responses=responses
            or {200: AccountSerializer, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
        )(view)

    return decorate


@extend_schema_view(
    list=extend_schema(
        summary=_("人员账号列表"),
        description=_(
            "您管理范围内人员的账号，含人员、所在组织、最近登录、是否待激活、是否已锁定。"
            "q 按姓名、拼音首字母、工号或用户名查找。"
        ),
    ),
    retrieve=extend_schema(
        summary=_("人员账号详情"),
        description=_("账号不在您的管理范围内时为 404。"),
        responses={200: AccountSerializer, 404: NOT_FOUND},
    ),
)
class AccountViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Account.objects.all()
    serializer_class = AccountSerializer
    filterset_class = AccountFilter

    def scoped_queryset(self, action: str):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return Account.objects.none()
        return selectors.accounts_for(self.request.user, action)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context.setdefault("locked", set())
        return context

    def serialize(self, accounts, **kwargs):
        """Rows with their lockout state, looked up once for all of them."""
        accounts = list(accounts)
        context = self.get_serializer_context()
        context["locked"] = selectors.locked_usernames(a.username for a in accounts)
        return AccountSerializer(accounts, many=True, context=context, **kwargs).data

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        if page is None:
            return Response(self.serialize(queryset))
        return self.get_paginated_response(self.serialize(page))

    def retrieve(self, request, *args, **kwargs):
        return Response(self.serialize([self.get_object()])[0])

    def respond(self, obj, status_code=status.HTTP_200_OK, serializer_class=None):
        instance = self.scoped_queryset("view").filter(pk=obj.pk).first() or obj
        return Response(self.serialize([instance])[0], status=status_code)

    # --- opening ------------------------------------------------------------------------------

    @extend_schema(
        summary=_("开通账号"),
        description=_(
            "为一名人员开通账号，返回用户名和一次性激活码（只显示这一次），本人用激活码设置"
            "自己的密码；党员同时在本人所在支部获得党员角色。人员不在您的管理范围内时为 404。"
        ),
        request=AccountOpenSerializer,
        responses={201: AccountOpenedSerializer, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def create(self, request, *args, **kwargs):
        self.require_permission_anywhere("add")
        serializer = AccountOpenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        person = self._person_to_open(serializer.validated_data["person"])
        with outside_scope_is_404(PERSON_OUTSIDE):
            try:
                opened = services.account_open(actor=request.user, person=person)
            except DjangoValidationError as exc:
                raise ValidationError({"person": exc.messages}) from exc
        answer = {
            "id": opened.user.pk,
            "username": opened.user.username,
            "activation_code": codes.readable(opened.code),
        }
        return Response(AccountOpenedSerializer(answer).data, status=status.HTTP_201_CREATED)

    def _person_to_open(self, pk: int) -> Person:
        people = Person.objects.permitted(self.request.user, OPEN_PERMISSION)
        person = people.select_related("organization", "user").filter(pk=pk).first()
        if person is None:
            raise Http404(PERSON_OUTSIDE)
        return person

    @extend_schema(
        summary=_("批量开通账号"),
        description=_(
            "为一个组织（含下级）中尚无账号的人员开通账号，可按政治面貌筛选。dry_run 为 true 时"
            "只预览：将开通的人数、跳过的人员及原因、预览签名；否则全部开通或全部不开通，返回"
            "开户清单的下载地址（只能由开通人下载一次）。提交预览签名时，名单自预览后有变化则拒绝。"
        ),
        request=BulkOpenSerializer,
        responses={
            200: BulkPreviewSerializer,
            201: BulkOpenedSerializer,
            400: BAD_REQUEST,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="bulk-open",
        scope_action="add",
        filter_backends=[],
        pagination_class=None,
    )
    def bulk_open(self, request):
        self.require_permission_anywhere("add")
        serializer = BulkOpenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        organization = open_organizations(request).filter(pk=data["within"]).first()
        if organization is None:
            raise Http404(ORGANIZATION_OUTSIDE)
        people = self._roster(organization, data["membership_status"])
        if data["dry_run"]:
            preview = services.accounts_bulk_preview(actor=request.user, people=people)
            return Response(BulkPreviewSerializer(self._preview_answer(preview)).data)
        account_list = services.accounts_bulk_open(
            actor=request.user,
            people=people,
            description=self._description(organization, serializer),
            signature=data.get("signature") or None,
        )
        url = reverse("api:user-account-list", args=[account_list.pk])
        answer = {"opened": account_list.count, "list": request.build_absolute_uri(url)}
        return Response(BulkOpenedSerializer(answer).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("下载开户清单（xlsx）"),
        description=_(
            "批量开通返回的 list 地址：每人一行（姓名、所在党组织、用户名、激活码、登录方式）。"
            "只有开通人能下载，且只能下载一次，之后激活码不再保存，再次请求为 410。"
        ),
        responses={
            (200, XLSX): OpenApiTypes.BINARY,
            404: NOT_FOUND,
            410: OpenApiResponse(description=_("已下载过")),
        },
    )
    @action(
        detail=False,
        methods=["get"],
        url_path=r"lists/(?P<list_pk>[0-9]+)",
        url_name="account-list",
        scope_action="add",
        renderer_classes=[JSONRenderer, XlsxRenderer],
        filter_backends=[],
        pagination_class=None,
    )
    def account_list(self, request, list_pk=None):
        account_list = AccountList.objects.filter(pk=list_pk, opened_by=request.user).first()
        if account_list is None:
            raise Http404(_("没有找到该开户清单，或它不是您开通的。"))
        try:
            rows = services.account_list_take(
                actor=request.user,
                account_list=account_list,
                sign_in_url=request.build_absolute_uri(reverse("accounts:activate")),
            )
        except DjangoValidationError as exc:
            return Response({"detail": " ".join(exc.messages)}, status=status.HTTP_410_GONE)
        response = xlsx_response(
            exports.account_list_xlsx(rows), exports.account_list_filename(account_list)
        )
        response["Cache-Control"] = "no-store"
        return response

    @staticmethod
    def _roster(organization, membership_status: str):
        """Everyone of the subtree with the chosen 政治面貌, those with an account too: the
        preview names them among the skipped, with the reason."""
        if membership_status == MEMBERS:
            membership_status = FILTER_PARTY
        return people_to_open(Person.objects.all(), organization, membership_status)

    @staticmethod
    def _preview_answer(preview) -> dict:
        return {
            "to_open": len(preview.to_open),
            "skipped": [
                {"person": person.pk, "name": person.name, "reason": reason}
                for person, reason in preview.skipped
            ],
            "signature": preview.signature,
        }

    @staticmethod
    def _description(organization, serializer) -> str:
        field = serializer.fields["membership_status"]
        status_label = field.choices.get(serializer.validated_data["membership_status"], "")
        return f"{organization.name} · {status_label}" if status_label else organization.name

    # --- managing -----------------------------------------------------------------------------

    @_action(
        _("停用账号"),
        _("停用后不能登录，API 令牌立即失效；不能停用自己的账号或顶级组织最后一个管理员的账号。"),
        request=DeactivateSerializer,
    )
    def deactivate(self, request, pk=None):
        account = self.get_object()
        serializer = DeactivateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with outside_scope_is_404():
            services.account_deactivate(
                actor=request.user, user=account, reason=serializer.validated_data.get("reason", "")
            )
        return self.respond(account)

    @_action(_("重新启用账号"), _("人员状态为离开（转出、离职、死亡等）时不能启用。"))
    def reactivate(self, request, pk=None):
        account = self.get_object()
        with outside_scope_is_404():
            services.account_reactivate(actor=request.user, user=account)
        return self.respond(account)

    @_action(
        _("重置账号"),
        _("发放新的一次性激活码（只显示这一次）；原密码和全部 API 令牌立即失效，锁定同时解除。"),
        responses={
            200: ActivationCodeSerializer,
            400: BAD_REQUEST,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    def reset(self, request, pk=None):
        account = self.get_object()
        with outside_scope_is_404():
            code = services.account_reset(actor=request.user, user=account)
        return Response(ActivationCodeSerializer({"activation_code": codes.readable(code)}).data)

    @_action(_("解除锁定"), _("解除连续输错密码造成的临时锁定。"))
    def unlock(self, request, pk=None):
        account = self.get_object()
        with outside_scope_is_404():
            services.account_unlock(actor=request.user, user=account)
        return self.respond(account)


class ActivateView(APIView):
    """The first sign-in: username, the one-time code and a new password. No account needed."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    serializer_class = ActivateSerializer

    @extend_schema(
        summary=_("使用激活码激活账号"),
        description=_(
            "用开户清单或重置时得到的一次性激活码设置自己的密码（激活码可带或不带连字符）。"
            "激活码只能使用一次；输错 5 次作废，请支部书记重置。"
        ),
        auth=[],
        request=ActivateSerializer,
        responses={200: ActivatedSerializer, 400: BAD_REQUEST},
    )
    def post(self, request, *args, **kwargs):
        serializer = ActivateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            user = services.account_activate(**serializer.validated_data)
        except DjangoValidationError as exc:
            if hasattr(exc, "error_dict"):
                raise
            # The password validators speak about the new password.
            raise ValidationError({"password": exc.messages}) from exc
        return Response(ActivatedSerializer({"username": user.username}).data)
