"""Task pages: cascade."""

urlpatterns = []
