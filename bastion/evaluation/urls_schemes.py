"""``/evaluation/``: schemes pages."""

urlpatterns = []
