"""Problem pages: problems."""

urlpatterns = []
