"""``/tasks/``: each area keeps its own url module so they can grow apart."""

from django.urls import include, path

from . import urls_cascade, urls_progress, urls_tasks

app_name = "tasks"

urlpatterns = [
    path("", include(urls_tasks)),
    path("progress/", include(urls_progress)),
    path("cascade/", include(urls_cascade)),
]
