"""The organization app's REST API: organizations, people (with Excel), roles and grants.

``register(router)`` mounts the viewsets; ``bastion/api_urls.py`` calls it.
"""


def _describe_filters() -> None:
    """``within=<org id>`` is an organization id; drf-spectacular cannot guess that from the
    filter's callable queryset. (Better as a decorator on WithinFilter in filters.py.)"""
    from drf_spectacular.types import OpenApiTypes
    from drf_spectacular.utils import extend_schema_field

    from ..filters import WithinFilter

    extend_schema_field(OpenApiTypes.INT)(WithinFilter)


def register(router) -> None:
    _describe_filters()
    from .access import RoleAssignmentViewSet, RoleViewSet
    from .views import OrganizationViewSet, PersonViewSet

    router.register("orgs", OrganizationViewSet, basename="org")
    router.register("people", PersonViewSet, basename="person")
    router.register("roles", RoleViewSet, basename="role")
    router.register("role-assignments", RoleAssignmentViewSet, basename="role-assignment")
