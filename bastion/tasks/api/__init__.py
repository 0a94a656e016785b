"""The task app's REST API: task sheets (一事一单), dispatch, assignments and their feedback,
progress and export.

``register(router)`` mounts the viewsets; ``bastion/api_urls.py`` calls it.
"""


def register(router) -> None:
    from .assignments import AssignmentViewSet
    from .tasks import TaskViewSet

    router.register("tasks", TaskViewSet, basename="task")
    router.register("assignments", AssignmentViewSet, basename="assignment")
