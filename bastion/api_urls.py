"""``/api/v1/``: token, schema, offline docs, and each app's viewsets."""

import json

from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from bastion.agenda import api as agenda_api
from bastion.core.api import TokenRequestSerializer, TokenResponseSerializer, TokenView
from bastion.evaluation import api as evaluation_api
from bastion.orgs import api as orgs_api
from bastion.orgs.api.access import MeView
from bastion.problems import api as problems_api
from bastion.tasks import api as tasks_api

app_name = "api"


class OfflineSwaggerView(SpectacularSwaggerView):
    """Swagger UI from local static files (the sidecar); its badge would call validator.swagger.io.

    It lives here, not in bastion.core.api, because DRF imports that module while loading its
    settings and drf_spectacular.views needs those settings loaded.
    """

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        swagger_settings = json.loads(response.data["settings"])
        swagger_settings["validatorUrl"] = None
        response.data["settings"] = json.dumps(swagger_settings, indent=2)
        return response


token_view = extend_schema_view(
    post=extend_schema(
        summary=_("获取 API 令牌"),
        description=_("用户名和密码换取令牌，之后以请求头 Authorization: Token <令牌> 访问接口。"),
        auth=[],
        request=TokenRequestSerializer,
        responses={
            200: TokenResponseSerializer,
            400: OpenApiResponse(description=_("用户名或密码不正确")),
            429: OpenApiResponse(description=_("账号已临时锁定")),
        },
    )
)(TokenView)

router = DefaultRouter()
orgs_api.register(router)
agenda_api.register(router)
tasks_api.register(router)
problems_api.register(router)
evaluation_api.register(router)

urlpatterns = [
    path("auth/token/", token_view.as_view(), name="token"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", OfflineSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("me/", MeView.as_view(), name="me"),
    *router.urls,
]
