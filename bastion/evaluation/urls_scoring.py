"""``/evaluation/``: scoring pages."""

urlpatterns = []
