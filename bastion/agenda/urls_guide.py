"""Agenda pages: guide."""

urlpatterns = []
