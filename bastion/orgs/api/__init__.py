"""The organization app's REST API: organizations, people (with Excel), roles and grants.

``register(router)`` mounts the viewsets; ``bastion/api_urls.py`` calls it.
"""


def register(router) -> None:
    from .access import RoleAssignmentViewSet, RoleViewSet
    from .views import OrganizationViewSet, PersonViewSet

    router.register("orgs", OrganizationViewSet, basename="org")
    router.register("people", PersonViewSet, basename="person")
    router.register("roles", RoleViewSet, basename="role")
    router.register("role-assignments", RoleAssignmentViewSet, basename="role-assignment")
