"""Agenda pages: terms."""

urlpatterns = []
