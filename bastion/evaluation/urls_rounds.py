"""``/evaluation/``: rounds pages."""

urlpatterns = []
