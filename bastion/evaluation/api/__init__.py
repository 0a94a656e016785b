"""The evaluation app's REST API: schemes, rounds with their scores and results, benchmark
indicator values and titles (the old ``evaluation/…`` paths answer too: ``bastion/api_urls.py``).

``register(router)`` mounts the viewsets; ``bastion/api_urls.py`` calls it.
"""


def register(router) -> None:
    from .benchmarks import BenchmarkValueViewSet
    from .rounds import RoundViewSet
    from .schemes import SchemeViewSet
    from .titles import TitleAwardViewSet

    router.register("schemes", SchemeViewSet, basename="scheme")
    router.register("rounds", RoundViewSet, basename="round")
    router.register("benchmark-values", BenchmarkValueViewSet, basename="benchmark-value")
    router.register("titles", TitleAwardViewSet, basename="title")
