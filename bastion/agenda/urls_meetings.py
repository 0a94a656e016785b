"""Agenda pages: meetings."""

urlpatterns = []
