"""``/evaluation/``: benchmarks pages."""

urlpatterns = []
