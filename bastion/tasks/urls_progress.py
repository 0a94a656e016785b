"""Task pages: one-click progress (一键统计进度) of a task, its live counts, reminder, export."""

from django.urls import path

from .views import progress as views

urlpatterns = [
    path("<int:pk>/", views.progress_view, name="progress"),
    path("<int:pk>/counts/", views.progress_counts, name="progress_counts"),
    path("<int:pk>/remind/", views.progress_remind, name="progress_remind"),
    path("<int:pk>/export/", views.progress_export, name="progress_export"),
]
