"""The accounts app's REST API: ``users/`` (list, open, bulk open, deactivate, reactivate,
reset, unlock) and ``auth/activate/`` (``views.ActivateView``, outside the router).

``register(router)`` mounts the viewset; ``bastion/api_urls.py`` calls it.
"""


def register(router) -> None:
    from .views import AccountViewSet

    router.register("users", AccountViewSet, basename="user")
