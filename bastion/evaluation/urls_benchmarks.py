"""``/evaluation/benchmarks/``: 同业对标 — the month table, one indicator, the map, entry."""

from django.urls import path

from .views import benchmarks as views

urlpatterns = [
    path("", views.benchmark_list, name="benchmark_list"),
    path("indicator/<slug:code>/", views.benchmark_indicator, name="benchmark_indicator"),
    path("map/", views.benchmark_map, name="benchmark_map"),
    path("entry/", views.benchmark_entry, name="benchmark_entry"),
]
