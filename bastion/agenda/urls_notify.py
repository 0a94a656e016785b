"""Agenda pages: the inbox (``/agenda/inbox/``)."""

from django.urls import path

from .views import notify

urlpatterns = [
    path("", notify.inbox, name="inbox"),
    path("<int:pk>/", notify.notification_detail, name="notification_detail"),
    path("read-all/", notify.notification_read_all, name="notification_read_all"),
]
