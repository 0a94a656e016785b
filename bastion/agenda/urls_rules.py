"""Agenda pages: rules."""

urlpatterns = []
