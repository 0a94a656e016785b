"""Agenda pages: meetings (三会一课). Mounted at ``/agenda/meetings/``."""

from django.urls import path

from .views import meetings as views

urlpatterns = [
    path("", views.meeting_list, name="meeting_list"),
    path("add/", views.meeting_create, name="meeting_create"),
    path("attendance/", views.attendance_rates, name="attendance_rates"),
    path("<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("<int:pk>/review/", views.meeting_review, name="meeting_review"),
    path("<int:pk>/delete/", views.meeting_delete, name="meeting_delete"),
    path("<int:pk>/history/", views.meeting_history, name="meeting_history"),
    path("<int:pk>/files/", views.meeting_attach, name="meeting_attach"),
    path("files/<int:pk>/", views.meeting_attachment, name="meeting_attachment"),
    path(
        "files/<int:pk>/delete/",
        views.meeting_attachment_delete,
        name="meeting_attachment_delete",
    ),
]
