"""``/evaluation/``: each area keeps its own url module so they can grow apart."""

from django.urls import include, path

from . import (
    urls_appeals,
    urls_benchmarks,
    urls_points,
    urls_results,
    urls_rounds,
    urls_schemes,
    urls_scoring,
)

app_name = "evaluation"

urlpatterns = [
    path("schemes/", include(urls_schemes)),
    path("rounds/", include(urls_rounds)),
    path("results/", include(urls_results)),
    path("scoring/", include(urls_scoring)),
    path("benchmarks/", include(urls_benchmarks)),
    path("points/", include(urls_points)),
    path("appeals/", include(urls_appeals)),
]
