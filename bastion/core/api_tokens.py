"""``auth/token/`` and ``auth/tokens/``: API tokens over the API (``bastion.core.tokens``).

``POST auth/token/`` exchanges a username and password for a NEW token (one per client or
script), through the login page's lockout; ``DELETE auth/token/`` revokes the token the request
carries. ``GET auth/tokens/`` lists the caller's active tokens (never the keys) and
``DELETE auth/tokens/{id}/`` revokes one of them; anyone else's is 404.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import authenticate, user_logged_in
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import APIException, NotAuthenticated, ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from .api_docs import NOT_FOUND
from .tokens import (
    ApiToken,
    ExpiringTokenAuthentication,
    active_tokens,
    api_token_issue,
    api_token_revoke,
)

NOT_TOKEN_AUTHENTICATED = OpenApiResponse(description=_("请求未携带有效的 API 令牌"))


class AccountLocked(APIException):
    status_code = getattr(settings, "AXES_HTTP_RESPONSE_CODE", 429)
    default_detail = _(
        "该账号连续5次登录失败，已被临时锁定，稍后自动解锁。"
        "如需立即解锁，请联系本支部书记或党建工作部。"
    )
    default_code = "account_locked"


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(label=_("用户名"))
    password = serializers.CharField(
        label=_("密码"), style={"input_type": "password"}, trim_whitespace=False
    )
    name = serializers.CharField(
        label=_("令牌名称"),
        help_text=_("可选，便于在令牌列表中辨认，例如“Excel 同步脚本”"),
        max_length=ApiToken._meta.get_field("name").max_length,
        required=False,
        allow_blank=True,
    )


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField(label=_("令牌"), help_text=_("只显示这一次，请妥善保存"))
    expires_at = serializers.DateTimeField(label=_("到期时间"))


class ApiTokenSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "expires_at", "last_used_at"]
        read_only_fields = fields


@extend_schema_view(
    post=extend_schema(
        summary=_("获取 API 令牌"),
        description=_(
            "用户名和密码换取一个新令牌，之后以请求头 Authorization: Token <令牌> 访问接口。"
            "每次请求都签发新令牌（每个脚本或客户端各用一个），令牌到期、修改密码、"
            "账号停用或重置后失效；令牌只在此时返回一次。"
        ),
        auth=[],
        request=TokenRequestSerializer,
        responses={
            200: TokenResponseSerializer,
            400: OpenApiResponse(description=_("用户名或密码不正确")),
            429: OpenApiResponse(description=_("账号已临时锁定")),
        },
    ),
    delete=extend_schema(
        summary=_("撤销当前令牌"),
        description=_("撤销本次请求所携带的令牌；只接受令牌认证。"),
        request=None,
        responses={204: None, 401: NOT_TOKEN_AUTHENTICATED},
    ),
)
class TokenView(APIView):
    """Issue a token (POST, no authentication) or revoke the calling one (DELETE, by token)."""

    serializer_class = TokenRequestSerializer
    invalid_login = _("用户名或密码不正确。连续输错5次，账号将被临时锁定。")

    def get_authenticators(self):
        # POST must work whatever Authorization header a client still sends (an expired token).
        if getattr(self.request, "method", None) == "DELETE":  # no request: schema generation
            return [ExpiringTokenAuthentication()]
        return []

    def get_permissions(self):
        if getattr(self.request, "method", None) == "DELETE":
            return [IsAuthenticated()]
        return [AllowAny()]

    def post(self, request, *args, **kwargs):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        credentials = dict(serializer.validated_data)
        name = credentials.pop("name", "")
        user = self._authenticate(request, credentials)
        token, key = api_token_issue(user=user, name=name)
        return Response({"token": key, "expires_at": token.expires_at}, status=status.HTTP_200_OK)

    def delete(self, request, *args, **kwargs):
        if not isinstance(request.auth, ApiToken):
            raise NotAuthenticated()
        api_token_revoke(actor=request.user, token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _authenticate(self, request, credentials: dict):
        # django-axes watches authenticate(); it needs the Django request, not DRF's wrapper,
        # so that its lockout flag lands where its middleware looks.
        django_request = request._request
        user = authenticate(django_request, **credentials)
        if getattr(django_request, "axes_locked_out", False):
            # We answer the lockout ourselves, in JSON; the middleware would send HTML.
            django_request.axes_locked_out = False
            raise AccountLocked()
        if user is None:
            raise ValidationError({api_settings.NON_FIELD_ERRORS_KEY: [self.invalid_login]})
        # Same as a page login: resets the failure count, stamps last_login, logs the event.
        user_logged_in.send(sender=user.__class__, request=django_request, user=user)
        return user


@extend_schema_view(
    list=extend_schema(
        summary=_("我的 API 令牌"),
        description=_(
            "当前账号仍然有效的令牌（名称、前缀、签发、到期与最近使用时间），不含令牌本身。"
        ),
    ),
    destroy=extend_schema(
        summary=_("撤销我的一个令牌"),
        description=_("只能撤销本人的令牌；他人的令牌按不存在处理。"),
        responses={204: None, 404: NOT_FOUND},
    ),
)
class ApiTokenViewSet(mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    serializer_class = ApiTokenSerializer
    queryset = ApiToken.objects.none()  # the model, for the schema
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ApiToken.objects.none()
        if self.action == "list":
            return active_tokens(self.request.user)
        # Revoking also clears one of one's own dead tokens; anyone else's is 404.
        return ApiToken.objects.filter(user=self.request.user)

    def perform_destroy(self, instance):
        api_token_revoke(actor=self.request.user, token=instance)
