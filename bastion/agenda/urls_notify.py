"""Agenda pages: notify."""

urlpatterns = []
