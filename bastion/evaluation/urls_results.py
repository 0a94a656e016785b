"""``/evaluation/``: results pages."""

urlpatterns = []
