"""Task pages: progress."""

urlpatterns = []
