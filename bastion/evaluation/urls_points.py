"""``/evaluation/``: points pages."""

urlpatterns = []
