"""``/agenda/inbox/``: the inbox moved to the kernel (``/inbox/``); links in e-mails sent before
the move still open it."""

from django.urls import path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="inbox", permanent=True)),
    path("<int:pk>/", RedirectView.as_view(pattern_name="notification_detail", permanent=True)),
]
