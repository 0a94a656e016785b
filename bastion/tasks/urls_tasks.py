"""Task pages: tasks."""

urlpatterns = []
