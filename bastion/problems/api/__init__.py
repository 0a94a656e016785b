"""The problem app's REST API: inspections, the problem list and its rectification moves, and
the quarterly bulletin files.

``register(router)`` mounts the viewsets; ``bastion/api_urls.py`` calls it.
"""


def register(router) -> None:
    from .bulletins import BulletinViewSet
    from .inspections import InspectionViewSet
    from .problems import ProblemViewSet

    router.register("inspections", InspectionViewSet, basename="inspection")
    router.register("problems", ProblemViewSet, basename="problem")
    router.register("bulletins", BulletinViewSet, basename="bulletin")
