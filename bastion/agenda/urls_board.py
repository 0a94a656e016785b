"""Agenda pages: board."""

urlpatterns = []
