"""``/inbox/``: the inbox pages, included by ``bastion/core/urls.py``."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/", views.notification_detail, name="notification_detail"),
    path("read-all/", views.notification_read_all, name="notification_read_all"),
]
