"""Problem pages: bulletins."""

urlpatterns = []
