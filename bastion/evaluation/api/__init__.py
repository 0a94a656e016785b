"""The evaluation app's REST API under ``evaluation/``: schemes, rounds with their scores and
results, benchmark indicator values and titles.

``register(router)`` mounts the viewsets; ``bastion/api_urls.py`` calls it.
"""


def register(router) -> None:
    from .benchmarks import BenchmarkValueViewSet
    from .rounds import RoundViewSet
    from .schemes import SchemeViewSet
    from .titles import TitleAwardViewSet

    router.register("evaluation/schemes", SchemeViewSet, basename="evaluation-scheme")
    router.register("evaluation/rounds", RoundViewSet, basename="evaluation-round")
    router.register("evaluation/indicators", BenchmarkValueViewSet,
                    basename="evaluation-indicator")  # fmt: skip
    router.register("evaluation/titles", TitleAwardViewSet, basename="evaluation-title")
