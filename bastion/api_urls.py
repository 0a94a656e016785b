"""``/api/v1/``: token, schema, offline docs, and each app's viewsets."""

import json

from django.urls import path, re_path
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter, SimpleRouter

from bastion.accounts import api as accounts_api
from bastion.accounts.api.views import ActivateView
from bastion.agenda import api as agenda_api
from bastion.core.api_tokens import ApiTokenViewSet, TokenView
from bastion.core.notifications import api as notifications_api
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


router = DefaultRouter()
orgs_api.register(router)
agenda_api.register(router)
tasks_api.register(router)
problems_api.register(router)
evaluation_api.register(router)
notifications_api.register(router)
accounts_api.register(router)

# v1 paths from before the route convention (docs/api.md): they keep answering, while the schema
# and the API root show only the conventional path. Old prefix -> (conventional prefix, basename).
OLD_PREFIXES = {
    "evaluation/schemes": ("schemes", "evaluation-scheme"),
    "evaluation/rounds": ("rounds", "evaluation-round"),
    "evaluation/indicators": ("benchmark-values", "evaluation-indicator"),
    "evaluation/titles": ("titles", "evaluation-title"),
}
# Old detail-action path -> (conventional prefix, action).
OLD_ACTION_PATHS = {
    r"^assignments/(?P<pk>[^/.]+)/pass_down/$": ("assignments", "pass_down"),
}


def unlisted(viewset):
    """``viewset`` left out of the OpenAPI schema (an old path of a documented one)."""
    return type(f"Old{viewset.__name__}", (viewset,), {"schema": None})


def old_paths(registry) -> list:
    viewsets = {prefix: viewset for prefix, viewset, _basename in registry}
    basenames = {prefix: basename for prefix, _viewset, basename in registry}
    old_router = SimpleRouter()
    for old, (prefix, basename) in OLD_PREFIXES.items():
        old_router.register(old, unlisted(viewsets[prefix]), basename=basename)
    patterns = list(old_router.urls)
    for route, (prefix, name) in OLD_ACTION_PATHS.items():
        viewset, action = viewsets[prefix], getattr(viewsets[prefix], name)
        initkwargs = {**action.kwargs, "basename": basenames[prefix], "detail": action.detail}
        initkwargs["schema"] = None
        patterns.append(re_path(route, viewset.as_view(dict(action.mapping), **initkwargs)))
    return patterns


urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="token"),
    path("auth/activate/", ActivateView.as_view(), name="auth-activate"),
    path("auth/tokens/", ApiTokenViewSet.as_view({"get": "list"}), name="auth-token-list"),
    path(
        "auth/tokens/<int:pk>/",
        ApiTokenViewSet.as_view({"delete": "destroy"}),
        name="auth-token-detail",
    ),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", OfflineSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("me/", MeView.as_view(), name="me"),
    *router.urls,
    *old_paths(router.registry),
]
