"""Agenda pages: dues."""

urlpatterns = []
